"""From a registered record to an issue item, and from an item's body to typed blocks.

Pure functions. The item's body is the record's recognised body (its
``Structure``) with personal data masked (unless the office turns masking off):
without the title and 反映人 lines that the issue prints in their own places,
and without the submission's furniture (headers, footers, mastheads, chrome). The body is then read as blocks: headings
by their numbering (一、 （一） 1. （1）), runs of tab-separated lines as tables,
and plain paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from common.errors import RenderError
from common.headings import heading_level
from formatter.issue import Item
from ingest.record import Record, Status, mask_value

_LABEL = re.compile(r"^[（(]?\s*(反映人|信息员|报送人|提供人)\s*[:：]\s*")
_PHONE = re.compile(
    r"[，,；;\s]*(联系)?(电话|手机|联系方式)?\s*[:：]?\s*(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})"
)


class BlockKind(StrEnum):
    HEADING1 = "heading1"  # 一、 黑体
    HEADING2 = "heading2"  # （一） 楷体
    HEADING3 = "heading3"  # 1. 仿宋
    HEADING4 = "heading4"  # （1） 仿宋
    PARAGRAPH = "paragraph"
    TABLE = "table"


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or table. A heading may run in: ``text[:lead]`` is the
    heading (in the heading face), the rest is body text on the same line."""

    kind: BlockKind
    text: str = ""
    lead: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


_LEVELS = (BlockKind.PARAGRAPH, BlockKind.HEADING1, BlockKind.HEADING2, BlockKind.HEADING3,
           BlockKind.HEADING4)  # fmt: skip


def item_from_record(record: Record, mask: bool = True) -> Item:
    """An issue item from a registered submission; refuses one in quarantine."""
    if record.id is None:
        raise RenderError(f"「{record.original_name}」尚未登记，不能编入刊物")
    if record.status is Status.QUARANTINED:
        raise RenderError(
            f"{record.id}「{record.original_name}」处于隔离状态（涉密或待审），不能编入刊物；"
            f"如经审核可以编发，请先用 minyi release {record.id} 解除隔离"
        )
    title = record.title or ""
    structure = record.structure
    if structure is not None:
        # The recognised body: without title, bylines and the submission's furniture
        # (its own header, footer, masthead, page numbers, a screenshot's chrome).
        body = [record.masked(p.text) if mask else p.text for p in structure.body]
        byline = record.masked(structure.byline) if mask else structure.byline
    else:
        text = record.masked_text() if mask else record.text
        lines = [line.strip() for line in text.splitlines()]
        submitter_raw = record.submitter.raw if record.submitter else ""
        body = _strip_heads(lines, title, submitter_raw)
        byline = submitter_line(submitter_raw)
    phone = record.submitter.phone if record.submitter else None
    contact = (mask_value("pii.mobile", phone) if mask else phone) if phone else ""
    return Item(
        submission_id=record.id,
        title=title or record.original_name,
        submitter=byline,
        contact=contact,
        body="\n".join(body),
        original_name=record.original_name,
        source_sha256=record.sha256,
    )


def submitter_line(raw: str) -> str:
    """The 反映人 line's content: label, enclosing brackets and phone numbers removed."""
    content = _LABEL.sub("", raw.strip())
    if raw.strip().startswith(("（", "(")) and content.endswith(("）", ")")):
        content = content[:-1]
    return _PHONE.sub("", content).strip(" ，,；;")


def _strip_heads(lines: list[str], title: str, submitter_raw: str) -> list[str]:
    """Body lines without the title (at the top) and the 反映人 line (anywhere)."""
    out = [line for line in lines if line]
    compact_title = re.sub(r"\s+", "", title)
    if compact_title:
        for i, line in enumerate(out[:3]):
            if re.sub(r"\s+", "", line) == compact_title:
                del out[i]
                break
    if submitter_raw:
        out = [line for line in out if line != submitter_raw.strip()]
    return out


def blocks(body: str) -> list[Block]:
    """The body read as headings, paragraphs and tables."""
    out: list[Block] = []
    table: list[tuple[str, ...]] = []
    for line in (part.strip() for part in body.splitlines()):
        if "\t" in line:
            table.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        if table:
            out.append(Block(BlockKind.TABLE, rows=_square(table)))
            table = []
        if line:
            kind, lead = heading_kind(line)
            out.append(Block(kind, text=line, lead=lead))
    if table:
        out.append(Block(BlockKind.TABLE, rows=_square(table)))
    return out


def heading_kind(line: str) -> tuple[BlockKind, int]:
    """A line's heading level by its numbering, and how much of it is the heading
    (``common.headings``: the rule the recogniser uses too)."""
    level, lead = heading_level(line)
    return _LEVELS[level], lead


def _square(rows: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    width = max(len(row) for row in rows)
    return tuple(row + ("",) * (width - len(row)) for row in rows)
