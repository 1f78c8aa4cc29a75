"""The issue workflow, wiring the registry (ingest) to the renderer (formatter).

Create an issue from registered submissions, edit its fields and item texts,
show what was edited, check it for anything that blocks publication, and
render it into outbox/. The registry keeps the issue as the formatter's dict;
the submissions' own texts are never changed.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from common.errors import InputError, RenderError, describe_os_error
from formatter.compose import item_from_record
from formatter.context import Copy
from formatter.issue import CLASSIFIED_MARKS, Issue, IssueDefaults, Item, Series, SubmitterPlace
from formatter.render import Converter, Rendered, Renderer, RenderPlan
from formatter.template import Template
from ingest.record import Record, Status
from ingest.registry import Registry
from ingest.screening.fold import fold_term, visible
from ingest.screening.gate import Allowance, Checkpoint, Gate
from ingest.screening.policy import SECRET
from minyi.concerns import Concern, Weight, concerns, item_concerns
from minyi.settings import Settings
from minyi.tracking import clerk


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class IssueState(StrEnum):
    """An issue's life: 草稿 → 已签发 → 已印发; 已作废 at any point (its number stays used)."""

    DRAFT = "draft"
    SIGNED = "signed"
    ISSUED = "issued"
    VOID = "void"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "signed": "已签发", "issued": "已印发", "void": "已作废"}[
            self.value
        ]


def life(registry: Registry, issue: Issue) -> dict[str, Any]:
    """The registry's columns about an issue's life: state, signed_by, signed_at, version…"""
    data = registry.issue(issue.series.value, issue.year, issue.number) or {}
    return {"state": IssueState(data.get("state") or "draft"), "signed_by": data.get("signed_by"),
            "signed_at": data.get("signed_at"), "version": int(data.get("version") or 0),
            "void_reason": data.get("void_reason"), "rendered_to": data.get("rendered_to")}  # fmt: skip


def require_draft(registry: Registry, issue: Issue) -> None:
    """Only a draft may change: a signed or issued issue is locked, a void one is over."""
    state = life(registry, issue)["state"]
    name = f"{issue.year}年{issue.label}"
    if state is IssueState.VOID:
        raise InputError(f"{name}已作废，不能再修改；请新建一期")
    if state is not IssueState.DRAFT:
        raise InputError(
            f"{name}{state.label}，内容已锁定（与已签发或已印发的文件一致）；"
            f"确需修改，请先 minyi issue reopen {issue.number} --reason 理由"
        )


def defaults(settings: Settings) -> IssueDefaults:
    return IssueDefaults(
        journal=settings.issue_journal, unit=settings.issue_unit, mark=settings.issue_mark,
        report_to=settings.issue_report_to, send_to=settings.issue_send_to,
        distribute_to=settings.issue_distribute_to, copies=settings.issue_copies,
        editor=settings.issue_editor, reviewer=settings.issue_reviewer,
        signer=settings.issue_signer, print_names=settings.issue_print_names,
    )  # fmt: skip


def render_plan(settings: Settings, pdf: bool = True) -> RenderPlan:
    return RenderPlan(
        local=Copy(SubmitterPlace(settings.issue_submitter), settings.issue_contacts, "local"),
        upward=Copy(
            SubmitterPlace(settings.issue_upward_submitter),
            settings.issue_upward_contacts,
            "upward",
        ),
        pdf=pdf,
    )


def template(settings: Settings) -> Template:
    return Template(settings.templates)


def _records(registry: Registry, ids: list[str]) -> list[Record]:
    if not ids:
        raise InputError("请至少指定一篇稿件的编号（如 2026-0001）")
    if len(set(ids)) != len(ids):
        raise InputError("同一篇稿件在一期中只能出现一次")
    records = []
    for submission_id in ids:
        record = registry.get(submission_id)
        if record is None:
            raise InputError(
                f"登记库中没有编号为 {submission_id} 的稿件；可用 minyi report 查看编号"
            )
        records.append(record)
    return records


