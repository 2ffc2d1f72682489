"""`newswatch match`, `eval` and `watchlist check|explain`, run through a Typer app of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newswatch.commands.events import register

FIXTURES = Path(__file__).parent / "fixtures" / "watchlist"
SENTENCES = (
    "Baku called off planned Russian ministerial visits and summoned the Russian ambassador. "
    "Markets were calm."
)
runner = CliRunner()
WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_match_prints_a_table_of_events(app: typer.Typer, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SENTENCES, encoding="utf-8")
    result = runner.invoke(app, ["match", str(article)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "2 events" in result.output
    assert "relations_downgrade" in result.output and "diplomatic_protest" in result.output
    assert "AZE (source), RUS (target)" in result.output


def test_match_json_reads_standard_input(app: typer.Typer) -> None:
    result = runner.invoke(app, ["match", "-", "--json"], input=SENTENCES)
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)["events"]
    assert [e["type"] for e in events] == ["relations_downgrade", "diplomatic_protest"]
    assert events[1]["actors"] == [
        {"id": "AZE", "name": "Azerbaijan", "role": "source"},
        {"id": "RUS", "name": "Russia", "role": "target"},
    ]
    assert events[1]["span"] == [0, 87] and events[1]["modality"] == "asserted"


def test_match_jsonl_answers_one_line_per_input_line(app: typer.Typer) -> None:
    lines = [
        {"id": "a", "text": "Lavrov flew to Pyongyang on Friday."},
        {"id": 7, "text": "Gold prices rose."},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = runner.invoke(app, ["match", "--jsonl", "--date", "2025-06-01"], input=stdin)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["id"] == "a" and second == {"id": 7, "events": []}
    assert first["events"][0]["actors"][0] == {
        "id": "P_SERGEY_LAVROV",
        "name": "Sergey Lavrov",
        "role": "source",
        "country": "RUS",
    }


def test_match_jsonl_names_a_bad_line_and_exits_1(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["match", "--jsonl"], input='{"id": 1, "text": "Calm."}\nnot json\n'
    )
    assert result.exit_code == 1
    assert '{"id": 1, "events": []}' in result.output
    assert "-:2: expected" in result.output


def test_watchlist_check_passes_the_shipped_watchlist(app: typer.Typer) -> None:
    result = runner.invoke(app, ["watchlist", "check"])
    assert result.exit_code == 0, result.output
    assert "is valid:" in result.output and "patterns" in result.output


def test_watchlist_check_prints_file_line_reason_and_exits_1(
    app: typer.Typer, tmp_path: Path
) -> None:
    bad = tmp_path / "patterns.yaml"
    bad.write_text("patterns:\n  - id: p\n    type: coup\n    triggers: [seize]\n    roles: {}\n")
    result = runner.invoke(app, ["watchlist", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: unknown event type 'coup'" in result.output


def test_explain_shows_hits_and_why_an_event_did_not_fire(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["watchlist", "explain", "Russia deployed a new app for Armenian users."], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "russia deployed a new app for armenian users" in result.output
    assert "Armenian" in result.output and "ARM" in result.output
    assert "incomplete trigger" not in result.output
    verbose = runner.invoke(
        app,
        ["watchlist", "explain", "Russia deployed a new app for Armenian users.", "--verbose"],
        env=WIDE,
    )
    assert "troops-sent" in verbose.output and "incomplete trigger" in verbose.output


def test_explain_json_lists_actors_and_triggers(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["watchlist", "explain", "Baku summoned the Russian ambassador.", "--json"]
    )
    assert result.exit_code == 0, result.output
    [sentence] = json.loads(result.output)["sentences"]
    assert [a["acts_for"] for a in sentence["actors"]] == ["AZE", "RUS"]
    [trigger] = sentence["triggers"]
    assert trigger["pattern"] == "envoy-summoned" and trigger["fired"] is True
    assert trigger["roles"] == {"source": ["AZE"], "target": ["RUS"]}


def test_explain_with_a_custom_watchlist(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "watchlist",
            "explain",
            "Ivory Coast recalled its ambassador from Seoul.",
            "--watchlist",
            str(FIXTURES),
        ],
        env=WIDE,
    )
    assert result.exit_code == 0, result.output
    assert "CIV" in result.output and "KOR" in result.output and "fired (asserted)" in result.output


def test_eval_scores_a_labelled_file(app: typer.Typer, tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {
            "id": "1",
            "text": "Baku summoned the Russian ambassador.",
            "events": [
                {
                    "type": "diplomatic_protest",
                    "modality": "asserted",
                    "actors": [{"id": "AZE", "role": "source"}, {"id": "RUS", "role": "target"}],
                }
            ],
        },
        {
            "id": "2",
            "text": "Iran reportedly sent drones to Russia.",
            "events": [
                {
                    "type": "arms_transfer",
                    "modality": "asserted",
                    "actors": [{"id": "IRN", "role": "source"}, {"id": "RUS", "role": "target"}],
                }
            ],
        },
        {
            "id": "3",
            "text": "Gold prices rose.",
            "events": [
                {
                    "type": "sanctions",
                    "modality": "asserted",
                    "actors": [{"id": "USA", "role": "source"}],
                }
            ],
        },
    ]
    labelled.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["eval", str(labelled), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["overall"] == {
        "tp": 2,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.6667,
        "f1": 0.8,
    }
    assert report["types"]["sanctions"]["fn"] == 1
    assert report["modality_accuracy"] == 0.5
    assert report["actor_roles"]["tp"] == 4
    table = runner.invoke(app, ["eval", str(labelled), "--errors"], env=WIDE)
    assert (
        table.exit_code == 0 and "overall" in table.output and "missed: sanctions" in table.output
    )
