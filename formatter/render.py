"""Rendering one issue into its outbox folder: .docx, PDF, preview, forwarding zip, manifest.

The renderer is given its converter (a ``office.LibreOffice`` started with the
font aliases, or anything with the same ``convert``), so a batch of issues
shares one soffice. Every render is given the confidentiality gate's ``check``
for that issue: it reads every file of the staged output (each zip member too)
before the folder is swapped in, and a refusal leaves nothing behind. The PDF is measured after conversion: if the 版记 did not
land on the last lines of the last page, the .docx is rebuilt with corrected
padding and converted again, so the .docx and the PDF always agree.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from common.errors import MinyiError, RenderError
from formatter import package
from formatter.context import Copy, colophon
from formatter.document import Built, render_docx
from formatter.issue import Issue
from formatter.pdf import Substitution, colophon_placement, corrected_padding, font_substitutions
from formatter.preview import render_preview
from formatter.template import Template

log = logging.getLogger(__name__)


# The gate for one artefact: raises when anything in the file or folder may not leave.
Check = Callable[[Path], None]


class Converter(Protocol):
    def convert(self, source: Path, target: Path, *, plain_spacing: bool = False) -> None: ...


@dataclass(frozen=True)
class RenderPlan:
    local: Copy = field(default_factory=Copy)
    upward: Copy = field(default_factory=lambda: Copy(name="upward"))
    pdf: bool = True
    preview: bool = True


@dataclass
class Rendered:
    folder: Path
    files: list[Path] = field(default_factory=list)
    package: Path | None = None
    pages: int | None = None
    corrected: bool = False
    substitutions: list[Substitution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Renderer:
    def __init__(self, template: Template, converter: Converter | None) -> None:
        self.template = template
        self.converter = converter
        self._substitutions: list[Substitution] | None = None

    def render(self, issue: Issue, outbox: Path, plan: RenderPlan, check: Check) -> Rendered:
        if not issue.items:
            raise RenderError(f"{issue.label}没有任何稿件，无法生成")
        if plan.pdf and self.converter is None:
            raise RenderError("生成 PDF 需要 LibreOffice")
        folder = package.issue_folder(outbox, issue)
        result = Rendered(folder)
        name = package.base_name(issue)
        with package.staged(folder) as stage:
            local = self._copy(issue, plan.local, plan.pdf, stage / name, result)
            if plan.preview:
                html = stage / f"{name}.html"
                html.write_text(render_preview(issue, self.template, plan.local), encoding="utf-8")
            members = self._upward(issue, plan, stage, name, local, result)
            extra = {
                "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "pages": result.pages,
                "fonts": [s.describe() for s in result.substitutions],
                "package": members,
            }
            package.write_manifest(stage, issue, extra)
            check(stage)  # the last step: a refusal discards the whole stage
        rare = outside_gb2312(issue)
        if rare and "GB2312" in self.template.fonts.body:
            result.notes.append(
                f"本期有 GB2312 字库以外的字「{''.join(rare)}」：{self.template.fonts.body} 等字体"
                "没有这些字，Word/WPS 会借用其他字体显示，打印前请核对"
            )
        result.files = sorted(p for p in folder.iterdir() if p.is_file())
        if members:
            result.package = folder / f"{name}（报送）.zip"
        return result

    def _copy(self, issue: Issue, copy: Copy, pdf: bool, stem: Path,
              result: Rendered) -> list[Path]:  # fmt: skip
        """One copy's .docx (and PDF); returns the files written."""
        built = render_docx(self.template, issue, copy)
        docx = stem.with_suffix(".docx")
        docx.write_bytes(built.data)
        if not pdf:
            return [docx]
        target = stem.with_suffix(".pdf")
        built = self._pdf(issue, copy, built, docx, target, result)
        if self._substitutions is None:  # the fonts installed do not change during a batch
            self._substitutions = font_substitutions(self.template.fonts)
        result.substitutions = self._substitutions
        return [docx, target]

    def _pdf(self, issue: Issue, copy: Copy, built: Built, docx: Path, target: Path,
             result: Rendered) -> Built:  # fmt: skip
        rows = colophon(issue, self.template)
        height = sum(row.lines for row in rows)
        first = rows[0].left or rows[0].right
        for attempt in range(3):
            self._convert(docx, target)
            placement = colophon_placement(target, first)
            padding = corrected_padding(placement, height, built.padding)
            result.pages = placement.pages
            if padding == built.padding:
                return built
            log.info("版记位置修正：%s 行 → %s 行（第 %d 次）", built.padding, padding, attempt + 1)
            built = render_docx(self.template, issue, copy, padding)
            docx.write_bytes(built.data)
            result.corrected = True
        self._convert(docx, target)
        result.notes.append("版记未能自动排到末页底部，请在 Word 中检查版记位置")
        return built

    def _convert(self, docx: Path, target: Path) -> None:
        assert self.converter is not None
        try:
            self.converter.convert(docx, target, plain_spacing=True)
        except MinyiError as exc:
            raise RenderError(f"PDF 生成失败：{exc.message}") from None

    def _upward(self, issue: Issue, plan: RenderPlan, stage: Path, name: str,
                local: list[Path], result: Rendered) -> dict[str, str]:  # fmt: skip
        """The forwarding zip; none for a classified issue (it may not travel by network)."""
        if issue.classified:
            result.notes.append(
                f"本期标有密级「{issue.mark}」：不生成报送包，不得通过互联网或普通邮箱传送"
            )
            return {}
        files = local
        if _differs(plan.local, plan.upward):
            upward = stage / ".upward"
            upward.mkdir()
            files = self._copy(issue, plan.upward, plan.pdf, upward / name, Rendered(upward))
        members = {f"{name}（报送）{path.suffix}": path for path in files}
        digests = package.write_zip(stage / f"{name}（报送）.zip", members)
        if _differs(plan.local, plan.upward):
            for path in files:
                path.unlink()
            (stage / ".upward").rmdir()
        return digests


def outside_gb2312(issue: Issue) -> list[str]:
    """Chinese characters of the issue that GB2312 fonts (仿宋_GB2312, 楷体_GB2312) lack."""
    rare = set()
    for item in issue.items:
        for ch in item.title + item.submitter + item.body:
            if ord(ch) >= 0x3400 and not _in_gb2312(ch):
                rare.add(ch)
    return sorted(rare)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _differs(a: Copy, b: Copy) -> bool:
    return (a.submitter, a.contacts) != (b.submitter, b.contacts)
