"""Receipts: one for every file taken in, whatever became of it.

A record is a submission; a receipt is an event: "this file arrived and this
happened to it". A repeat of the same bytes is a second receipt pointing at the
first registration, never a second submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Disposition(StrEnum):
    """What happened to one received file."""

    REGISTERED = "registered"  # a new submission
    DUPLICATE = "duplicate"  # identical content was registered before
    REJECTED = "rejected"  # unreadable or not allowed; bytes kept in quarantine
    IGNORED = "ignored"  # lock file, partial download, hidden or system file

    @property
    def report_status(self) -> str:
        """The report contract's ``status``: ``ok``, ``rejected`` or ``ignored``."""
        if self in (Disposition.REGISTERED, Disposition.DUPLICATE):
            return "ok"
        return self.value


@dataclass(frozen=True)
class DuplicateRef:
    """An earlier registration that a received file repeats (exactly or nearly)."""

    file: str
    id: str
    similarity: float
    kind: str  # "exact" or "near"
    # For near duplicates: jaccard, containment, relation and the shared passages.
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "id": self.id, "similarity": self.similarity, "kind": self.kind,
                **self.evidence}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DuplicateRef:
        core = ("file", "id", "similarity", "kind")
        evidence = {k: v for k, v in data.items() if k not in core}
        return cls(data["file"], data["id"], data["similarity"], data["kind"], evidence)


@dataclass(frozen=True)
class Receipt:
    """One file received: where from, what it was, what became of it."""

    file: str  # path relative to the folder it came from, with "/" separators
    source: str  # that folder, absolute
    received_at: str
    disposition: Disposition
    sha256: str | None = None
    size: int | None = None
    format: str | None = None
    submission_id: str | None = None
    duplicates: tuple[DuplicateRef, ...] = ()
    error: str | None = None
    note: str | None = None
    stored_as: str | None = None
    seq: int | None = None
