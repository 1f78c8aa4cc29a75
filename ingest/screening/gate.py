"""The one gate every artefact passes before it leaves the registry.

Issues (.docx, .pdf, .html, the 报送 zip and each of its members, manifest),
exported item texts, the statistics workbook, the yearly 通报 and the 回执 are
written for people outside the registry. Each writer hands its finished text or
file to this gate, which screens it exactly as intake screens a submission
(``fold``, the lexicon's 密级 marks, ``find_pii``):

* ``inspect_text``/``inspect_file`` list the leaks: a 密级 mark (unless the
  artefact is declared classified or the mark was released by a clerk), personal
  data left unmasked, a spreadsheet formula, a zip member name that is not a plain
  file name. ``require_clean`` turns leaks into ``ConfidentialityError``.
* ``mask`` masks personal data in a text (every writer masks before writing);
  ``redact`` also replaces 密级 marks, for receipts that must still be written.

A writer outside ``ingest`` cannot import this module (the layering rules); the app
layer hands it a ``Checkpoint``: the gate bound to that artefact's ``Allowance``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import ConfidentialityError
from ingest.options import IngestOptions
from ingest.record import Finding, Format, Record, mask_value
from ingest.screening.artefact import ArtefactText, read_artefact
from ingest.screening.fold import fold_term
from ingest.screening.labels import category_label
from ingest.screening.lexicon import Matcher
from ingest.screening.pii import find_pii
from ingest.screening.sensitive import SECRET, find_sensitive

REDACTED = "［密级标志已隐去］"


@dataclass(frozen=True)
class Leak:
    """Something that may not leave: where it is, what kind, and a safe excerpt."""

    where: str
    category: str
    text: str

    def describe(self) -> str:
        return f"{self.where}：{category_label(self.category)}「{self.text}」"


@dataclass(frozen=True)
class Allowance:
    """What one artefact may carry: marks released by a clerk, or everything when classified."""

    classified: bool = False  # a declared 涉密 issue: marks may print (it never travels by network)
    marks: frozenset[str] = field(default_factory=frozenset)  # folded mark texts allowed
    pii: bool = False  # the office prints personal data (settings.issue_mask_pii off)

    @classmethod
    def of(cls, marks: Iterable[str] = (), *, classified: bool = False,
           pii: bool = False) -> Allowance:  # fmt: skip
        return cls(classified, frozenset(fold_term(m) for m in marks if m.strip()), pii)


class Gate:
    """Screening for what leaves; one per process, built from the office's lexicons."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher

    @classmethod
    def for_options(cls, options: IngestOptions) -> Gate:
        """The gate with the office's lexicons, exactly as intake screens with them."""
        from ingest.screening import ScreenContext

        return cls(ScreenContext.for_options(options).matcher)

    def findings(self, text: str) -> list[Finding]:
        """密级 marks and personal data in ``text`` (offsets into it)."""
        probe = Record(sha256="", original_name="", format=Format.TEXT, pages=(), text=text)
        found = find_sensitive(probe, self.matcher)
        return [f for f in found if f.category == SECRET or f.category.startswith("pii.")]

    def mask(self, text: str) -> str:
        """``text`` with personal data masked (3201**********1239, 138****5678)."""
        return _replace(text, find_pii(text), lambda f: mask_value(f.category, f.text))

    def redact(self, text: str) -> str:
        """``text`` with personal data masked and 密级 marks replaced (for receipts)."""
        return _replace(
            text,
            self.findings(text),
            lambda f: mask_value(f.category, f.text) if f.category != SECRET else REDACTED,
        )

    def redact_all(self, value: Any) -> Any:
        """Every string in a JSON-like value redacted (keys too)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_all(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_all(v) for v in value]
        return value

    def inspect_text(self, text: str, where: str, allow: Allowance = Allowance()) -> list[Leak]:
        leaks = []
        for f in self.findings(text):
            if f.category == SECRET:
                if not allow.classified and fold_term(f.text) not in allow.marks:
                    leaks.append(Leak(where, f.category, f.text))
            elif not allow.pii:
                leaks.append(Leak(where, f.category, mask_value(f.category, f.text)))
        return leaks

    def inspect_file(self, path: Path, allow: Allowance = Allowance()) -> list[Leak]:
        """Leaks in one written artefact (every member of a zip, every file of a folder)."""
        leaks: list[Leak] = []
        for part in read_artefact(path):
            leaks += self._inspect_part(part, allow)
        return leaks

    def _inspect_part(self, part: ArtefactText, allow: Allowance) -> list[Leak]:
        leaks = [Leak(part.where, problem, detail) for problem, detail in part.problems]
        return leaks + self.inspect_text(part.text, part.where, allow)

    def require_clean(self, leaks: list[Leak], what: str) -> None:
        if leaks:
            raise ConfidentialityError(blocked_message(what, leaks))

    def require_clean_file(self, path: Path, allow: Allowance = Allowance()) -> None:
        self.require_clean(self.inspect_file(path, allow), path.name)


@dataclass(frozen=True)
class Checkpoint:
    """The gate bound to one artefact's allowance: what a writer outside ``ingest`` is
    given (it masks texts before they are written, and passes or refuses the file)."""

    gate: Gate
    allow: Allowance = Allowance()

    def mask(self, text: str) -> str:
        return text if self.allow.pii else self.gate.mask(text)

    def __call__(self, path: Path) -> None:
        self.gate.require_clean_file(path, self.allow)

    def check_text(self, text: str, where: str) -> None:
        """The same for a text about to be written (raises ``ConfidentialityError``)."""
        self.gate.require_clean(self.gate.inspect_text(text, where, self.allow), where)


def blocked_message(what: str, leaks: list[Leak]) -> str:
    listed = "\n".join(f"  · {leak.describe()}" for leak in leaks[:20])
    more = f"\n  ……另有 {len(leaks) - 20} 处" if len(leaks) > 20 else ""
    return (
        f"「{what}」未通过保密检查，没有输出：\n{listed}{more}\n"
        "请删改上述内容（密级材料不得编发外传；个人信息须遮盖），或经审核确认后解除隔离再生成"
    )


def _replace(text: str, findings: list[Finding], value: Callable[[Finding], str]) -> str:
    spans = sorted(
        (f for f in findings if f.start is not None and f.end is not None),
        key=lambda f: f.start or 0,
        reverse=True,
    )
    out, last = text, len(text) + 1
    for f in spans:
        assert f.start is not None and f.end is not None
        if f.end > last:  # overlapping findings: the earlier one wins
            continue
        out = out[: f.start] + value(f) + out[f.end :]
        last = f.start
    return out
