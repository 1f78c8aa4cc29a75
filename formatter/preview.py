"""The HTML preview: the issue's context handed to the office's Jinja2 template.

The context holds plain strings and numbers only (the sandbox sees no Python
objects of ours), built by the same functions that feed the .docx.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from formatter.compose import blocks
from formatter.context import Copy, colophon, masthead, submitter_text
from formatter.issue import Issue
from formatter.layout import title_lines
from formatter.template import Template


def preview_context(issue: Issue, t: Template, copy: Copy) -> dict[str, Any]:
    items = []
    for n, item in enumerate(issue.items, start=1):
        items.append({
            "title": item.title,
            "title_lines": title_lines(item.title),
            "entry": t.say("contents_entry", n=n, title=item.title),
            "submitter": submitter_text(item, copy, t),
            "blocks": [{"kind": b.kind.value, "text": b.text, "lead": b.lead,
                        "rows": [list(r) for r in b.rows]} for b in blocks(item.body)],
        })  # fmt: skip
    return {
        "issue": {"year": issue.year, "number": issue.number, "foreword": issue.foreword},
        "head": asdict(masthead(issue, t)),
        "items": items,
        "submitter_place": copy.submitter.value,
        "colophon": [asdict(row) for row in colophon(issue, t)],
        "wording": {
            "contents_heading": t.say("contents_heading"),
            "foreword_label": t.say("foreword_label"),
        },
        "fonts": asdict(t.fonts),
        "colors": {"red": t.red, "black": t.black},
        "journal_size": t.journal_size,
        "rule_pt": t.rule_pt,
        "rule_gap_mm": t.rule_gap_mm,
    }


def render_preview(issue: Issue, t: Template, copy: Copy) -> str:
    return t.preview(preview_context(issue, t, copy))
