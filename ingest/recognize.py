"""Recognising a submission's structure: title, 反映人 (bylines), body and furniture.

Submissions follow a loose house form: a title such as 《关于……的建议》 or
“……问题亟待解决”, a byline under the title (反映人：张三 / 致公党××县支部 马振华 /
县政协委员、××镇农技站站长 孙丽) or bracketed at the end (（台盟××支部 邹小平）),
then 情况 → 原因 → 建议. Around it sits furniture that is not the text: the page
header and footer, page numbers, the bulletin's masthead and issue number, a
date or 编印 line, and in phone screenshots the status bar and chat header.

Recognition uses position (the first lines, the last lines), form (unit words:
party names, 总支/支部, 委员会, 政协委员, 信息员, 局/办/中心; a person's name of 2–4
characters led by a surname) and bounds (a byline is short and never a
sentence; it never takes a paragraph). It leaves a field empty rather than guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from common.headings import heading_level
from ingest.record import Part, Structure, Submitter

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


# Never a title: a template's placeholder, a table row, a form's signature line.
_NO_TITLE_HERE = re.compile(
    r"\{\{|\}\}|\$\{|\t|[（(]\s*(?:盖章|签字|签名|公章|印章|签章)\s*[）)]"
    r"|^(?:编号|甲方|乙方|日期|签名|附件|时间|地点|单位)\s*[:：]"
)


def find_title(body: tuple[str, ...] | list[str]) -> str | None:
    """The submission's title, without 《》 marks, or None when there is none."""
    head = [p for p in body[:_LOOK_AT] if not _NO_TITLE_HERE.search(p)]
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
    """The 反映人 of a submission's main-text paragraphs (see :func:`analyse`)."""
    return submitter_of(analyse(body))


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


# -- structure -------------------------------------------------------------------

# Labels count at the start of a line, or opening a bracket that closes the line:
# "据信息员：" inside a sentence is not a byline.
_LABEL_AT = re.compile(r"^[（(]?\s*" + _LABEL.pattern)
_LABEL_BRACKET = re.compile(r"[（(]\s*" + _LABEL.pattern + r"[^（）()]*[）)]\s*$")
_MAX_BYLINE = 48  # characters, contact details not counted
_SENTENCE = re.compile(r"[。！？!?；;]|[，,].*[，,].*[，,]")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、])"
)
_CONTACT = re.compile(
    r"[（(]\s*(?:联系)?(?:电话|手机|方式|tel|Tel|TEL)?\s*[:：]?\s*"
    r"(?:\+?86[-\s]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})\s*[）)]"
    r"|[，,；;\s]*(?:联系)?(?:电话|手机|联系方式)\s*[:：]?\s*(?:\+?86[-\s]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})"
    r"|(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)"
)
_PARTY = re.compile(r"民革|民盟|民建|民进|农工党?|致公党?|九三学社|台盟|工商联|无党派")
_UNIT_WORD = re.compile(
    r"委员|信息员|联络员|代表|党派|总支|支部|支社|基层委员会|委员会|界别|联络站|专委会|"
    r"[局办院校所站厅处科室部委会社司厂行馆队团组镇乡村]$|中心|公司|医院|学校|政府|大学|中学|小学|协会|"
    r"商会|街道|社区|合作社|村民|居民|农民|个体|退休|教师|医生|律师|老师|记者|通讯员|党员|志愿者|"
    r"社员|会员|人士"
)
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶"
    "解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬"
    "边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝钮洪郁竺"
)
_COMPOUND_SURNAMES = frozenset(
    ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
     "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "轩辕", "万俟", "闻人", "澹台",
     "公冶", "宗政", "濮阳", "太叔", "申屠", "钟离", "拓跋", "第五", "左丘", "东郭")
)  # fmt: skip
_NOT_NAME = re.compile(
    r"建议|意见|情况|问题|对策|措施|原因|分析|概述|背景|现状|结论|附件|说明|报告|反映|调研|"
    r"工作|管理|服务|发展|建设|部门|单位|群众|同志|领导|委员|主任|书记|县长|镇长|村民"
)
# A quantity's unit (万元, 万人次, 亿吨): 万 is a surname, so 万元 passes the name test alone.
_QUANTITY = re.compile(
    r"[十百千万亿]?(?:美?元|人次|人|户|吨|亩|米|公里|平方米|立方米|千瓦时|度|辆|台|座|家|所|条|"
    r"项|个|名|次|倍|公斤|斤)"
)
_FREQUENT_WORD = 1500  # jieba frequency above which a short "name" is an ordinary word