def create(registry: Registry, settings: Settings, ids: list[str], year: int | None = None,
           series: Series = Series.REGULAR, issued: dt.date | None = None,
           force: bool = False) -> Issue:  # fmt: skip
    """A new issue holding these submissions, numbered next in its series and year."""
    records = _records(registry, ids)
    items = tuple(item_from_record(r, mask=settings.issue_mask_pii) for r in records)
    refuse_repeats(registry, settings, list(zip(items, records, strict=True)), force)
    day = issued or dt.date.today()
    base = defaults(settings)
    stamp = now()

    def make(number: int, total: int | None) -> dict[str, Any]:
        issue = base.issue(year or day.year, number, series, items, total)
        return replace(issue, issued=day, created_at=stamp, updated_at=stamp).as_dict()

    with registry.batch():
        data = registry.add_issue(series.value, year or day.year, settings.issue_total_from,
                                  stamp, make, settings.issue_first_number)  # fmt: skip
        created = Issue.from_dict(data)
        audit(registry, settings, "issue.new", created, items=ids)
    return created


def audit(registry: Registry, settings: Settings, action: str, issue: Issue,
          items: list[str] | None = None, what: str = "", reason: str = "") -> None:  # fmt: skip
    """One entry in the audit log about an issue (inside the change's transaction)."""
    key = f"{issue.year}年{issue.label}"
    detail: dict[str, Any] = {"series": issue.series.value, "year": issue.year,
                              "number": issue.number}  # fmt: skip
    if items:
        detail["items"] = list(items)
    if what:
        detail["what"] = what
    registry.audit(action, clerk(settings, None), now(), issue=key, detail=detail,
                   reason=reason or None)  # fmt: skip


def load(registry: Registry, number: int, year: int | None = None,
         series: Series = Series.REGULAR) -> Issue:  # fmt: skip
    year = year or dt.date.today().year
    data = registry.issue(series.value, year, number)
    if data is None:
        label = f"{year}年{series.label}第{number}期"
        raise InputError(f"没有{label}；可用 minyi issue list 查看已建的刊期")
    return Issue.from_dict(data)


def save(registry: Registry, settings: Settings, issue: Issue, action: str = "issue.edit",
         items: list[str] | None = None, what: str = "") -> Issue:  # fmt: skip
    """Store the issue (a draft only); the change is written to the audit log with it."""
    stamp = now()
    issue = replace(issue, updated_at=stamp)
    with registry.batch():
        require_draft(registry, issue)
        registry.save_issue(issue.series.value, issue.year, issue.number, issue.as_dict(), stamp)
        audit(registry, settings, action, issue, items, what)
    return issue


def item_position(issue: Issue, which: str) -> int:
    """An item by its 1-based position or its submission id."""
    for i, item in enumerate(issue.items):
        if item.submission_id == which:
            return i
    if which.isdigit() and 1 <= int(which) <= len(issue.items):
        return int(which) - 1
    raise InputError(
        f"{issue.label}中没有第「{which}」篇稿件（可用序号 1–{len(issue.items)} 或稿件编号）"
    )


def set_item(issue: Issue, position: int, **changes: str) -> Issue:
    items = list(issue.items)
    items[position] = replace(items[position], **changes)
    return replace(issue, items=tuple(items))


def original_item(registry: Registry, settings: Settings, item: Item) -> Item:
    record = registry.get(item.submission_id)
    if record is None:
        raise InputError(f"登记库中没有编号为 {item.submission_id} 的稿件")
    return item_from_record(replace(record, status=Status.ACCEPTED), settings.issue_mask_pii)


def diff(registry: Registry, settings: Settings, issue: Issue, position: int) -> str:
    """The edits to one item against the text composed from its submission."""
    item = issue.items[position]
    before = original_item(registry, settings, item)
    lines = difflib.unified_diff(
        _lines(before), _lines(item), fromfile=f"{item.submission_id}（原稿）",
        tofile=f"{item.submission_id}（编辑后）", lineterm="",
    )  # fmt: skip
    return "\n".join(lines)


def _lines(item: Item) -> list[str]:
    return [f"标题：{item.title}", f"反映人：{item.submitter}", *item.body.splitlines()]


