"""Issues built in code for the rendering tests, and measuring helpers for their PDFs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from formatter.issue import Issue, Item

MM = 72 / 25.4
BLOCK_TOP, BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT = 37.0, 262.0, 28.0, 184.0

PARAGRAPH = (
    "近年来，我县农村集中供水工程覆盖面不断扩大，但部分山区村组仍存在水质不稳定、管网老化、"
    "维护资金不足等问题，群众反映较为强烈，亟须统筹解决。"
)


def long_body(chars: int = 3000) -> str:
    """Headings of each level and plain paragraphs, about ``chars`` characters."""
    parts = [
        "一、基本情况",
        PARAGRAPH,
        "（一）管网老化失修。" + PARAGRAPH,
        "1.加大投入。" + PARAGRAPH,
    ]
    parts += ["二、几点建议", "（二）健全机制", "（1）" + PARAGRAPH]
    while sum(len(p) for p in parts) < chars:
        parts.append(PARAGRAPH * 2)
    return "\n".join(parts)


def item(n: int, body: str, title: str = "", submitter: str = "张建华（县政协委员，县人民医院副院长）",
         contact: str = "138****5678") -> Item:  # fmt: skip
    return Item(f"2026-{n:04d}", title or f"关于加强农村饮水安全保障工作的建议（{n}）",
                submitter, contact, body, f"稿件{n}.docx")  # fmt: skip


def issue(*items: Item, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "year": 2026, "number": 3, "total_number": 45, "issued": dt.date(2026, 3, 5),
        "unit": "政协某某县委员会办公室", "mark": "内部资料", "report_to": ("市政协办公室",),
        "send_to": ("县委、县人大常委会、县政府、县政协领导",), "distribute_to": ("县政协各委室",),
        "copies": 30, "editor": "王芳", "reviewer": "李强", "signer": "赵明", "print_names": True,
    }  # fmt: skip
    values.update(fields)
    return Issue(items=items, **values)


def text_lines(page: Any) -> list[tuple[float, float, str, list[dict[str, Any]]]]:
    """Lines of text inside the text block: (top mm, bottom mm, text, chars), top to bottom."""
    rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for ch in page.chars:
        if ch["text"].strip() and BLOCK_TOP - 2 <= ch["top"] / MM <= BLOCK_BOTTOM:
            rows[round(ch["bottom"] / MM, 0)].append(ch)
    out = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        top = min(c["top"] for c in chars) / MM
        bottom = max(c["bottom"] for c in chars) / MM
        out.append((top, bottom, "".join(c["text"] for c in chars), chars))
    return out


def footer_text(page: Any) -> list[dict[str, Any]]:
    return sorted(
        (c for c in page.chars if c["top"] / MM > BLOCK_BOTTOM + 1), key=lambda c: c["x0"]
    )


def rules(page: Any) -> list[dict[str, Any]]:
    """Horizontal rules (lines, or rectangles thinner than 1 mm), with sizes in mm."""
    found = []
    for shape in page.lines + page.rects:
        height = abs(shape["bottom"] - shape["top"])
        if height < MM:
            width = shape.get("linewidth", 0) if height < 0.01 else height
            found.append({"x0": shape["x0"] / MM, "x1": shape["x1"] / MM, "y": shape["top"] / MM,
                          "width_mm": width / MM,
                          "color": shape.get("stroking_color") or shape.get("non_stroking_color")})  # fmt: skip
    return sorted(found, key=lambda r: r["y"])