# Furniture: lines that are the page's or the bulletin's, not the author's.
_FURNITURE = (
    ("page_number", re.compile(
        r"^[-—–－·\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d+|\s*共\s*\d+\s*页)?[-—–－·\s]*$"
    )),
    ("mark", re.compile(r"^[★☆\s]*(?:绝密|机密|秘密|内部资料|内部|注意保存|注意保密|不得外传)"
                        r"[\s★☆★\d年个月长期内部资料注意保存密]*$")),
    ("masthead", re.compile(
        r"^(?:\S{0,20}?社情民意(?:信息)?(?:专报|快报|参阅|摘报)?|第\s*[\d一二三四五六七八九十〇]{1,6}\s*期"
        r"|[（(]?总第\s*\d+\s*期[）)]?|\S{0,16}政协\S{0,8}(?:信息|简报|专报))"
        r"(?:\s*[（(]?(?:第\s*[\d一二三四五六七八九十〇]{1,6}\s*期|总第\s*\d+\s*期)[）)]?)*$"
    )),
    ("date", re.compile(
        r"^[（(]?(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
        r"(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?[）)]?$"
    )),
    ("contact", re.compile(r"^[（(]?(?:联系人|联系电话|联系方式|电话|手机|邮箱|电子邮箱)\s*[:：]")),
    ("imprint", re.compile(
        r"^[^。，；！？,;!?]{0,24}(?:编印|印发|编辑部|主办|承办)$|^(?:签发|审核|审稿|责任编辑|编辑|校对|抄送|报送|分送|发送|主送)[:：]"
        r"|^[（(]?共印\s*\d+\s*份[）)]?$|^\S{0,20}政协\S{0,20}(?:委员会|办公室|信息科|研究室)"
        r"(?:\s*\S{0,6}(?:编印|印发|编))?(?:\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?$"
    )),
)  # fmt: skip
_CHROME = (
    re.compile(r"^(?:[<＜‹〈《]\s*)?\d{1,2}[:：]\d{2}(?:\s|$)"),  # status bar, a message's time
    re.compile(r"(?:\d\s*G|LTE|HD|VoLTE|Wi-?Fi|\d{1,3}\s*%)\s*$", re.IGNORECASE),
    re.compile(r"^[<＜‹〈]\s*\S{1,16}(?:\s*[(（]\d+[)）])?\s*(?:\.\.\.|…|⋯)?$"),  # chat header
    re.compile(r"^(?:(?:昨天|今天|前天|星期[一二三四五六日天]|周[一二三四五六日])\s*)?"
               r"(?:(?:上午|下午|晚上|凌晨|中午)\s*)?\d{1,2}[:：]\d{2}$"),
    re.compile(r"^(?:发送|按住\s*说话|输入|\+|…|⋯|\.\.\.|语音|表情|更多|微信|已读|未读|撤回)$"),
    # A scanning app's mark on every page.
    re.compile(r"^(?:由\s*)?(?:扫描全能王|全能扫描王|夸克扫描王|福昕扫描王|迅捷扫描王|CamScanner)"
               r"\s*(?:扫描)?\s*(?:创建|生成|制作)?$|^Scanned (?:with|by) CamScanner$", re.IGNORECASE),
)  # fmt: skip
_EDGE = 6  # furniture is looked for within so many lines of either end


