"""Logging for the shell and the flows: one line per event, as text (warnings and worse) or, with
`NEWSWATCH_LOG_FORMAT=json`, as JSON lines (info and worse) carrying the Prefect flow run id when
the code runs inside a flow run."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]
# What every LogRecord has; anything else was passed as `extra` and goes into the JSON line.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        run_id = flow_run_id()
        if run_id is not None:
            entry["flow_run_id"] = run_id
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def flow_run_id() -> str | None:
    """The id of the Prefect flow run this code runs in, if any (never imports Prefect itself)."""
    context = sys.modules.get("prefect.context")
    if context is None:
        return None
    run_context = context.FlowRunContext.get()
    flow_run = getattr(run_context, "flow_run", None)
    return str(flow_run.id) if flow_run is not None else None


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """newswatch's own handler on the root logger, replaced (not doubled) when configured again."""


def configure_logging(form: LogFormat) -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(sys.stderr)
    if form == "json":
        handler.setFormatter(JsonLines())
        handler.setLevel(logging.INFO)
        root.setLevel(min(root.level or logging.INFO, logging.INFO))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
    root.addHandler(handler)
