"""Factories that build every test input in code, inside tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.screening.gate import Allowance, Checkpoint, Gate
from ingest.screening.lexicon import Lexicons
from ingest.workers import Workers
from minyi import samples

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
UNDER_CI = os.environ.get("CI") == "true"
# The confidentiality gate with the shipped lexicons; CHECK is it bound as an unclassified
# issue marked 内部资料 (the test issues' header mark) is: what every render must pass.
GATE = Gate(Lexicons().matcher())
CHECK = Checkpoint(GATE, Allowance.of(["内部资料"]))


def need_tool(name: str) -> str:
    """Path of an external program; skip without it, except under CI where it must exist."""
    found = shutil.which(name)
    if found is None:
        if UNDER_CI:
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return found


@pytest.fixture
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, paragraphs: Sequence[str], **kwargs: object) -> Path:
        return samples.make_docx(tmp_path / name, paragraphs, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, pages: Sequence[Sequence[str]], **kwargs: object) -> Path:
        return samples.make_pdf(tmp_path / name, pages, **kwargs)  # type: ignore[arg-type]

    return make


def docx_with_body(path: Path, body_xml: str) -> Path:
    """A .docx whose body is the given raw WordprocessingML (without <w:body>)."""
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    body = document.element.body
    wrapper = parse_xml(f'<w:body xmlns:w="{W_NS}" {EXTRA_NS}>{body_xml}</w:body>')
    sect = body.find(f"{{{W_NS}}}sectPr")
    for child in list(wrapper):
        sect.addprevious(child)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


EXTRA_NS = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
)


def add_docx_part(path: Path, name: str, xml: str, rel_type: str, content_type: str) -> None:
    """Add a part (e.g. word/footnotes.xml) to a .docx with its relationship."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    rid = f"rIdT{len(rels)}"
    target = name.split("/", 1)[1]
    rel = (
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/{rel_type}" Target="{target}"/>'
    )
    parts["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>", rel + "</Relationships>"
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    parts[name] = xml.encode()
    rewrite_zip(path, parts)


def rewrite_zip(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def pipeline(data_root: Path) -> Pipeline:
    registry = Registry.open(data_root / "registry.sqlite3")
    yield Pipeline(registry, data_root, IngestOptions(), Workers(1))  # type: ignore[misc]
    registry.close()


def run_minyi(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a clerk would, in a subprocess (``input`` typed at prompts)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "minyi", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        input=input,
    )


def minyi(folder: Path, *args: str, code: int = 0, input: str | None = None,
          env: dict[str, str] | None = None) -> str:  # fmt: skip
    """Run the CLI in ``folder``, expect exit ``code``; its output and messages together."""
    result = run_minyi(*args, cwd=folder, input=input, env=env)
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout + result.stderr


def propose(folder: Path, *ids: str, data: str | None = None) -> None:
    """The reviewer marks these submissions 拟采用, as the office does before composing."""
    where = ["--data", data] if data else []
    minyi(folder, "review", *ids, "--decision", "拟采用", "--by", "审核员", *where)


def received_on(folder: Path, day: str, data: str = "data") -> None:
    """Date every registered submission's receipt ``day`` (YYYY-MM-DD): tests that record
    what happened to items in the spring need items received before it."""
    import sqlite3

    db = sqlite3.connect(folder / data / "registry.sqlite3")
    with db:
        db.execute("UPDATE submissions SET received_at = ? || substr(received_at, 11)", (day,))
    db.close()


def correct_byline(folder: Path, submission_id: str, byline: str) -> str:
    """The clerk reopens 2026's issue 1, corrects one item's 反映人 line in its text, and
    signs and issues it again; returns what the import said."""
    minyi(folder, "issue", "reopen", "1", "--reason", "反映人写错", "--year", "2026")
    exported = folder / "稿.txt"
    minyi(folder, "issue", "text", "1", submission_id, "--year", "2026", "--export", str(exported))
    lines = exported.read_text(encoding="utf-8").splitlines()
    lines[1] = byline
    exported.write_text("\n".join(lines), encoding="utf-8")
    said = minyi(folder, "issue", "text", "1", submission_id, "--year", "2026", "--import",
                 str(exported))  # fmt: skip
    minyi(folder, "issue", "sign", "1", "--by", "张主任", "--year", "2026")
    minyi(folder, "issue", "render", "1", "--no-pdf", "--year", "2026")
    return said