def analyse(body: list[str] | tuple[str, ...], furniture: tuple[tuple[str, str], ...] = (),
            screen: bool = False) -> Structure:  # fmt: skip
    """The submission's structure from its main-text paragraphs.

    ``furniture``: (where, text) the extractor knows is not main text (a Word
    document's headers and footers). ``screen``: the text was read from a picture,
    which may be a phone screenshot with its chrome.
    """
    body = _parted_heads(body)
    paras = [(i, p.strip()) for i, p in enumerate(body) if p.strip()]
    parts: dict[int, Part] = {}
    kept = [Part(text, "header" if "页眉" in where else "footer", where)
            for where, text in furniture if text.strip()]  # fmt: skip
    # Furniture at the edges: the first and the last few lines, up to the first
    # line that is plainly the author's.
    for order in (paras[:_EDGE], list(reversed(paras))[:_EDGE]):
        for i, para in order:
            kind = _furniture_kind(para, screen)
            if kind is None:
                break
            parts[i] = Part(para, kind, _where(i, len(body)), 0.9)
    # Running lines (a page header repeated on every page of a PDF) wherever they
    # stand: the same text as furniture found at an edge, or a masthead line seen twice.
    edge = {part.text for part in parts.values()} | {part.text for part in kept}
    seen = Counter(p for _, p in paras)
    for i, para in paras:
        if i in parts:
            continue
        kind = _furniture_kind(para, screen)
        if para in edge or (kind in ("masthead", "imprint", "mark") and seen[para] > 1):
            parts[i] = Part(para, kind or "header", _where(i, len(body)), 0.8)
    rest = [(i, p) for i, p in paras if i not in parts]
    title = None
    last_title = -1  # the title's (last) paragraph
    title_at = _title_index([p for _, p in rest])
    if title_at is not None:
        found = find_title([p for _, p in rest]) or ""
        i, text = rest[title_at]
        parts[i] = Part(text, "title", _where(i, len(body)))
        last_title = i
        if text.strip("《》") != found and title_at + 1 < len(rest):
            i, text = rest[title_at + 1]  # a long title broken over two lines
            parts[i] = Part(text, "title", _where(i, len(body)))
            last_title = i
        title = Part(found, "title", parts[last_title].where)
    # Bylines: labelled anywhere; unlabelled right under the title or at the very end.
    spill: dict[int, str] = {}  # body text that ran on after a labelled byline
    for i, para in paras:
        if i not in parts and _labelled(para):
            line, ran_on = _bound_labelled(para)
            parts[i] = Part(line, "byline", _where(i, len(body)), 0.7 if ran_on else 1.0)
            if ran_on:
                spill[i] = ran_on
    if title is not None:
        taken = 0
        for i, para in paras:
            if i <= last_title or i in parts:  # labelled bylines and furniture: on
                continue
            confidence = _byline_confidence(para, under_title=True)
            if confidence < 0.5 and _units_only(para):  # 致公党××县支部 / 马振华
                after = _next_free(paras, i, parts)
                if after is not None and _byline_confidence(after[1], under_title=True) >= 0.5:
                    confidence = 0.9
            if confidence < 0.5 or taken == 3:
                break
            parts[i] = Part(para, "byline", _where(i, len(body)), confidence)
            taken += 1
    rest = [(i, p) for i, p in paras if i not in parts]
    for i, para in list(reversed(rest))[:2]:
        if i <= last_title:
            break
        confidence = _byline_confidence(para, under_title=False)
        if confidence < 0.5:
            break
        parts[i] = Part(para, "byline", _where(i, len(body)), confidence)
    bylines = tuple(parts[i] for i, _ in paras if i in parts and parts[i].kind == "byline")
    furn = tuple(kept) + tuple(parts[i] for i, _ in paras
                               if i in parts and parts[i].kind not in ("title", "byline"))  # fmt: skip
    body_parts = tuple(
        Part(spill.get(i, p), "body", _where(i, len(body)))
        for i, p in paras
        if i not in parts or i in spill
    )
    if screen:
        body_parts = _rejoin(body_parts)
    body_parts = tuple(_block(part) for part in body_parts)
    printed = " ".join(t for t in (byline_text(p.text) for p in bylines) if t)
    return Structure(title=title, bylines=bylines, body=body_parts, furniture=furn,
                     byline=printed)  # fmt: skip


def _block(part: Part) -> Part:
    """A body part as a block: ``heading1``–``heading4`` by its numbering, else ``body``."""
    level, _ = heading_level(part.text)
    return replace(part, kind=f"heading{level}") if level else part


_RUNS_ON = re.compile(r"[^。！？!?；;：:…”」』）)]$")


