"""Where a batch's time goes: phases timed by the code that does them.

``with phase("ocr"):`` adds the block's own wall time to this thread's total for
"ocr" — its own only: time spent in a phase nested inside it counts for the inner
phase, so the totals add up to the time measured and nothing is counted twice.
A worker takes its totals after each file (``take``) and sends them back with the
result; the batch adds them up (CPU-seconds across the workers, beside the wall).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Phase keys (the report's ``timing`` object) and how the clerk's summary names them.
PHASES = {
    "startup": "启动",
    "model": "模型加载",
    "office_start": "LibreOffice 启动",
    "ocr": "OCR",
    "office": "格式转换",
    "extraction": "提取",
    "screening": "筛查",
    "keeping": "保存原件",
    "registry": "登记入库",
}

_local = threading.local()


def _state() -> tuple[dict[str, float], list[float]]:
    if not hasattr(_local, "totals"):
        _local.totals, _local.stack = {}, []
    return _local.totals, _local.stack


@contextmanager
def phase(name: str) -> Iterator[None]:
    totals, stack = _state()
    started = time.perf_counter()
    stack.append(0.0)  # the time of phases nested in this one
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        nested = stack.pop()
        totals[name] = totals.get(name, 0.0) + elapsed - nested
        if stack:
            stack[-1] += elapsed


def take() -> dict[str, float]:
    """This thread's totals since the last ``take`` (rounded to the millisecond)."""
    totals, _ = _state()
    taken = {name: round(seconds, 3) for name, seconds in totals.items()}
    totals.clear()
    return taken


def add(into: dict[str, float], more: dict[str, float]) -> None:
    for name, seconds in more.items():
        into[name] = round(into.get(name, 0.0) + seconds, 3)


def since_process_start() -> float:
    """Seconds since this process started (Linux; else 0): the interpreter and imports."""
    try:
        fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
        ticks = int(fields[19])  # starttime, in clock ticks since boot
        import os

        uptime = float(open("/proc/uptime").read().split()[0])  # noqa: SIM115
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def summary(phases: dict[str, float]) -> str:
    """The phases as the clerk reads them, largest first."""
    shown = sorted(((s, n) for n, s in phases.items() if s >= 0.05), reverse=True)
    return " · ".join(f"{PHASES.get(n, n)} {s:.1f}" for s, n in shown)


__all__ = ["PHASES", "add", "phase", "since_process_start", "summary", "take"]
