"""Reading real-world files: per source, files read or rejected, and CER against a reference.

Runs ``minyi process`` (the real command: detection, extraction, OCR, registry)
over a folder whose sub-folders are sources (say one per public repository whose
test files were fetched: ``tika/``, ``pdfplumber/``, ``pymupdf/`` …), then reads
each file again with the nearest reference extractor and prints, per source:
files, read, rejected, and the median character error rate of minyi's text
against the reference — python-docx for .docx, the better of pypdfium2's plain
text and poppler's ``pdftotext`` for text PDFs. Other formats are counted but not
scored. A regression shows as a number.

Without ``--folder`` it builds a small generated set of the look-alikes this
issue's tests use (two-column and form PDFs, Strict OOXML, quotes set out of
order, lone numbers) and runs on that.

Usage: python benchmarks/realworld.py [--folder DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

from minyi import samples


def cer(hypothesis: str, truth: str) -> float:
    """The character error rate as ``samples.character_error_rate`` measures it, with
    rapidfuzz's edit distance (the bench extra) where installed: whole PDFs are long."""
    import unicodedata

    try:
        from rapidfuzz.distance import Levenshtein
    except ImportError:
        return samples.character_error_rate(hypothesis, truth)
    a, b = ("".join(unicodedata.normalize("NFKC", t).split()) for t in (hypothesis, truth))
    return Levenshtein.distance(a, b) / max(1, len(b))


def words_kept(hypothesis: str, truth: str) -> float | None:
    """The share of the reference's Latin words found whole in minyi's text (CER ignores
    spaces; this does not: "Themovieopens" loses every word). None without Latin words."""
    import re
    from collections import Counter

    want = Counter(re.findall(r"[A-Za-z]{2,}", truth))
    if not want:
        return None
    have = Counter(re.findall(r"[A-Za-z]{2,}", hypothesis))
    return sum(min(n, have[w]) for w, n in want.items()) / sum(want.values())


def reference_text(path: Path) -> str | None:
    """The reference extractor's text, or None where there is none for the format."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04" and path.suffix.lower() == ".docx":
        try:
            import docx

            document = docx.Document(io.BytesIO(data))
            texts = [p.text for p in document.paragraphs]
            texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        except Exception:  # a reference that cannot read it (Strict OOXML) scores nothing
            return None
        return "\n".join(texts)
    if b"%PDF-" in data[:1024]:
        candidates = []
        try:
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(data)
            candidates.append("\n".join(p.get_textpage().get_text_range() for p in pdf))
        except Exception:
            pass
        if shutil.which("pdftotext"):
            done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=120)
            candidates.append(done.stdout.decode("utf-8", "replace"))
        candidates = [c for c in candidates if "".join(c.split())]
        return max(candidates, key=lambda c: len("".join(c.split()))) if candidates else None
    return None


def generated(folder: Path) -> None:
    """Look-alikes of the defects, one source each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import test_pdf

    office = folder / "office"
    paragraphs = ["关于规范城区“僵尸车”清理的建议", "县政协委员 钱立新",
                  "据统计，2019年以来全县共排查长期占道车辆3.5万人次，涉及“甲乙”的纠纷逐年增加。" * 3]  # fmt: skip
    samples.make_docx(office / "transitional.docx", paragraphs)
    strict = io.BytesIO()
    with (
        zipfile.ZipFile(office / "transitional.docx") as source,
        zipfile.ZipFile(strict, "w") as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info).replace(
                b"schemas.openxmlformats.org/wordprocessingml/2006/main",
                b"purl.oclc.org/ooxml/wordprocessingml/main"))  # fmt: skip
    (office / "strict.docx").write_bytes(strict.getvalue())
    pdfs = folder / "pdf"
    pdfs.mkdir(parents=True)
    test_pdf._stream_out_of_order(pdfs / "quotes.pdf")
    samples.make_pdf(pdfs / "numbers.pdf", [["各年度投入（万元）：", "2019", "3500", "2020", "4200",
                                              "以上数据来自县财政局。", "- 1 -"]], wrap=False)  # fmt: skip
    samples.make_pdf(pdfs / "wrapped.pdf", [paragraphs[2:] * 3])


def run(folder: Path) -> int:
    work = Path(tempfile.mkdtemp(prefix="minyi-realworld-"))
    inbox = work / "inbox"
    shutil.copytree(folder, inbox)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "minyi", "process", "inbox", "--report", "r.jsonl"],
                   cwd=work, capture_output=True, timeout=7200)  # fmt: skip
    seconds = time.perf_counter() - started
    lines = [json.loads(x) for x in (work / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    by_file = {line["file"]: line for line in lines}
    reasons: Counter[str] = Counter()
    rows: dict[str, dict[str, list[float] | int]] = defaultdict(
        lambda: {"files": 0, "read": 0, "rejected": 0, "cer": [], "words": []}
    )
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        source = rel.split("/", 1)[0] if "/" in rel else "."
        row = rows[source]
        row["files"] += 1  # type: ignore[operator]
        line = by_file.get(rel)
        if line is None or line.get("status") != "ok":
            row["rejected"] += 1  # type: ignore[operator]
            reasons[_reason(line)] += 1
            continue
        row["read"] += 1  # type: ignore[operator]
        reference = reference_text(path)
        if reference is not None and line.get("text") is not None:
            row["cer"].append(cer(line["text"], reference))  # type: ignore[union-attr]
            kept = words_kept(line["text"], reference)
            if kept is not None:
                row["words"].append(kept)  # type: ignore[union-attr]
    print(f"minyi process: {len(lines)} files in {seconds:.1f} s")
    print(f"{'source':24} {'files':>6} {'read':>6} {'rejected':>9} {'scored':>7} "
          f"{'median CER':>11} {'Latin words kept':>17}")  # fmt: skip
    for source, row in sorted(rows.items()):
        scores, words = row["cer"], row["words"]
        median = f"{statistics.median(scores):.3f}" if scores else "-"  # type: ignore[arg-type]
        kept = f"{statistics.mean(words):.3f}" if words else "-"  # type: ignore[arg-type]
        print(f"{source:24} {row['files']:>6} {row['read']:>6} {row['rejected']:>9} "
              f"{len(scores):>7} {median:>11} {kept:>17}")  # type: ignore[arg-type]  # fmt: skip
    print("rejected, by reason:")
    for reason, count in reasons.most_common(12):
        print(f"  {count:>5}  {reason}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _reason(line: dict | None) -> str:
    """A rejection's reason without the file's name, its first clause: what to count by."""
    if line is None:
        return "（no report line）"
    if line.get("status") == "duplicate":
        return "duplicate of a file read before"
    error = str(line.get("error") or line.get("note") or line.get("status"))
    error = error.split("被拒收：", 1)[-1]
    return error.split("；")[0].split("（")[0][:60]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, help="sub-folders of files, one per source")
    args = parser.parse_args()
    if args.folder:
        return run(args.folder)
    with tempfile.TemporaryDirectory(prefix="minyi-lookalikes-") as tmp:
        generated(Path(tmp))
        return run(Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