def _rejoin(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """A picture's lines joined into paragraphs where a line stops mid-sentence.

    In a phone screenshot every line is narrower than the screen (the status bar is
    the widest line), so the page layout cannot tell a wrapped line from a paragraph
    end; a line that does not end a sentence runs on into the next, unless either is
    a numbered heading."""
    out: list[Part] = []
    for part in parts:
        last = out[-1].text if out else ""
        heading = bool(_NUMBERED.match(last)) and len(last) <= 15  # 一、建议
        if last and _RUNS_ON.search(last) and not heading and not _NUMBERED.match(part.text):
            out[-1] = replace(out[-1], text=out[-1].text + part.text)
        else:
            out.append(part)
    return tuple(out)


def submitter_of(structure: Structure) -> Submitter | None:
    """The 反映人 from the structure's bylines; co-signers from further bylines."""
    found: list[Submitter] = []
    for part in structure.bylines:
        match = _labelled(part.text)
        if match:
            sub = parse_submitter(_label_content(part.text, match.end()), raw=part.text)
            if sub.identity is None and "信息员" in match.group(0):
                sub = replace(sub, identity="信息员")
        else:
            tokens = _byline_tokens(_CONTACT.sub(" ", _unbracket(part.text)))
            name, units = _split_name(tokens)
            names = [t for t in tokens[len(units) :] if _is_name(t)] or [name] if name else []
            sub = parse_submitter(" ".join([*units, *names]), raw=part.text)
            phone = _MOBILE.search(part.text) or _LANDLINE.search(part.text)
            sub = replace(sub, name=name or sub.name, phone=phone.group(1) if phone else None)
        found.append(sub)
    if not found:
        return None
    named = [s for s in found if s.name]
    if not named:
        return found[0]
    first = named[0]
    lead = found[: found.index(first)]  # a unit on its own line above the name
    if lead:
        unit = "".join(s.raw.strip() for s in lead)
        first = replace(first, raw="\n".join([*(s.raw for s in lead), first.raw]),
                        identity=first.identity or lead[0].identity,
                        unit=first.unit or lead[0].unit or (unit if not lead[0].identity else None))  # fmt: skip
    more = tuple(s.name for s in named[1:] if s.name)
    return replace(first, cosigners=first.cosigners + more) if more else first


def byline_text(raw: str) -> str:
    """A byline as printed: label, enclosing brackets and contact details removed."""
    text = _unbracket(raw.strip())
    text = re.sub(r"^" + _LABEL.pattern, "", text)
    text = _CONTACT.sub("", text)
    text = re.sub(r"[（(]\s*[）)]", "", text)
    return text.strip(" ，,；;、")


def _bound_labelled(para: str) -> tuple[str, str]:
    """A labelled byline and the body text that ran on after it on the same line.

    A byline never takes a paragraph: when the text after the label goes on past a
    name into sentences (OCR of a rotated photo joins lines), the byline ends with
    the name (or the unit words after it) and the rest is body text."""
    match = _labelled(para)
    assert match is not None
    if len(byline_text(para)) <= _MAX_BYLINE and not _SENTENCE.search(_CONTACT.sub("", para)):
        return para, ""
    end = match.end()
    named = False
    for word in re.finditer(r"[^\s，,、；;（）()]+", para[match.end() :]):
        token = word.group()
        if _CONTACT.fullmatch(token) or re.fullmatch(r"(?:联系)?(?:电话|手机)[:：]?\S*", token):
            end = match.end() + word.end()
            continue
        fits = _is_name(token) or ((_UNIT_WORD.search(token) or _PARTY.search(token)
                                    or _POST.search(token)) and len(token) <= 20)  # fmt: skip
        if not fits or _SENTENCE.search(token) or (named and not _is_name(token) and
                                                   match.end() + word.start() - end > 2):  # fmt: skip
            break
        named = named or _is_name(token)
        end = match.end() + word.end()
    if not named:
        return para, ""  # no name found: leave the line as it is
    closing = para[end:].lstrip()[:1]
    if closing in "）)":
        end = para.index(closing, end) + 1
    return para[:end].strip(), para[end:].strip(" ，,；;")


def _labelled(para: str) -> re.Match[str] | None:
    """The label of a labelled byline (反映人：…), at the line's start or in its end bracket."""
    head = _LABEL_AT.match(para)
    if head:
        return _LABEL.search(para, 0, head.end())
    tail = _LABEL_BRACKET.search(para)
    if tail:
        return _LABEL.search(para, tail.start())
    return None


def _unbracket(text: str) -> str:
    text = text.strip()
    if text[:1] in "（(" and text[-1:] in "）)":
        return text[1:-1].strip()
    return text


# A running header (the bulletin's name) that a text layer or OCR ran into the title's line.
_GLUED_HEAD = re.compile(
    r"^(\S{0,20}?社情民意(?:信息)?(?:专报|快报|参阅|摘报)?|\S{0,16}政协\S{0,8}?(?:信息|简报|专报))"
    r"\s*(关于\S.{4,})$"
)


def _parted_heads(body: list[str] | tuple[str, ...]) -> list[str]:
    """The first lines with a running header glued to the title parted into two lines."""
    out = list(body)
    for n, para in enumerate(out[:_EDGE]):
        glued = _GLUED_HEAD.match(para.strip())
        if glued:
            out[n : n + 1] = [glued.group(1), glued.group(2)]
            break
    return out


def _furniture_kind(para: str, screen: bool) -> str | None:
    compact = para.strip()
    if len(compact) > 40:
        return None
    for kind, pattern in _FURNITURE:
        if pattern.search(compact):
            return kind
    if screen and any(p.search(compact) for p in _CHROME):
        return "chrome"
    return None


def _title_index(paras: list[str]) -> int | None:
    found = find_title(paras)
    if found is None:
        return None
    for i, para in enumerate(paras[:_LOOK_AT]):
        if _NO_TITLE_HERE.search(para):
            continue
        if para.strip("《》") == found or (para and found.startswith(para)):
            return i
    return None


def _next_free(paras: list[tuple[int, str]], after: int,
               parts: dict[int, Part]) -> tuple[int, str] | None:  # fmt: skip
    return next(((i, p) for i, p in paras if i > after and i not in parts), None)


def _byline_confidence(para: str, under_title: bool) -> float:
    """How much a line looks like a byline: units and a name, short, not a sentence."""
    text = _unbracket(para)
    bracketed = text != para.strip()
    text = _CONTACT.sub(" ", text)
    text = re.sub(r"[（(]\s*[）)]", "", text).strip(" ，,；;、")
    if not text or len(text) > _MAX_BYLINE or _NUMBERED.match(text) or _SENTENCE.search(text):
        return 0.0
    if re.search(r"[:：“”\"《》]", text):
        return 0.0
    tokens = _byline_tokens(text)
    name, units = _split_name(tokens)
    if name is None:
        return 0.0
    if units:
        if all(_UNIT_WORD.search(u) or _PARTY.search(u) or _POST.search(u) for u in units):
            return 0.95
        return 0.0
    # A name alone: only right under the title (or bracketed at the end), and only a
    # name that is no ordinary word.
    if not (under_title or bracketed) or _ordinary_word(name):
        return 0.0
    return 0.8


_CREDIT = re.compile(r"(?:供稿|提供|整理|执笔|撰稿|报送|反映)$")


def _byline_tokens(text: str) -> list[str]:
    """A byline's words, without a closing credit word (马振华 供稿)."""
    tokens = [t for t in re.split(r"[\s，,、/；;]+", text) if t]
    if len(tokens) > 1 and _CREDIT.fullmatch(tokens[-1]):
        tokens.pop()
    return tokens


def _units_only(para: str) -> bool:
    """A short line of unit words alone (致公党××县支部), a name on the next line."""
    text = _unbracket(para)
    tokens = _byline_tokens(text)
    return (
        0 < len(text) <= _MAX_BYLINE
        and not _SENTENCE.search(text)
        and not re.search(r"[:：“”\"《》]", text)
        and all((_UNIT_WORD.search(t) or _PARTY.search(t)) and not _is_name(t) for t in tokens)
    )


def _split_name(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The person's name at the end of a byline, and the unit tokens before it.

    Names may follow their unit with a space (民建××县总支 郭海) or without one
    (县政协委员钱立新); several names (张三 李四) are co-signers: the first is taken.
    """
    if not tokens:
        return None, []
    names = [t for t in tokens if _is_name(t)]
    if names and all(_is_name(t) for t in tokens[tokens.index(names[0]) :]):
        first = tokens.index(names[0])
        return names[0], tokens[:first]
    last = tokens[-1]
    for size in (3, 2, 4):  # a unit glued to the name: the name is its last characters
        name, unit = last[-size:], last[:-size]
        if len(unit) >= 2 and _is_name(name) and (_UNIT_WORD.search(unit) or _POST.search(unit)
                                                   or _PARTY.search(unit)):  # fmt: skip
            return name, [*tokens[:-1], unit]
    return None, tokens


def _is_name(token: str) -> bool:
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})?", token):
        return False
    if _NOT_NAME.search(token) or _UNIT_WORD.search(token) or _POST.search(token):
        return False
    if _QUANTITY.fullmatch(token):
        return False
    if _PARTY.search(token) or _ORG.search(token):
        return False
    if token[:2] in _COMPOUND_SURNAMES:
        return len(token) in (3, 4)
    return token[0] in _SURNAMES and len(token) in (2, 3)


def _ordinary_word(token: str) -> bool:
    """A dictionary word frequent enough that a line of it alone is not a name."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    jieba.setLogLevel(60)
    jieba.initialize()  # once a process (about half a second): bare names are rare
    return int(jieba.get_FREQ(token) or 0) >= _FREQUENT_WORD


def _where(i: int, count: int) -> str:
    return f"正文第 {i + 1} 段（共 {count} 段）"
