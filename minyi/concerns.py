"""What needs a look before an item is printed: one list of concerns, one policy.

Shown by ``issue new``, ``issue edit --add`` and ``issue show``, and checked
before ``render``. Each concern names the item, what is wrong and how to fix it.
How much a concern weighs is decided here and nowhere else (``POLICY``):

* ``refuse``: composing is refused unless the clerk says ``--force`` (an item
  already published in another issue: its 编发 points would count twice);
* ``block``: the issue cannot be rendered until it is fixed (an empty body, a
  body that is markup or code rather than prose);
* ``deny``: composing is refused, ``--force`` or not, and an issue holding the item
  cannot be rendered (an item the reviewer has not marked 拟采用, where the office
  requires review — ``review_required``; an item replaced by its 修改稿);
* ``warn``: shown, nothing stopped (no 反映人 recognised, a short body, a page
  read by OCR with low confidence, lexicon, personal-data or near-duplicate hits,
  text edited since it was composed). A flag the reviewer has acknowledged
  (``minyi review ID --ack``) is no longer shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from formatter.compose import item_from_record
from formatter.issue import Issue, Item
from ingest.record import Record, Status
from ingest.registry import Registry
from ingest.review import Decision
from minyi.settings import Settings


class Weight(StrEnum):
    REFUSE = "refuse"
    DENY = "deny"
    BLOCK = "block"
    WARN = "warn"


POLICY: dict[str, Weight] = {
    "published": Weight.REFUSE,
    "not_proposed": Weight.DENY,
    "superseded": Weight.DENY,
    "empty_body": Weight.BLOCK,
    "markup": Weight.BLOCK,
    "no_byline": Weight.WARN,
    "short_body": Weight.WARN,
    "low_ocr": Weight.WARN,
    "pii": Weight.WARN,
    "lexicon": Weight.WARN,
    "near_duplicate": Weight.WARN,
    "edited": Weight.WARN,
    "in_draft": Weight.WARN,
}

SHORT_BODY = 100  # characters: shorter than any real 社情民意信息
_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--|<!DOCTYPE|&(?:nbsp|lt|gt|amp|#\d+);"
)
_CODE = re.compile(r"[{};=<>\\$#@|`]")


@dataclass(frozen=True)
class Concern:
    """One thing about one item that the clerk should know before printing."""

    item: str  # the submission's id
    code: str
    message: str  # what is wrong and how to fix it, in Chinese

    @property
    def weight(self) -> Weight:
        return POLICY[self.code]

    def __str__(self) -> str:
        return f"{self.item}：{self.message}"


def concerns(registry: Registry, settings: Settings, issue: Issue) -> list[Concern]:
    """Every concern about the items of ``issue``, item by item."""
    found: list[Concern] = []
    for position, item in enumerate(issue.items, 1):
        record = registry.get(item.submission_id)
        found += item_concerns(registry, settings, issue, position, item, record)
    return found


def item_concerns(registry: Registry, settings: Settings, issue: Issue | None, position: int,
                  item: Item, record: Record | None) -> list[Concern]:  # fmt: skip
    """The concerns about one item (``issue`` None: not yet in one)."""
    sid = item.submission_id
    fix = f"minyi issue text {issue.number if issue else 'N'} {position} --export 稿.txt"
    out: list[Concern] = []

    def say(code: str, message: str) -> None:
        out.append(Concern(sid, code, message))

    body = "".join(item.body.split())
    if not body:
        say("empty_body", f"正文为空，不能印发；请核对原稿，或用 {fix} 导出后补写正文再导入")
    elif looks_like_markup(item.body):
        say("markup", f"正文像是网页标记或代码而不是文字（可能是网页另存的 .doc）；"
                      f"请用 {fix} 导出整理后再导入，或请报送人重新提交")  # fmt: skip
    elif len(body) < SHORT_BODY:
        say("short_body", f"正文只有 {len(body)} 字，请核对是否完整")
    if not item.submitter.strip():
        say("no_byline", f"未识别出反映人；请核对原稿，用 {fix} 导出后在“反映人：”一行填写再导入")
    for series, year, number, rendered in _other_issues(registry, issue, sid):
        label = f"{year}年{'增刊' if series == 'supplement' else ''}第{number}期"
        if rendered:
            say("published", f"已在{label}印发；同一篇不应重复编发（编发积分会重复计算），"
                             "确需重发请加 --force")  # fmt: skip
        else:
            say("in_draft", f"也编在尚未印发的{label}中；请只保留一处")
    if record is not None:
        state = registry.review_state(sid)
        if state.superseded_by:
            say("superseded", f"已由修改稿 {state.superseded_by} 替代；请编发修改稿")
        elif (
            settings.review_required
            and state.decision is not Decision.PROPOSED
            and record.status is not Status.QUARANTINED
        ):  # (refused as secret anyway)
            say("not_proposed", f"审核决定为“{state.decision.label}”，只有“拟采用”的稿件才能编发；"
                                f"请先 minyi review {sid} --decision 拟采用"
                                "（如本单位不需审核，可在 minyi.toml 中设 review_required = false）")  # fmt: skip
        acknowledged = registry.acknowledged(sid)
        out += [c for c in _record_concerns(sid, record) if c.code not in acknowledged]
        if item.body != item_from_record(record, mask=settings.issue_mask_pii).body:
            say("edited", "正文已在编辑中改动；可用 minyi issue diff 查看改动")
    return out


def looks_like_markup(text: str) -> bool:
    """Markup or code rather than prose: tags and entities, or code punctuation, in bulk."""
    compact = "".join(text.split())
    if not compact:
        return False
    tags = _TAG.findall(text)
    if len(tags) >= 3 and sum(len(t) for t in tags) > 0.2 * len(compact):
        return True
    return len(_CODE.findall(compact)) > 0.08 * len(compact)


def _record_concerns(sid: str, record: Record) -> list[Concern]:
    out = []
    low = [f for f in record.findings if f.category == "ocr.low_confidence"]
    if low:
        pages = "、".join(str(f.detail.get("page", "?")) for f in low)
        out.append(
            Concern(sid, "low_ocr", f"第 {pages} 页由 OCR 识别且置信度低；请对照原件核对文字")
        )
    printed = record.structure.body_text if record.structure else record.text
    pii = sorted({f.category for f in record.findings if f.category.startswith("pii.")
                  and f.start is not None and record.text[f.start : f.end] in printed})  # fmt: skip
    if pii:
        out.append(Concern(sid, "pii", f"含个人信息（{'、'.join(_PII_NAMES.get(c, c) for c in pii)}），"
                                       "印发稿中已打码；请确认是否需要保留"))  # fmt: skip
    words = sorted({f.text for f in record.findings
                    if f.kind == "sensitive" and not f.category.startswith(("pii.", "secret"))})  # fmt: skip
    if words:
        out.append(Concern(sid, "lexicon", f"含需留意的词语：{'、'.join(words[:8])}；请审核措辞"))
    for f in record.findings:
        if f.kind == "duplicate":
            other = f.detail.get("id", "?")
            share = float(f.detail.get("similarity", 0))
            out.append(Concern(sid, "near_duplicate", f"与 {other} 相似（{share:.0%}）；"
                                                      f"可用 minyi show {sid} 对比"))  # fmt: skip
    return out


_PII_NAMES = {
    "pii.id_card": "身份证号",
    "pii.mobile": "手机号",
    "pii.bank_card": "银行卡号",
    "pii.uscc": "统一社会信用代码",
}


def _other_issues(registry: Registry, issue: Issue | None,
                  sid: str) -> list[tuple[str, int, int, bool]]:  # fmt: skip
    """Other issues holding the submission, void ones aside: (series, year, number, issued)."""
    found = []
    for key in registry.issues_with(sid):
        if issue is not None and key == (issue.series.value, issue.year, issue.number):
            continue
        data = registry.issue(*key) or {}
        if data.get("state") == "void":
            continue  # a void issue published nothing
        found.append((*key, data.get("state") == "issued"))
    return found
