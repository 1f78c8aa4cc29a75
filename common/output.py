"""Writing an artefact for people outside the registry through the gate it is given.

``followup`` cannot import the screening library (the layering rules), so the
app layer hands each writer a ``Gatekeeper``: ``mask`` for every user-derived
text before it is written, and a call on the finished file, which raises when
anything in it may not leave. The file is written under a temporary name beside
its target and takes the target's name only after the gate has passed it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

# What a spreadsheet application would take as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


class Gatekeeper(Protocol):
    def mask(self, text: str) -> str: ...

    def __call__(self, path: Path) -> None: ...


def checked_write(path: Path, write: Callable[[Path], None], gate: Gatekeeper) -> None:
    """``write`` a temporary file, pass it through ``gate``, then give it ``path``'s name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.stem}.{os.getpid()}.checking{path.suffix}")
    try:
        write(temp)
        gate(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def cell_text(value: str, gate: Gatekeeper) -> str:
    """A user-derived text as a spreadsheet cell may hold it: masked, never a formula."""
    value = gate.mask(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
