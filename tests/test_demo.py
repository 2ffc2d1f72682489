"""`newswatch demo` end to end: the digest of the demo week is written and emailed once."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from newswatch.cli import app
from storage.models import delivery_items, incidents

# Every incident the demo corpus gives, read as an analyst would: (type, mark, modality, actors).
# The traps (recaps since 2022 or "still" standing, the withdrawal of 2024, the SOCAR supply deal,
# the airline's jet order, the pop star's cancelled concerts, "Brussels", "urged allies to speed
# up deliveries") give none; the phone call is an incident that alerts no one by default.
ALERTED = {
    ("diplomatic_recognition", None, "asserted", "RUS,TALIBAN"),
    ("alliance_membership", None, "asserted", "ARM,CSTO"),
    ("agreement_signed", None, "asserted", "IRN,RUS"),
    ("arms_transfer", None, "asserted", "IRN,RUS"),
    ("diplomatic_protest", None, "asserted", "AZE,RUS"),
    ("troop_deployment", None, "asserted", "PRK,RUS"),
    ("arrest_detention", None, "asserted", "AZE,RUS"),
    ("agreement_signed", None, "future", "ARM,AZE"),
    ("agreement_signed", None, "asserted", "ARM,EU"),
    ("official_visit", None, "asserted", "ARM,RUS"),
    ("military_strike", None, "asserted", "RUS,UKR"),
    ("official_visit", None, "asserted", "ARM,TUR"),
    ("sanctions", None, "asserted", "EU,RUS"),
    ("alliance_membership", None, "asserted", "ARM,EU"),
    ("troop_deployment", None, "hedged", "PRK,RUS"),
}
NOT_ALERTED = {
    ("diplomatic_recognition", None, "negated", "KAZ,TALIBAN"),
    ("official_visit", "phone_call", "asserted", "AZE,UKR"),
}


def test_the_demo_writes_the_week_digest_and_emails_it_once(tmp_path: Path) -> None:
    output = tmp_path / "demo"

    result = CliRunner().invoke(app, ["demo", "--output", str(output)])

    assert result.exit_code == 0, result.output
    digest = output / "digest"
    for name in ("digest-2026-W47.html", "digest-2026-W47.md", "digest-2026-W47.png"):
        assert (digest / name).stat().st_size > 1000, name
    assert (
        json.loads((digest / "digest-2026-W47.json").read_text())["period"]["iso_week"]
        == "2026-W47"
    )
    assert "(digest-2026-W47.png)" in (digest / "digest-2026-W47.md").read_text()
    subjects = [
        str(message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])
        for path in sorted((output / "emails").glob("*.eml"))
    ]
    digests = [s for s in subjects if s.startswith("[newswatch] Digest demo-weekly")]
    assert len(digests) == 1 and len(subjects) > len(digests)
    assert "built before: not sent again" in result.output
    _assert_incidents(output / "newswatch-demo.db")


def _assert_incidents(database: Path) -> None:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        alerted = set(conn.execute(select(delivery_items.c.incident_id)).scalars())
        found = [
            ((row.event_type, row.mark, row.modality, row.actor_key), row.id in alerted)
            for row in conn.execute(select(incidents))
        ]
    engine.dispose()
    assert sorted(kind for kind, sent in found if sent) == sorted(ALERTED)
    assert {kind for kind, sent in found if not sent} == NOT_ALERTED
    assert len(found) == len(ALERTED) + len(NOT_ALERTED)
