"""The report contract: one JSON object per received file, one per line.

Outside tools read these lines; keys are only ever added, never renamed.
Contract keys: file, status, id, sha256, format, pages, ocr, text, title,
submitter, duplicates, sensitive, error, stored_as. Added keys: receipt (the
receipt's number), received_at, disposition (registered / duplicate /
rejected / ignored), note (why a file was ignored), screening (the submission's
status: accepted / flagged / quarantined), checks (the editor's checklist),
text_withheld (true where ``text`` is left out: a quarantined submission).

A report line may be printed or passed on, so it goes through the gate: personal
data is masked everywhere in it (``text``, ``submitter``, the ``sensitive`` hits),
密级 marks are replaced by a placeholder, and the text of a quarantined
submission is not included at all (the registry has it; ``minyi show``). Only
``file`` is kept exactly as the file is named: it is how a line is matched to
its file (a 回执 redacts it too).
"""

from __future__ import annotations

import json
from typing import Any

from ingest.receipt import Receipt
from ingest.record import Finding, Record, Status, mask_value
from ingest.screening.gate import Gate


def report_line(receipt: Receipt, record: Record | None, gate: Gate) -> dict[str, Any]:
    """The report object for one receipt (``record``: the submission it points at),
    through the gate (see the module docstring)."""
    line = _line(receipt, record)
    if record is not None and record.status is Status.QUARANTINED:
        line["text"] = None
        line["text_withheld"] = True
    elif record is not None:
        line["text"] = record.masked_text()
    redacted: dict[str, Any] = gate.redact_all(line)
    redacted["file"] = receipt.file  # the key outside tools match lines by, kept exact
    return redacted


def _line(receipt: Receipt, record: Record | None) -> dict[str, Any]:
    return {
        "file": receipt.file,
        "status": receipt.disposition.report_status,
        "id": receipt.submission_id,
        "sha256": receipt.sha256,
        "format": receipt.format,
        "pages": record.page_count if record else None,
        "ocr": record.ocr if record else False,
        "text": record.text if record else None,
        "title": record.title if record else None,
        "submitter": record.submitter.as_dict() if record and record.submitter else None,
        "duplicates": [d.as_dict() for d in receipt.duplicates],
        "sensitive": [
            {"category": f.category, "text": _shown(f), "start": f.start, "end": f.end}
            for f in (record.findings if record else ())
            if f.kind == "sensitive"
        ],
        "error": receipt.error,
        "stored_as": receipt.stored_as,
        "receipt": receipt.seq,
        "received_at": receipt.received_at,
        "disposition": receipt.disposition.value,
        "note": receipt.note,
        "screening": record.status.value if record else None,
        "checks": [
            {"category": f.category, "message": f.text}
            for f in (record.findings if record else ())
            if f.kind == "check"
        ],
    }


def _shown(finding: Finding) -> str:
    """A hit's text as a report may hold it: personal data masked by its own category (the
    gate alone, seeing the number without its context, would not know a card number)."""
    if finding.category.startswith("pii."):
        return mask_value(finding.category, finding.text)
    return finding.text


def dumps(line: dict[str, Any]) -> str:
    """One report line, UTF-8 JSON without escapes for Chinese, no newline."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))
