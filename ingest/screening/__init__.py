"""Screening: what the office must notice before anything is published.

Content steps are pure functions ``(record, context) -> findings`` run in a
plain ordered list where the text is read (sensitive terms and marks,
personal data, the editor's checklist). Duplicate detection needs the whole
archive, so the pipeline runs it where records are committed, in order. The
policy that turns findings into a status lives in one place: ``policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ingest.options import IngestOptions
from ingest.record import Finding, Record
from ingest.screening.checks import ocr_checks, writing_checks
from ingest.screening.lexicon import Lexicons, Matcher
from ingest.screening.sensitive import find_hidden, find_sensitive


@dataclass(frozen=True)
class ScreenContext:
    matcher: Matcher
    max_chars: int
    ocr_min_confidence: float = 0.8

    @classmethod
    def for_options(cls, options: IngestOptions) -> ScreenContext:
        matcher = _lexicons(options.lexicons, options.whitelists).matcher()
        return cls(matcher, options.max_chars, options.ocr_min_confidence)


@cache
def _lexicons(lexicons: tuple[Path, ...], whitelists: tuple[Path, ...]) -> Lexicons:
    # One per process and file list; it recompiles itself when a file changes.
    return Lexicons(lexicons, whitelists)


ContentStep = Callable[[Record, ScreenContext], list[Finding]]

CONTENT_STEPS: tuple[ContentStep, ...] = (
    lambda record, ctx: find_sensitive(record, ctx.matcher),
    lambda record, ctx: find_hidden(record, ctx.matcher),
    lambda record, ctx: writing_checks(record, ctx.max_chars),
    lambda record, ctx: ocr_checks(record, ctx.ocr_min_confidence),
)


def screen_content(record: Record, context: ScreenContext) -> Record:
    """The record with the findings of every content step added."""
    found = [f for step in CONTENT_STEPS for f in step(record, context)]
    return replace(record, findings=record.findings + tuple(found))