def gate(settings: Settings) -> Gate:
    return Gate.for_options(settings.ingest_options())


def allowance(registry: Registry, settings: Settings, issue: Issue) -> Allowance:
    """What this issue's artefacts may carry: marks a clerk released, the issue's own
    header mark, everything when the issue is declared classified."""
    released = []
    for item in issue.items:
        record = registry.get(item.submission_id)
        if record is not None and record.status is not Status.QUARANTINED:
            released += [f.text for f in record.findings if f.category == SECRET]
    return Allowance.of(
        [*released, issue.mark], classified=issue.classified, pii=not settings.issue_mask_pii
    )


def issue_texts(issue: Issue) -> list[tuple[str, str]]:
    """Every text an issue prints, named as the clerk knows it (the header mark aside)."""
    texts = [
        ("刊名", issue.journal),
        ("编发单位", issue.unit),
        ("编者按", issue.foreword),
        ("份号", issue.copy_number),
        ("报", "、".join(issue.report_to)),
        ("送", "、".join(issue.send_to)),
        ("发", "、".join(issue.distribute_to)),
        ("编辑", issue.editor),
        ("审核", issue.reviewer),
        ("签发", issue.signer),
    ]
    for item in issue.items:
        texts += [
            (f"{item.submission_id} 标题", item.title),
            (f"{item.submission_id} 反映人", item.submitter),
            (f"{item.submission_id} 联系方式", item.contact),
            (f"{item.submission_id} 正文", item.body),
        ]
    return texts


def blocking(registry: Registry, settings: Settings, issue: Issue) -> list[str]:
    """Everything that forbids rendering this issue, as sentences for the clerk."""
    problems = []
    if not issue.unit.strip():
        problems.append(
            f"未设置编发单位：用 minyi issue edit {issue.number} --unit 单位名称 设置本期；"
            f"或在 minyi.toml 中设置 issue_unit 后，用 minyi issue edit {issue.number} "
            "--from-settings 应用到本期（新建的期次自动使用）"
        )
    if not issue.items:
        problems.append("本期没有稿件")
    for item in issue.items:
        record = registry.get(item.submission_id)
        if record is None:
            problems.append(f"{item.submission_id}：登记库中已没有这篇稿件")
        elif record.status is Status.QUARANTINED:
            problems.append(
                f"{item.submission_id}「{record.original_name}」处于隔离状态"
                f"（涉密或待审）；审核后用 minyi release {record.id} 解除"
            )
    blocked = [str(c) for c in concerns(registry, settings, issue)
               if c.weight in (Weight.BLOCK, Weight.DENY)]  # fmt: skip
    return problems + blocked + mark_problems(issue) + secret_problems(registry, settings, issue)


def mark_problems(issue: Issue) -> list[str]:
    """A header mark must say plainly what it is: nothing hidden, a 密级 recognisable."""
    problems = []
    if visible(issue.mark) != issue.mark:
        problems.append("版头标识中有不可见字符；请用 minyi issue edit --mark 重新输入")
    if not issue.classified and any(w in fold_term(issue.mark) for w in CLASSIFIED_MARKS):
        problems.append(f"版头标识「{issue.mark}」含变形的密级字样；请写成标准形式（如 秘密★1年）")
    return problems


def secret_problems(registry: Registry, settings: Settings, issue: Issue) -> list[str]:
    allow = allowance(registry, settings, issue)
    checker = gate(settings)
    problems = []
    for where, text in issue_texts(issue):
        for leak in checker.inspect_text(text, where, replace(allow, pii=True)):
            problems.append(f"{where}含密级标志「{leak.text}」")
    return problems


