"""Review decisions: where a submission stands with the reviewer, apart from its intake status.

Intake says what the file is (accepted, flagged for a look, quarantined as
secret); review says what the office will do with it. Every submission starts
待审核 and a reviewer moves it to 拟采用 (may be composed into an issue),
不予采用, 退回修改 (back to the submitter for a revision) or 作废. A revised
submission (修改稿) replaces the one it revises: the old one becomes 已由修改稿替代
and leaves the queue; its history is kept. A reviewer may change a decision;
each change is one entry in the audit log.

The keys (``pending`` …) are what the registry, ``--json`` output and outside
tools see; the Chinese labels are what clerks type and read. Both are accepted.
"""

from __future__ import annotations

from enum import StrEnum

from common.errors import InputError


class Decision(StrEnum):
    PENDING = "pending"
    PROPOSED = "proposed"
    DECLINED = "declined"
    RETURNED = "returned"
    VOID = "void"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Decision.PENDING: "待审核",
    Decision.PROPOSED: "拟采用",
    Decision.DECLINED: "不予采用",
    Decision.RETURNED: "退回修改",
    Decision.VOID: "作废",
    Decision.SUPERSEDED: "已由修改稿替代",
}
# A decision that turns an item away must say why (the submitter is told).
NEEDS_REASON = frozenset({Decision.DECLINED, Decision.RETURNED, Decision.VOID})
# What a reviewer may choose; 已由修改稿替代 follows from linking a revision.
CHOSEN = (Decision.PROPOSED, Decision.DECLINED, Decision.RETURNED, Decision.VOID,
          Decision.PENDING)  # fmt: skip

# Flags a reviewer can acknowledge (the concern codes they silence) and their names.
FLAGS = {
    "pii": "个人信息",
    "lexicon": "需留意的词语",
    "near_duplicate": "近似重复",
    "low_ocr": "OCR 置信度低",
}


def parse_decision(text: str, chosen: bool = True) -> Decision:
    """A decision from its key or its Chinese label (拟采用, proposed …)."""
    value = text.strip()
    for decision in CHOSEN if chosen else tuple(Decision):
        if value.lower() == decision.value or value == decision.label:
            return decision
    choices = "、".join(d.label for d in (CHOSEN if chosen else tuple(Decision)))
    raise InputError(f"未知的审核决定「{text}」；可选：{choices}")


def parse_flags(values: tuple[str, ...] | list[str]) -> list[str]:
    """Flag codes from codes or Chinese names; ``all`` (全部) for every one."""
    out: list[str] = []
    for value in values:
        key = value.strip()
        if key.lower() in ("all", "全部"):
            return list(FLAGS)
        code = next((c for c, name in FLAGS.items() if key.lower() == c or key == name), None)
        if code is None:
            names = "、".join(f"{c}（{n}）" for c, n in FLAGS.items())
            raise InputError(f"未知的提示类别「{value}」；可选：{names}，或 all")
        out.append(code)
    return list(dict.fromkeys(out))
