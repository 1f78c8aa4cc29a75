"""The office's templates: typography and wording (issue.toml) and the HTML preview.

Templates are data in the package's ``templates/`` folder (or the office's own folder
named in settings, which wins). Wording strings and the preview are rendered by one
sandboxed Jinja2 environment with StrictUndefined, so a template can neither
reach into Python nor silently print a blank for a misspelt name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from common.errors import RenderError, read_toml

DEFAULT_FOLDER = Path(__file__).resolve().parent / "templates"  # shipped in the package
SETTINGS_FILE = "issue.toml"
PREVIEW_FILE = "issue.html.j2"


@dataclass(frozen=True)
class Fonts:
    body: str
    body_fallback: str
    title: str
    title_fallback: str
    heading1: str
    heading1_fallback: str
    heading2: str
    heading2_fallback: str
    page_number: str
    page_number_fallback: str
    latin: str

    def fallbacks(self) -> dict[str, str]:
        """Font name → the alternative Word and WPS should try when it is missing."""
        return {
            self.body: self.body_fallback,
            self.title: self.title_fallback,
            self.heading1: self.heading1_fallback,
            self.heading2: self.heading2_fallback,
            self.page_number: self.page_number_fallback,
        }


class Template:
    """One template folder, loaded and checked once."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = (folder or DEFAULT_FOLDER).resolve()
        self._compiled: dict[str, Any] = {}
        path = self.folder / SETTINGS_FILE
        data = read_toml(path, "模板文件", RenderError)
        try:
            self.fonts = Fonts(**data["fonts"])
            self.red = str(data["colors"]["red"])
            self.black = str(data["colors"]["black"])
            masthead = data["masthead"]
            self.journal_size = float(masthead["journal_size_pt"])
            self.rule_pt = float(masthead["rule_pt"])
            self.rule_gap_mm = float(masthead["rule_gap_mm"])
            self.wording: dict[str, str] = {k: str(v) for k, v in data["wording"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise RenderError(f"模板文件 {path} 缺少或写错了设置项：{exc}") from None

    @cached_property
    def environment(self) -> Any:
        from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
        from jinja2.sandbox import SandboxedEnvironment

        return SandboxedEnvironment(
            loader=FileSystemLoader(self.folder),
            undefined=StrictUndefined,
            autoescape=select_autoescape(["html", "j2"], default_for_string=False),
            keep_trailing_newline=True,
        )

    def say(self, key: str, **values: Any) -> str:
        """One wording string filled in (``say("number", series="", number=3)``)."""
        from jinja2 import TemplateError

        source = self.wording.get(key)
        if source is None:
            raise RenderError(f"模板 {self.folder / SETTINGS_FILE} 的 [wording] 缺少「{key}」")
        try:
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compiled[key] = self.environment.from_string(source)
            return str(compiled.render(**values))
        except TemplateError as exc:
            raise RenderError(f"模板措辞「{key}」无法填写：{exc}") from None

    def preview(self, context: dict[str, Any]) -> str:
        """The HTML preview of an issue."""
        from jinja2 import TemplateError

        try:
            template = self.environment.get_template(PREVIEW_FILE)
            return str(template.render(**context))
        except TemplateError as exc:
            raise RenderError(f"预览模板 {self.folder / PREVIEW_FILE} 无法使用：{exc}") from None
