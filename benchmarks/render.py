"""Rendering speed: one issue and a batch of issues, minyi against one soffice per file.

Generates N two-page issues (generated 社情民意 texts), then measures:

* one issue to .docx (the builder alone, and the whole ``--no-pdf`` render:
  .docx, HTML preview, forwarding zip, manifest), median of repeated runs;
* a batch of N issues to PDF with minyi's renderer: one LibreOffice kept up for
  the batch (font aliases, spacing fix, measured 版记 placement, package);
* the peer on the same .docx files: ``soffice --headless --convert-to pdf``
  started once per file (the usual script), with a warm, reused profile.

Usage: python benchmarks/render.py [--issues 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from formatter.context import Copy
from formatter.document import render_docx
from formatter.issue import Issue, Item
from formatter.pdf import fontconfig_env
from formatter.render import Renderer, RenderPlan
from formatter.template import Template
from ingest.screening.gate import Checkpoint, Gate
from ingest.screening.lexicon import Lexicons
from office import LibreOffice, find_soffice

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus

CHECK = Checkpoint(Gate(Lexicons().matcher()))  # every render passes the confidentiality gate


def make_issues(count: int) -> list[Issue]:
    corpus = Corpus(seed=11)
    issues = []
    for n in range(1, count + 1):
        doc = corpus.document()
        parts = ["一、基本情况", *doc.situation, "二、存在的问题", *doc.problems,
                 "三、几点建议", *doc.suggestions]  # fmt: skip
        while sum(len(p) for p in parts) < 520:  # two pages with the masthead and 版记
            parts.append(corpus.document().situation[0])
        item = Item(f"2026-{n:04d}", f"关于{corpus.topic_of(doc)}问题的建议",
                    "张三（县政协委员，县某局副局长）", "", "\n".join(parts), f"{n}.docx")  # fmt: skip
        issues.append(Issue(year=2026, number=n, issued=dt.date(2026, 3, 5),
                            unit="政协某某县委员会办公室", items=(item,), report_to=("市政协办公室",),
                            send_to=("县委、县政府领导",), copies=30))  # fmt: skip
    return issues


def pages_of(pdf: Path) -> int:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20)
    args = parser.parse_args()
    soffice = find_soffice()
    if soffice is None:
        sys.exit("LibreOffice is needed for this benchmark")
    template = Template()
    issues = make_issues(args.issues)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        builds = []
        for _ in range(15):
            start = time.perf_counter()
            render_docx(template, issues[0], Copy())
            builds.append(time.perf_counter() - start)
        whole = []
        for i in range(10):
            start = time.perf_counter()
            Renderer(template, None).render(
                issues[0], work / f"docx{i}", RenderPlan(pdf=False), CHECK
            )
            whole.append(time.perf_counter() - start)
        print(f"one issue to .docx: builder {statistics.median(builds) * 1000:.0f} ms, "
              f"whole --no-pdf render {statistics.median(whole) * 1000:.0f} ms (median)")  # fmt: skip

        office = LibreOffice(soffice, timeout=180, env=fontconfig_env())
        renderer = Renderer(template, office)
        start = time.perf_counter()
        renderer.render(issues[0], work / "warm", RenderPlan(), CHECK)  # soffice start-up, once
        first = time.perf_counter() - start
        start = time.perf_counter()
        results = [renderer.render(issue, work / "minyi", RenderPlan(), CHECK) for issue in issues]
        ours = time.perf_counter() - start
        office.close()
        pages = [r.pages or 0 for r in results]
        corrected = sum(r.corrected for r in results)
        print(f"minyi: first issue with LibreOffice start {first:.2f} s; batch of {len(issues)} "
              f"issues {ours:.2f} s ({ours / len(issues):.2f} s each: .docx, PDF with its 版记 checked, preview, zip, manifest; pages {min(pages)}–"
              f"{max(pages)}; 版记 re-laid after measuring: {corrected}×)")  # fmt: skip

        docx_files = [next(p for p in r.files if p.suffix == ".docx") for r in results]
        peer_out = work / "peer"
        profile = (work / "peer-profile").as_uri()
        env = {**os.environ, **fontconfig_env(), "SAL_USE_VCLPLUGIN": "svp"}
        command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                   "--convert-to", "pdf", "--outdir", str(peer_out)]  # fmt: skip
        subprocess.run([*command, str(docx_files[0])], env=env, capture_output=True, check=True)
        shutil.rmtree(peer_out)
        start = time.perf_counter()
        for path in docx_files:
            subprocess.run([*command, str(path)], env=env, capture_output=True, check=True)
        peer = time.perf_counter() - start
        made = sorted(peer_out.glob("*.pdf"))
        assert len(made) == len(docx_files) and all(pages_of(p) >= 1 for p in made)
        print(f"peer: soffice --convert-to pdf per file, {len(made)} files {peer:.2f} s "
              f"({peer / len(made):.2f} s each) — PDF only, no checks, no second copy")  # fmt: skip
        print(f"ratio: minyi batch is {peer / ours:.1f}× faster than one soffice per file")


if __name__ == "__main__":
    main()
