"""Benchmark trials in a fresh interpreter: nothing loaded, started or pinned by an earlier trial
(the fork server, CPU affinity, caches) carries over into the next one."""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
from collections.abc import Callable
from multiprocessing import Queue
from typing import Any

Result = dict[str, float]


def in_fresh_process(trial: Callable[..., Result], *args: Any) -> Result:
    """`trial(*args)` run in a new spawned process; its result, or an error if the process died."""
    context = multiprocessing.get_context("spawn")
    results: Queue[Result] = context.Queue()
    process = context.Process(target=_report, args=(trial, args, results))
    process.start()
    while process.is_alive() or not results.empty():
        with contextlib.suppress(queue.Empty):
            return results.get(timeout=1)
    raise RuntimeError(f"{trial.__name__} died (exit {process.exitcode})")


def _report(trial: Callable[..., Result], args: tuple[Any, ...], results: Queue[Result]) -> None:
    results.put(trial(*args))