def masked(issue: Issue, checkpoint: Checkpoint) -> Issue:
    """The issue with any personal data in any of its texts masked (unless the office
    prints it: ``issue_mask_pii`` off, which the checkpoint's allowance carries)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return checkpoint.mask(value)
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        return value

    items = tuple(
        replace(
            item,
            **{
                f.name: clean(getattr(item, f.name))
                for f in fields(item)
                if f.name not in ("submission_id", "source_sha256")
            },
        )
        for item in issue.items
    )
    texts = {
        f.name: clean(getattr(issue, f.name))
        for f in fields(issue)
        if f.name not in ("items", "series", "issued", "created_at", "updated_at")
    }
    return replace(issue, **texts, items=items)


def render(
    registry: Registry,
    settings: Settings,
    issue: Issue,
    outbox: Path,
    converter: Converter | None,
    pdf: bool = True,
) -> Rendered:
    """Check the issue, then render it; refuses with every blocking problem named.

    A draft is rendered as a proof (校样) and stays a draft; a signed issue is rendered
    for issue (印发): it becomes issued, a new version, and its files are the record (a
    reopen moves them aside, numbered: 第3期（第1版）). An issued issue is not rendered
    again unless reopened; a void one never."""
    state = life(registry, issue)
    name = f"{issue.year}年{issue.label}"
    if state["state"] is IssueState.VOID:
        raise InputError(f"{name}已作废，不能生成")
    if state["state"] is IssueState.ISSUED:
        raise InputError(
            f"{name}已印发，文件即为存档，不再重新生成；确需重印，请先 minyi issue reopen "
            f"{issue.number} --reason 理由，签发后再生成（旧文件保留）"
        )
    for_issue = state["state"] is IssueState.SIGNED
    problems = blocking(registry, settings, issue)
    if problems:
        listed = "\n".join(f"  · {p}" for p in problems)
        raise RenderError(f"{issue.year}年{issue.label}不能生成，有未解决的问题：\n{listed}")
    renderer = Renderer(template(settings), converter)
    checkpoint = Checkpoint(gate(settings), allowance(registry, settings, issue))
    try:
        result = renderer.render(
            masked(issue, checkpoint), outbox, render_plan(settings, pdf), checkpoint
        )
    except OSError as exc:
        raise RenderError(f"无法写入输出目录「{outbox}」：{describe_os_error(exc)}") from None
    with registry.batch():
        registry.mark_rendered(issue.series.value, issue.year, issue.number, now(),
                               str(result.folder), issued=for_issue)  # fmt: skip
        what = (
            f"印发第{state['version'] + 1}版" if for_issue else "校样"
        ) + f"，生成到 {result.folder}"
        audit(registry, settings, "issue.render", issue,
              [item.submission_id for item in issue.items], what)  # fmt: skip
    return result


def keep_version(folder: Path, version: int) -> None:
    """When an issued issue is reopened: its files stay, renamed 第N期（第V版）, so that
    neither a proof nor the reissue can overwrite the record."""
    if not folder.is_dir():
        return
    kept = folder.with_name(f"{folder.name}（第{version}版）")
    n = 1
    while kept.exists():  # (never overwrite a kept version)
        n += 1
        kept = folder.with_name(f"{folder.name}（第{version}版-{n}）")
    try:
        folder.rename(kept)
    except OSError as exc:
        raise RenderError(f"无法保留上一版文件「{folder}」：{describe_os_error(exc)}") from None


def sign(registry: Registry, settings: Settings, issue: Issue, by: str,
         day: dt.date | None = None) -> Issue:  # fmt: skip
    """签发: the signer's name and date go on the issue, which is then locked. Only an issue
    that could be rendered is signed (every blocking problem named)."""
    require_draft(registry, issue)
    if not by.strip():
        raise InputError("请用 --by 写明签发人")
    issue = replace(issue, signer=by.strip(), issued=day or issue.issued or dt.date.today())
    problems = blocking(registry, settings, issue)
    if problems:
        listed = "\n".join(f"  · {p}" for p in problems)
        raise RenderError(f"{issue.year}年{issue.label}不能签发，有未解决的问题：\n{listed}")
    stamp = now()
    with registry.batch():
        registry.save_issue(issue.series.value, issue.year, issue.number, issue.as_dict(), stamp)
        registry.set_issue_state(issue.series.value, issue.year, issue.number,
                                 IssueState.SIGNED.value, signed_by=by.strip(), signed_at=stamp)  # fmt: skip
        registry.audit("issue.sign", by.strip(), stamp, issue=f"{issue.year}年{issue.label}",
                       detail={"items": [i.submission_id for i in issue.items],
                               "what": f"签发日期 {issue.issued}"})  # fmt: skip
    return issue


def reopen(registry: Registry, settings: Settings, issue: Issue, reason: str) -> IssueState:
    """A signed or issued issue back to draft, for a change; recorded with its reason. The
    next render for issue is a new version (the issued files are kept)."""
    if not reason.strip():
        raise InputError("重新打开须用 --reason 写明理由")
    state = life(registry, issue)["state"]
    name = f"{issue.year}年{issue.label}"
    if state is IssueState.DRAFT:
        raise InputError(f"{name}是草稿，可以直接修改，无需重新打开")
    if state is IssueState.VOID:
        raise InputError(f"{name}已作废，不能重新打开；请新建一期")
    current = life(registry, issue)
    if state is IssueState.ISSUED:
        default = settings.outbox / str(issue.year) / f"{issue.series.label}第{issue.number}期"
        rendered = Path(current["rendered_to"]) if current["rendered_to"] else default
        keep_version(rendered if rendered.is_dir() else default, current["version"])
    with registry.batch():
        registry.set_issue_state(issue.series.value, issue.year, issue.number,
                                 IssueState.DRAFT.value)  # fmt: skip
        audit(registry, settings, "issue.reopen", issue, what=f"由{state.label}改回草稿",
              reason=reason.strip())  # fmt: skip
    return state


def void(registry: Registry, settings: Settings, issue: Issue, reason: str) -> None:
    """作废: the number stays used (the next issue does not take it); its items are free to
    be composed again and it counts for nothing."""
    if not reason.strip():
        raise InputError("作废须用 --reason 写明理由")
    state = life(registry, issue)["state"]
    if state is IssueState.VOID:
        raise InputError(f"{issue.year}年{issue.label}已经作废")
    with registry.batch():
        registry.set_issue_state(issue.series.value, issue.year, issue.number,
                                 IssueState.VOID.value, void_reason=reason.strip())  # fmt: skip
        audit(registry, settings, "issue.void", issue, [i.submission_id for i in issue.items],
              f"由{state.label}作废", reason.strip())  # fmt: skip


def move_item(issue: Issue, which: str, to: int) -> Issue:
    """Move one item to position ``to`` (1-based), its edited text kept."""
    position = item_position(issue, which)
    if not 1 <= to <= len(issue.items):
        raise InputError(f"位置 {to} 超出范围；本期共 {len(issue.items)} 篇")
    items = list(issue.items)
    item = items.pop(position)
    items.insert(to - 1, item)
    return replace(issue, items=tuple(items))


def from_settings(issue: Issue, settings: Settings) -> dict[str, Any]:
    """The office-wide values an issue copied when it was created, as the settings are now."""
    base = defaults(settings)
    return {f.name: getattr(base, f.name) for f in fields(IssueDefaults)}


def add_items(registry: Registry, settings: Settings, issue: Issue, ids: list[str],
              force: bool = False) -> Issue:  # fmt: skip
    if not ids:
        return issue
    present = {item.submission_id for item in issue.items}
    twice = [i for i in ids if i in present]
    if twice:
        raise InputError(f"稿件 {'、'.join(twice)} 已在本期中")
    records = _records(registry, ids)
    new = tuple(item_from_record(r, settings.issue_mask_pii) for r in records)
    refuse_repeats(registry, settings, list(zip(new, records, strict=True)), force, issue)
    return replace(issue, items=issue.items + new)


def refuse_repeats(registry: Registry, settings: Settings, items: list[tuple[Item, Record]],
                   force: bool, issue: Issue | None = None) -> None:  # fmt: skip
    """Composing refuses what the policy refuses (an item published before) unless forced."""
    found = [
        c
        for position, (item, record) in enumerate(items, 1)
        for c in item_concerns(registry, settings, issue, position, item, record)
    ]
    denied = [str(c) for c in found if c.weight is Weight.DENY]
    if denied:
        listed = "\n".join(f"  · {d}" for d in denied)
        raise InputError(f"以下稿件不能编入：\n{listed}")
    refused = [str(c) for c in found if c.weight is Weight.REFUSE]
    if refused and not force:
        listed = "\n".join(f"  · {r}" for r in refused)
        raise InputError(f"以下稿件不能编入：\n{listed}")


def issue_concerns(registry: Registry, settings: Settings, issue: Issue) -> list[Concern]:
    """Everything about the issue's items the clerk should look at (``minyi.concerns``)."""
    return concerns(registry, settings, issue)


