"""The screening policy, decided in one place.

* a 密级 mark (``secret.marking``) quarantines the submission: it can never be
  composed into an issue until a clerk releases it with a recorded reason;
* any other sensitive hit (personal data, lexicon terms, out-of-scope topics),
  any near duplicate and any page OCR read with low confidence flag it;
* the editor's checklist (kind ``check``) informs and never changes the status.
Personal data stays in the registry as received; it is masked in anything
rendered for forwarding (``ingest.record.masked_text``).
"""

from __future__ import annotations

from ingest.record import Record, Status

SECRET = "secret.marking"


def decide(record: Record) -> Status:
    if any(f.category == SECRET for f in record.findings):
        return Status.QUARANTINED
    if any(f.kind in ("sensitive", "duplicate", "ocr") for f in record.findings):
        return Status.FLAGGED
    return Status.ACCEPTED
