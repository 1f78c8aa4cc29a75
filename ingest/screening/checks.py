"""The editor's checklist as findings: length, title, 反映人, a 建议 part, one matter per item.

These are hints for the editor (kind ``check``); they never block anything.
"""

from __future__ import annotations

import re

from ingest.record import Finding, Record

_SUGGESTION = re.compile(r"建议|对策|措施|呼吁|意见|应当|亟需|亟待|希望")
_TITLE_LINE = re.compile(
    r"^《?关于.{2,40}的(?:建议|意见|提案)》?$|^.{4,30}(?:亟待解决|亟需解决|应引起重视)$"
)

MESSAGES = {
    "check.length": "篇幅 {length} 字，超过 {limit} 字的一般要求，建议压缩",
    "check.no_title": "未识别到标题",
    "check.no_submitter": "未识别到反映人（应注明姓名、身份、单位职务等）",
    "check.no_suggestion": "未见建议部分（社情民意信息一般应包含意见建议）",
    "check.multiple_matters": "文中似有 {count} 个标题，可能一文多事，请按“一事一报”拆分",
}


def writing_checks(record: Record, max_chars: int) -> list[Finding]:
    findings = []
    length = sum(1 for ch in record.text if not ch.isspace())
    if length > max_chars:
        findings.append(_check("check.length", length=length, limit=max_chars))
    if not record.title:
        findings.append(_check("check.no_title"))
    if record.submitter is None:
        findings.append(_check("check.no_submitter"))
    if not _SUGGESTION.search(record.text):
        findings.append(_check("check.no_suggestion"))
    titles = [line for line in record.text.split("\n") if _TITLE_LINE.match(line.strip())]
    if len(titles) > 1:
        findings.append(_check("check.multiple_matters", count=len(titles)))
    return findings


def _check(category: str, **values: object) -> Finding:
    return Finding(kind="check", category=category, text=MESSAGES[category].format(**values),
                   detail=dict(values))  # fmt: skip


def ocr_checks(record: Record, min_confidence: float) -> list[Finding]:
    """Pages read by OCR with less confidence than configured: the clerk checks them."""
    return [
        Finding(
            kind="ocr",
            category="ocr.low_confidence",
            text=f"第 {page.number} 页为 OCR 识别，置信度 {page.confidence:.0%}，请对照原件核对",
            detail={"page": page.number, "confidence": page.confidence},
        )
        for page in record.pages
        if page.confidence is not None and page.confidence < min_confidence
    ]
