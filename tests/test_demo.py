"""`newswatch demo` end to end: the digest of the demo week is written and emailed once."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from typer.testing import CliRunner

from newswatch.cli import app


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
