"""Recognising the title and the 反映人 of a submission from its body paragraphs.

Submissions follow a loose house form: a title such as 《关于……的建议》 or
“……问题亟待解决”, a 反映人 line under the title or bracketed at the end
(（反映人：张三，县政协委员、县人民医院副院长）), then 情况 → 原因 → 建议. The
recogniser reads what is there and leaves a field empty rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.record import Submitter

# Lines that are never the title: masthead, issue number, 密级 marks, dates, labels.
_NOT_TITLE = re.compile(
    r"^(?:社情民意(?:信息)?(?:专报|快报|参阅)?$|第\s*\S{1,6}\s*期|（?总第|[★☆]|(?:绝密|机密|秘密|内部资料|注意保密)"
    r"|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$|编者按|(?:反映人|报送人|提供人|信息员|联系人|联系电话|撰稿人|供稿人)[:：]"
    r"|政协.{0,20}(?:委员会|办公室)$|[（(]?[一二三四五六七八九十]+[、）)])"
)
_TITLE_SUFFIX = re.compile(
    r"(?:的?建议|的?意见|的?提案|的?思考|的?报告|调研报告|情况反映|的?对策|亟待解决|亟需解决|亟待破解|"
    r"亟需重视|应引起重视|值得关注|需引起重视|问题突出|的?问题|的?呼声|的?隐患|的?困境|的?难题)$"
)
_SENTENCE_END = re.compile(r"[。；，、！？!?;,：:]$")
_BOOK_TITLE = re.compile(r"^《([^《》]{4,80})》$")
_MAX_TITLE = 60
_LOOK_AT = 8  # a title sits within the first few paragraphs

_LABEL = re.compile(
    r"(?:反映人|信息提供人|提供人|报送人|撰稿人|供稿人|执笔人|信息员|报送单位|反映单位)\s*[:：]\s*"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d{9})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?\d{7,8})(?!\d)")
_PHONE_LABEL = re.compile(r"(?:联系)?(?:电话|手机|方式)\s*[:：]?\s*")
_SPLIT = re.compile(r"[，,、；;（）()\s/]+")
_IDENTITY = re.compile(
    r"委员|信息员|工商联|支部|总支|委员会|主委|民革|民盟|民建|民进|农工|致公|九三|台盟|无党派|党派|界别|联络站|专委会"
)
_ORG = re.compile(
    r"[局院校所站厅处科室部委办会社司厂行中心馆队团组]$|公司|医院|学校|政府|大学|中学|小学|协会"
)
_POST = re.compile(
    r"(?:副?(?:院长|局长|主任|校长|经理|总经理|董事长|书记|主席|科长|所长|站长|会长|秘书长|部长|社长|"
    r"理事长|厂长|行长|队长|馆长|处长|庭长|检察长|镇长|乡长|村长|组长|主编)|主任医师|副?教授|"
    r"教师|医生|律师|会计师|工程师|研究员|干部|职工|村医|农民|个体户|退休干部|退休教师)$"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{1,4}(?:·[\u4e00-\u9fff]{1,6})?$")


def find_title(body: tuple[str, ...] | list[str]) -> str | None:
    """The submission's title, without 《》 marks, or None when there is none."""
    head = list(body[:_LOOK_AT])
    for i, para in enumerate(head):
        if _NOT_TITLE.search(para) or _LABEL.match(para):
            continue
        match = _BOOK_TITLE.match(para)
        if match:
            return match.group(1).strip()
        candidate = _with_continuation(head, i)
        if (candidate and _TITLE_SUFFIX.search(candidate)) or (
            para.startswith("关于") and candidate
        ):
            return candidate
    for para in head:
        if _heading_like(para):
            return para
    return None


def _with_continuation(head: list[str], i: int) -> str | None:
    """The paragraph as a title, joined with the next when a long title was broken."""
    para = head[i]
    if len(para) > _MAX_TITLE or _SENTENCE_END.search(para):
        return None
    if _TITLE_SUFFIX.search(para):
        return para
    if i + 1 < len(head):
        joined = para + head[i + 1]
        if len(joined) <= _MAX_TITLE and _TITLE_SUFFIX.search(joined):
            return joined
    return para if para.startswith("关于") else None


def _heading_like(para: str) -> bool:
    return (
        2 <= len(para) <= 40
        and not _SENTENCE_END.search(para)
        and not _NOT_TITLE.search(para)
        and not _LABEL.search(para)
        and "\t" not in para
    )


def find_submitter(body: tuple[str, ...] | list[str]) -> Submitter | None:
    """The 反映人 from a labelled line (反映人：…), wherever it stands."""
    for para in body:
        match = _LABEL.search(para)
        if match:
            found = parse_submitter(_label_content(para, match.end()), raw=para)
            if found.identity is None and "信息员" in match.group(0):
                found = replace(found, identity="信息员")
            return found
    return None


def _label_content(para: str, start: int) -> str:
    """Text after the label, up to the bracket that encloses the label, if any."""
    rest = para[start:]
    opened = para[:start].count("（") + para[:start].count("(")
    if opened:
        depth = 0
        for pos, ch in enumerate(rest):
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                if depth == 0:
                    return rest[:pos]
                depth -= 1
    return rest


def parse_submitter(content: str, raw: str) -> Submitter:
    """Split a 反映人 statement into name, identity, unit, post, phone and co-signers."""
    phone = None
    mobile = _MOBILE.search(content) or _LANDLINE.search(content)
    if mobile:
        phone = mobile.group(1)
        content = content[: mobile.start()] + content[mobile.end() :]
    content = _PHONE_LABEL.sub(" ", content)
    tokens = [t for t in _SPLIT.split(content) if t]
    names: list[str] = []
    identities: list[str] = []
    others: list[str] = []
    for token in tokens:
        if _IDENTITY.search(token):
            identities.append(token)
        elif _NAME.match(token) and not _ORG.search(token) and not _POST.search(token):
            names.append(token)
        else:
            others.append(token)
    unit, post = _unit_and_post(others)
    return Submitter(
        raw=raw,
        name=names[0] if names else None,
        identity="、".join(identities) or None,
        unit=unit,
        post=post,
        phone=phone,
        cosigners=tuple(names[1:]),
    )


def _unit_and_post(tokens: list[str]) -> tuple[str | None, str | None]:
    if not tokens:
        return None, None
    joined = "".join(tokens)
    match = _POST.search(joined)
    if not match:
        return joined, None
    unit = joined[: match.start()] or None
    return unit, match.group(0)