def remove_items(issue: Issue, which: tuple[str, ...] | list[str]) -> Issue:
    if not which:
        return issue
    drop = {item_position(issue, w) for w in which}
    return replace(issue, items=tuple(i for n, i in enumerate(issue.items) if n not in drop))


TITLE_LABEL, SUBMITTER_LABEL = "标题：", "反映人："


def typed(value: Any) -> Any:
    """A value typed by a clerk, without the characters that show nothing (a mark with a
    zero-width space inside would otherwise not read as a 密级)."""
    return visible(value) if isinstance(value, str) else value


def export_item(registry: Registry, settings: Settings, issue: Issue, item: Item,
                path: Path) -> None:  # fmt: skip
    """An item's text written for editing outside minyi, through the gate."""
    checkpoint = Checkpoint(gate(settings), allowance(registry, settings, issue))
    content = checkpoint.mask(item_file(item))
    checkpoint.check_text(content, path.name)
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入「{path}」：{describe_os_error(exc)}") from None


def item_file(item: Item) -> str:
    """An item as a text file for editing: two labelled lines, a blank line, the body."""
    return f"{TITLE_LABEL}{item.title}\n{SUBMITTER_LABEL}{item.submitter}\n\n{item.body}\n"


def parse_item_file(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"「{path}」不是 UTF-8 文本文件；请用记事本另存为 UTF-8") from None
    if (
        len(lines) < 2
        or not lines[0].startswith(TITLE_LABEL)
        or not lines[1].startswith(SUBMITTER_LABEL)
    ):
        raise InputError(f"「{path}」的前两行应为“{TITLE_LABEL}……”和“{SUBMITTER_LABEL}……”")
    title = lines[0][len(TITLE_LABEL) :].strip()
    if not title:
        raise InputError(f"「{path}」中标题为空")
    body = "\n".join(line.strip() for line in lines[2:] if line.strip())
    return {"title": title, "submitter": lines[1][len(SUBMITTER_LABEL) :].strip(), "body": body}


