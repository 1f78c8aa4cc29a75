"""``minyi member …``: the register of members and units (委员库), and linking submissions to it.

The register (imported from .xlsx or .csv: 姓名/名称, 单位, 界别, 党派, 角色) says who may
be credited. A submission is linked to a member by its recognised 反映人: the same name
after folding (traditional → simplified, spaces and the middle dot dropped, a title such
as 委员 or 同志 taken off) is linked at once; a name that is only close (one character
off) is asked about, never guessed; a name the register does not hold is listed. A link
is the submission's credit, so points follow it and relinking moves them. Once the
office keeps a register, the rankings count only linked people and units.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from common.errors import InputError
from ingest.registry import Registry
from ingest.screening.fold import fold_term, visible
from minyi.cli import _data_option, _Group, _registry, _settings, cli, err, out, shown
from minyi.tracking import clerk, now

ROLES = {"委员": "first", "信息员": "informant", "单位": "unit"}
_TITLE_WORDS = ("委员|同志|主任|副主任|主席|副主席|秘书长|先生|女士|老师|教授|医生|院长|校长|局长|"
                "书记|镇长|县长|会长|理事长")  # fmt: skip
_TITLES = re.compile(f"(?:{_TITLE_WORDS})$")  # a title at a name's end
_TITLE_AHEAD = re.compile(f"(?:{_TITLE_WORDS})")  # a title right after a name
_COLUMNS = {"姓名": "name", "名称": "name", "单位": "unit", "工作单位": "unit", "界别": "sector",
            "党派": "party", "角色": "role", "类别": "role"}  # fmt: skip
MAX_FIELD = 60


def folded_name(name: str) -> str:
    """A name as matching compares it (see the module docstring)."""
    key = fold_term(name)
    while len(key) > 2 and (title := _TITLES.search(key)):
        key = key[: title.start()]
    return key


def read_register(path: Path) -> list[dict[str, str]]:
    """The members in a register file; InputError in Chinese for what cannot be read."""
    if path.suffix.lower() == ".xlsx":
        rows = _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        data = path.read_bytes()
        for codec in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(codec)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"无法读取「{path.name}」：不是 UTF-8 或 GB18030 编码的 CSV")
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise InputError(f"委员库文件应为 .xlsx 或 .csv：「{path.name}」")
    if not rows:
        raise InputError(f"「{path.name}」是空的")
    header = [_COLUMNS.get(str(h or "").strip()) for h in rows[0]]
    if "name" not in header:
        raise InputError(f"「{path.name}」第一行应为表头，且含“姓名”（单位为“名称”）一列")
    members = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: visible(str(v or "")).strip()
                  for key, v in zip(header, row, strict=False) if key}  # fmt: skip
        if not values.get("name"):
            continue
        role = values.get("role") or "委员"
        if role not in ROLES:
            raise InputError(
                f"「{path.name}」第 {number} 行：角色「{role}」应为 委员、信息员 或 单位"
            )
        if any(len(v) > MAX_FIELD for v in values.values()):
            raise InputError(
                f"「{path.name}」第 {number} 行：内容过长（每格不超过 {MAX_FIELD} 字）"
            )
        members.append({"name": values["name"], "unit": values.get("unit", ""),
                        "sector": values.get("sector", ""), "party": values.get("party", ""),
                        "role": role, "folded": folded_name(values["name"])})  # fmt: skip
    return members


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise InputError(
            f"无法读取「{path.name}」：不是有效的 Excel 工作簿（{type(exc).__name__}）"
        ) from None
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass(frozen=True)
class Ask:
    submission_id: str
    name: str  # the 反映人 as recognised
    candidates: list[dict[str, Any]]


def match(registry: Registry) -> tuple[list[tuple[str, dict[str, Any]]], list[Ask],
                                       list[tuple[str, str]]]:  # fmt: skip
    """(links made at once, questions, names the register does not hold) for every
    submission not yet credited (a revision's original and a voided one aside)."""
    members = registry.members()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for member in members:
        by_name.setdefault(member["folded"], []).append(member)
    credited = registry.credits()
    links, asks, unknown = [], [], []
    for brief in registry.submissions_brief():
        sid = str(brief["id"])
        if sid in credited or brief["superseded_by"] or brief["decision"] == "void":
            continue
        submitter = brief["submitter"] or {}
        raw = str(submitter.get("raw") or "")
        name = str(submitter.get("name") or "")
        key = folded_name(name) if name else ""
        same = by_name.get(key, []) if key else []
        if not same:
            # The recogniser may not have parted the name from a title or a unit (张建华委员,
            # a long name): the register's own names, found whole in the byline.
            same = named_in(raw.split("：", 1)[-1].split(":", 1)[-1], members)
            if same and not name:
                name = same[0]["name"]
                key = same[0]["folded"]
        if not name:
            unknown.append((sid, raw or "（未识别出反映人）"))
            continue
        if len(same) > 1:  # the same name twice in the register: the unit decides
            where = fold_term(f"{submitter.get('unit') or ''}{submitter.get('identity') or ''}"
                              f"{submitter.get('raw') or ''}")  # fmt: skip
            same = [m for m in same if m["unit"] and fold_term(m["unit"]) in where] or same
        if len(same) == 1:
            links.append((sid, same[0]))
        elif same:
            asks.append(Ask(sid, name, same))
        else:
            near = [m for m in members if _one_off(key, m["folded"])]
            if near:
                asks.append(Ask(sid, name, near))
            else:
                unknown.append((sid, name))
    return links, asks, unknown


def named_in(text: str, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The register's people whose names stand whole in ``text`` (a byline), the longest
    such names only: 张建华委员（县人民医院） names 张建华, 王五村村民 names nobody."""
    line = fold_term(text)
    inside = [m for m in members if len(m["folded"]) >= 2 and m["role"] != "单位"
              and _stands_alone(m["folded"], line)]  # fmt: skip
    longest = max((len(m["folded"]) for m in inside), default=0)
    return [m for m in inside if len(m["folded"]) == longest]


def _stands_alone(name: str, line: str) -> bool:
    """``name`` in the byline as a name of its own: nothing but a border or a title
    before and after it (not 王五 inside 王五村)."""
    for found in re.finditer(re.escape(name), line):
        before, after = line[: found.start()], line[found.end() :]
        if (not before or before[-1] in "，、,;；:：（(") and (
            not after or after[0] in "，、,;；（(" or _TITLE_AHEAD.match(after)
        ):
            return True
    return False


def _one_off(a: str, b: str) -> bool:
    """One character replaced, added or dropped (a typo, a character read wrong)."""
    if min(len(a), len(b)) < 2 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def link(registry: Registry, submission_id: str, member: dict[str, Any], actor: str) -> None:
    """Credit the submission to ``member`` (replacing any credit it had: points move)."""
    if member["role"] == "单位":
        credit = {"person": "", "role": "first", "unit": member["name"],
                  "sector": member["sector"], "party": member["party"]}  # fmt: skip
    else:
        credit = {"person": member["name"], "role": ROLES[member["role"]], "unit": member["unit"],
                  "sector": member["sector"], "party": member["party"]}  # fmt: skip
    registry.set_credits(submission_id, [credit])
    registry.audit("member.link", actor, now(), submission_id,
                   detail={"what": f"{member['name']}（{member['unit'] or member['role']}）"})  # fmt: skip


def _described(member: dict[str, Any]) -> str:
    extra = "，".join(x for x in (member["unit"], member["sector"], member["party"]) if x)
    return f"{member['name']}（{member['role']}{'，' + extra if extra else ''}）"


@cli.group(cls=_Group)
def member() -> None:
    """委员库：导入委员、信息员和单位名单，把稿件的反映人对应到名单中的人，统计按名单计分。

    \b
    示例：
      minyi member import 委员名单.xlsx        表头：姓名、单位、界别、党派、角色（委员/信息员/单位）
      minyi member match                       按反映人对应；完全一致的直接对应，近似的逐条询问
      minyi member match --yes                 只对应完全一致的
      minyi member unknown                     名单中没有的反映人
      minyi member link 2026-0007 12           手工对应（改对应，积分随之转移）
      minyi member add 张三 --unit 县人民医院 --sector 医药卫生界 --party 九三学社
      minyi member list
    """


@member.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                metavar="名单文件")  # fmt: skip
@_data_option
@click.pass_context
def import_(ctx: click.Context, path: Path, data_dir: Path | None) -> None:
    """从 .xlsx 或 .csv 导入委员库（同名同单位的更新，其余新增）。"""
    settings = _settings(ctx, data_dir=data_dir)
    members = read_register(path)
    with _registry(settings) as registry, registry.batch():
        added = sum(registry.put_member(m) for m in members)
        registry.audit("member.import", clerk(settings, None), now(),
                       detail={"what": f"{path.name}：新增 {added}，更新 {len(members) - added}"})  # fmt: skip
    err.print(f"已导入 {len(members)} 人（新增 {added}，更新 {len(members) - added}）。")


@member.command("add")
@click.argument("name", metavar="姓名或单位名称")
@click.option("--unit", default="", help="工作单位")
@click.option("--sector", default="", help="界别")
@click.option("--party", default="", help="党派（或工商联等）")
@click.option("--role", type=click.Choice(list(ROLES)), default="委员", show_default=True,
              help="角色")  # fmt: skip
@_data_option
@click.pass_context
def add(ctx: click.Context, name: str, unit: str, sector: str, party: str, role: str,
        data_dir: Path | None) -> None:  # fmt: skip
    """在委员库中添加一人（或一个单位）；同名同单位的改为这里写的界别、党派和角色。"""
    settings = _settings(ctx, data_dir=data_dir)
    values = {"name": visible(name).strip(), "unit": visible(unit).strip(),
              "sector": visible(sector).strip(), "party": visible(party).strip(), "role": role}  # fmt: skip
    if not values["name"]:
        raise InputError("请写出姓名或单位名称")
    if any(len(v) > MAX_FIELD for v in values.values()):
        raise InputError(f"内容过长（每项不超过 {MAX_FIELD} 字）")
    values["folded"] = folded_name(values["name"])
    with _registry(settings) as registry, registry.batch():
        new = registry.put_member(values)
        registry.audit("member.add" if new else "member.edit", clerk(settings, None), now(),
                       detail={"what": _described(values)})  # fmt: skip
    err.print(("已添加" if new else "已更新") + f"：{escape(_described(values))}")


@member.command("list")
@_data_option
@click.pass_context
def list_(ctx: click.Context, data_dir: Path | None) -> None:
    """列出委员库。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        members = registry.members()
    table = Table("编号", "姓名/名称", "单位", "界别", "党派", "角色")
    for m in members:
        table.add_row(str(m["id"]), shown(m["name"]), shown(m["unit"]), shown(m["sector"]),
                      shown(m["party"]), m["role"])  # fmt: skip
    out.print(table if members else "委员库是空的；用 minyi member import 名单.xlsx 导入。")


@member.command("match")
@click.option("--yes", is_flag=True, help="不逐条询问，只对应完全一致的（近似的一律跳过）")
@_data_option
@click.pass_context
def match_command(ctx: click.Context, yes: bool, data_dir: Path | None) -> None:
    """把尚未对应的稿件按反映人对应到委员库：完全一致的直接对应，近似的逐条询问，绝不猜测。"""
    settings = _settings(ctx, data_dir=data_dir)
    actor = clerk(settings, None)
    with _registry(settings) as registry:
        links, asks, unknown = match(registry)
        with registry.batch():
            for sid, found in links:
                link(registry, sid, found, actor)
        answered = 0
        for ask in asks if not yes else []:
            out.print(f"{ask.submission_id} 的反映人「{escape(ask.name)}」可能是：")
            for n, candidate in enumerate(ask.candidates, start=1):
                out.print(f"  {n}. {escape(_described(candidate))}")
            choices = [str(n) for n in range(len(ask.candidates) + 1)]
            picked = int(click.prompt("选择编号（0 表示都不是）", type=click.Choice(choices),
                                      show_choices=False))  # fmt: skip
            if picked:
                with registry.batch():
                    link(registry, ask.submission_id, ask.candidates[picked - 1], actor)
                answered += 1
    out.print(f"已对应 {len(links) + answered} 篇；"
              f"{len(asks) - answered} 篇近似未对应，{len(unknown)} 篇的反映人不在委员库中"
              "（minyi member unknown 查看）。")  # fmt: skip


@member.command("unknown")
@_data_option
@click.pass_context
def unknown_command(ctx: click.Context, data_dir: Path | None) -> None:
    """列出反映人不在委员库中的稿件（可补充名单后再 match，或手工 link）。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        _, asks, unknown = match(registry)
    rows = [(s, n) for s, n in unknown] + [(a.submission_id, a.name + "（有近似）") for a in asks]
    if not rows:
        out.print("所有稿件的反映人都已对应到委员库。")
        return
    table = Table("稿件", "反映人")
    for sid, name in rows:
        table.add_row(sid, shown(name))
    out.print(table)


@member.command("link")
@click.argument("submission_id", metavar="稿件编号")
@click.argument("member_id", type=int, metavar="委员编号")
@_data_option
@click.pass_context
def link_command(ctx: click.Context, submission_id: str, member_id: int,
                 data_dir: Path | None) -> None:  # fmt: skip
    """手工把一篇稿件对应到委员库中的一人（编号见 minyi member list）；已有对应的改为此人。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        if registry.get(submission_id) is None:
            raise InputError(f"登记库中没有编号为 {submission_id} 的稿件")
        found = next((m for m in registry.members() if m["id"] == member_id), None)
        if found is None:
            raise InputError(f"委员库中没有编号为 {member_id} 的人；编号见 minyi member list")
        with registry.batch():
            link(registry, submission_id, found, clerk(settings, None))
    err.print(f"已把 {submission_id} 对应到 {escape(_described(found))}。")
