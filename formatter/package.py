"""The output folder of one issue: files written all at once, the manifest, the forwarding zip.

Layout (a contract read by outside tools)::

    outbox/<year>/第<N>期/          (增刊第<N>期/ for supplements)
        <刊名><year>年第<N>期.docx
        <刊名><year>年第<N>期.pdf
        <刊名><year>年第<N>期.html      proof-reading preview
        <刊名><year>年第<N>期（报送）.zip  exactly what is forwarded upward
        manifest.json                   items, sources, sha256 of every output

A render is built in a hidden sibling folder and swapped in whole, so a
failed or interrupted render never leaves a half-written issue behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from formatter.issue import Issue
from ingest.record import safe_component

MANIFEST = "manifest.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same content gives the same zip


def issue_folder(outbox: Path, issue: Issue) -> Path:
    return inside(outbox, outbox / str(issue.year) / issue.label)


def base_name(issue: Issue) -> str:
    """社情民意信息2026年第3期 — the stem of every output file (a safe file name)."""
    return safe_component(f"{issue.journal}{issue.year}年{issue.label}")


def inside(folder: Path, path: Path) -> Path:
    """``path``, verified to lie inside ``folder`` (a last check against traversal)."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"output path {path} escapes {folder}")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def staged(folder: Path) -> Iterator[Path]:
    """A hidden folder to write into; on success it replaces ``folder`` whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(folder)
    stage = folder.with_name(f".{folder.name}.rendering-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    stage.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(folder: Path) -> None:
    """What a render killed midway left beside ``folder``: its stage is removed, and an
    issue folder it had moved aside (killed between the two renames) is put back."""
    for leftover in folder.parent.glob(f".{folder.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if not pid.isdigit() or _alive(int(pid)) or not kind.endswith((".rendering", ".old")):
            continue
        if kind.endswith(".old") and not folder.exists():
            leftover.rename(folder)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_zip(target: Path, members: dict[str, Path]) -> dict[str, str]:
    """A zip of ``name → file``; returns each member's sha256."""
    digests = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in members.items():
            if safe_component(name) != name:  # members are flat, plain file names
                raise ValueError(f"unsafe zip member name {name!r}")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
            digests[name] = sha256(path)
    return digests


def write_manifest(folder: Path, issue: Issue, extra: dict[str, Any]) -> Path:
    """manifest.json: the issue, its items and sources, and every output's sha256."""
    files = {
        path.name: {"sha256": sha256(path), "bytes": path.stat().st_size}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST
    }
    data = {
        "journal": issue.journal,
        "year": issue.year,
        "series": issue.series.value,
        "number": issue.number,
        "label": issue.label,
        "total_number": issue.total_number,
        "issued": issue.issued.isoformat() if issue.issued else None,
        "unit": issue.unit,
        "mark": issue.mark,
        "items": [
            {
                "submission_id": item.submission_id,
                "title": item.title,
                "source": item.original_name,
                "source_sha256": item.source_sha256,
                "body_sha256": _text_hash(item.body),
            }
            for item in issue.items
        ],
        "files": files,
        **extra,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