def credit_corrected(registry: Registry, settings: Settings, submission_id: str,
                     submitter: str) -> str:  # fmt: skip
    """The clerk corrected an item's 反映人 in its text: the points follow the correction.
    With a register, the corrected name is linked to its member (or nothing changes and the
    clerk is told how to link by hand); without one, the corrected name is the credit.
    Returns what was done, for the clerk."""
    from ingest.recognize import find_submitter
    from minyi import members as register

    actor = clerk(settings, None)
    listed = registry.members()
    if listed:
        found = register.named_in(submitter, listed)
        if len(found) != 1:
            return (f"改后的反映人「{submitter}」未能唯一对应到委员库；计分对象未变，"
                    f"可用 minyi member link {submission_id} 委员编号 手工对应")  # fmt: skip
        with registry.batch():
            register.link(registry, submission_id, found[0], actor)
        return f"计分对象已随改动改为委员库中的 {found[0]['name']}"
    recognised = find_submitter(["标题", f"反映人：{submitter}", "正文。"])
    name = (recognised.name if recognised else None) or submitter.strip()
    unit = (recognised.unit or recognised.identity or "") if recognised else ""
    with registry.batch():
        registry.set_credits(submission_id, [{"person": name, "role": "first", "unit": unit,
                                              "sector": "", "party": ""}])  # fmt: skip
        registry.audit("issue.credit", actor, now(), submission_id,
                       detail={"what": f"计分对象改为 {name}"})  # fmt: skip
    return f"计分对象已随改动改为 {name}"
