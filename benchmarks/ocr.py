"""OCR accuracy and speed: minyi (RapidOCR, PP-OCR models) against Tesseract chi_sim.

Generates the same pages for both engines — clean 300 dpi, scanned (noise,
skew, blur, JPEG), 200 dpi fax-like, phone photo (perspective, uneven light)
and the clean page turned 90/180/270° — and prints per variant the character
error rate (edit distance over reference length, whitespace removed, full- and
half-width forms unified), seconds per page, and each engine's peak memory.
With ``--long-run N`` it also reads N pages (JPEG files, decoded one at a time as a
worker reads them) in one minyi process and reports that process's peak memory.

Tesseract runs as Debian's ``tesseract`` with ``-l chi_sim`` and
``OMP_THREAD_LIMIT=1`` (its fastest setting here).

``--embedded N`` measures what screening pictures inside documents costs: N
generated .docx files, each with a stamp picture in its header, a chart in its
body and two icons, read by minyi with picture screening on and off, against
the floor of the same work done bare (python-docx pulls the pictures, RapidOCR
reads each one once).

Usage: python benchmarks/ocr.py [--samples 3] [--long-run 200] [--embedded 20]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest.ocr.page import read_page
from ingest.options import IngestOptions
from ingest.tools import Tools
from minyi import samples

VARIANTS = ("clean", "scanned", "fax", "phone", "turned 90", "turned 180", "turned 270")


def make_page(variant: str, sample: samples.Sample, seed: int):  # type: ignore[no-untyped-def]
    clean = samples.render_page(samples.page_lines(sample))
    if variant == "scanned":
        return samples.scanned(clean, seed)
    if variant == "fax":
        return samples.fax(clean)
    if variant == "phone":
        return samples.phone_photo(clean, seed)
    if variant.startswith("turned"):
        return clean.rotate(int(variant.split()[1]), expand=True)
    return clean


cer = samples.character_error_rate


def tesseract(image, workdir: Path) -> tuple[str, float, float]:  # type: ignore[no-untyped-def]
    """Text, seconds and peak memory (MB) of one Tesseract run.

    The peak comes from GNU time (Debian package ``time``): a child's own maximum
    resident size, which rusage read from this large process would overstate.
    """
    path = workdir / "page.png"
    image.save(path)
    timer = (
        ["/usr/bin/time", "-f", "%M", "-o", str(workdir / "peak")]
        if Path("/usr/bin/time").exists()
        else []
    )
    started = time.perf_counter()
    subprocess.run([*timer, "tesseract", str(path), str(workdir / "out"), "-l", "chi_sim"],
                   capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=True)  # fmt: skip
    seconds = time.perf_counter() - started
    peak = float((workdir / "peak").read_text().split()[-1]) / 1024 if timer else float("nan")
    return (workdir / "out.txt").read_text(encoding="utf-8"), seconds, peak


def long_run(pages: int, folder: Path) -> None:
    """Child process: read ``pages`` pages of varying sizes, print peak RSS in MB.

    The pages are JPEG files written by the parent and decoded one at a time, as a worker
    reads them, so the peak is the reader's (models and pages), not the harness's."""
    from PIL import Image

    tools = Tools(IngestOptions())
    engine = tools.ocr()
    files = sorted(folder.glob("*.jpg"))
    started = time.perf_counter()
    for i in range(pages):
        with Image.open(files[i % len(files)]) as image:
            read_page(engine, image.convert("RGB"))
    print(f"{peak_mb():.0f} {(time.perf_counter() - started) / pages:.2f}")


def peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, not ``ru_maxrss``: a child's
    ``ru_maxrss`` starts from its parent's size when it was started (it counts the forked
    copy before exec), which made the long run's peak the benchmark's own 880 MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def long_run_pages(folder: Path) -> None:
    """The long run's pages, one of each variant, as JPEG files."""
    for i, (v, s) in enumerate(zip(VARIANTS, samples.SAMPLES * 3, strict=False)):
        make_page(v, s, i).save(folder / f"{i:02d}.jpg", "JPEG", quality=90)


_ENGINE = None


def _init_worker() -> None:
    global _ENGINE
    _ENGINE = Tools(IngestOptions()).ocr()


def _read(data: bytes) -> str:
    from PIL import Image

    return read_page(_ENGINE, Image.open(io.BytesIO(data)).convert("RGB")).text  # type: ignore[arg-type]


def throughput(pages: int, workers: int) -> float:
    """Effective seconds per page with one engine per core, as a batch runs."""
    from concurrent.futures import ProcessPoolExecutor

    images = []
    for i in range(pages):
        buffer = io.BytesIO()
        make_page(("clean", "scanned", "phone")[i % 3], samples.SAMPLES[i % 3], i).save(
            buffer, "PNG"
        )
        images.append(buffer.getvalue())
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        list(pool.map(_read, images[:workers]))  # engines loaded and warm
        started = time.perf_counter()
        list(pool.map(_read, images))
        return (time.perf_counter() - started) / pages


def _picture(text: str, size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(samples.cjk_font()), int(size[1] * 0.4))
    draw.text((20, size[1] * 0.25), text, fill=(200, 0, 0), font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _docx_with_pictures(n: int) -> bytes:
    from docx import Document
    from docx.shared import Mm

    document = Document()
    header = document.sections[0].header.paragraphs[0].add_run()
    header.add_picture(io.BytesIO(_picture(f"内部资料{n}", (640, 200))), width=Mm(40))
    for paragraph in samples.SAMPLES[n % len(samples.SAMPLES)].paragraphs():
        document.add_paragraph(paragraph)
    body = document.add_paragraph().add_run()
    body.add_picture(io.BytesIO(_picture(f"2026年第{n}季度供水量", (900, 300))), width=Mm(80))
    for size in (24, 32):
        icon = document.add_paragraph().add_run()
        icon.add_picture(io.BytesIO(_picture("图", (size, size))), width=Mm(4))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def embedded(count: int) -> None:
    """Seconds per .docx with pictures: minyi with and without picture screening, and the
    bare floor (python-docx's pictures, each read once by the same engine)."""
    from docx import Document
    from PIL import Image

    from ingest.reader import read_bytes
    from ingest.record import Format

    files = [_docx_with_pictures(n) for n in range(count)]
    with_pictures, without = IngestOptions(), IngestOptions(max_pictures=0)
    read_bytes(files[0], "0" * 64, "warm.docx", Format.DOCX, with_pictures)  # models loaded
    timings = {}
    for label, options in (("minyi, pictures screened", with_pictures),
                           ("minyi, pictures not read", without)):  # fmt: skip
        started = time.perf_counter()
        for n, data in enumerate(files):
            read_bytes(data, f"{n:064d}", f"{n}.docx", Format.DOCX, options)
        timings[label] = (time.perf_counter() - started) / count
    engine = Tools(IngestOptions()).ocr()
    started = time.perf_counter()
    for data in files:
        document = Document(io.BytesIO(data))
        for part in document.part.package.parts:
            if part.partname.startswith("/word/media/"):
                image = Image.open(io.BytesIO(part.blob)).convert("RGB")
                if min(image.size) >= 48:
                    engine.recognize(image)
    timings["floor: python-docx + bare RapidOCR"] = (time.perf_counter() - started) / count
    for label, seconds in timings.items():
        print(f"  {label:<36} {seconds:6.3f} s/.docx")
    added = timings["minyi, pictures screened"] - timings["minyi, pictures not read"]
    floor = timings["floor: python-docx + bare RapidOCR"]
    print(f"  picture screening adds {added:.3f} s per .docx; minyi/floor {added / floor:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3, help="pages per variant (one per sample)")
    parser.add_argument("--long-run", type=int, default=200)
    parser.add_argument("--child-long-run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-pages", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--embedded", type=int, default=0,
                        help="only the cost of screening pictures inside N .docx files")  # fmt: skip
    args = parser.parse_args()
    if args.child_long_run:
        long_run(args.child_long_run, args.child_pages)
        return
    if args.embedded:
        print(f"pictures inside documents ({args.embedded} .docx, 2 pictures and 2 icons each):")
        embedded(args.embedded)
        return
    have_tesseract = shutil.which("tesseract") is not None
    if not have_tesseract:
        print("tesseract not found (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    engine = Tools(IngestOptions()).ocr()
    tess_peak = 0.0
    print(
        f"{'variant':<11} {'minyi CER':>9} {'s/page':>7} {'tess. CER':>9} {'s/page':>7} {'CER ratio':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:
            ours = theirs = 0.0
            ours_s = theirs_s = 0.0
            for i, sample in enumerate(samples.SAMPLES[: args.samples]):
                truth = "".join(samples.page_lines(sample))
                image = make_page(variant, sample, i + 1)
                started = time.perf_counter()
                ours += cer(read_page(engine, image).text, truth)
                ours_s += time.perf_counter() - started
                if have_tesseract:
                    text, seconds, peak = tesseract(image, Path(tmp))
                    theirs += cer(text, truth)
                    theirs_s += seconds
                    tess_peak = max(tess_peak, peak)
            n = min(args.samples, len(samples.SAMPLES))
            if not have_tesseract:
                ratio = "-"
            elif ours == 0:
                ratio = "inf"  # minyi made no error at all
            else:
                ratio = f"{theirs / ours:.1f}x"
            print(
                f"{variant:<11} {ours / n:9.2%} {ours_s / n:7.2f} {theirs / n:9.2%} {theirs_s / n:7.2f} {ratio:>9}"
            )
    print(f"peak memory of one tesseract run: {tess_peak:.0f} MB")
    per_page = throughput(24, os.cpu_count() or 1)
    print(f"minyi batch throughput: {per_page:.2f} s/page effective with {os.cpu_count()} workers "
          f"(clean, scanned and phone pages)")  # fmt: skip
    if args.long_run:
        with tempfile.TemporaryDirectory() as tmp:
            long_run_pages(Path(tmp))
            out = subprocess.run([sys.executable, __file__, "--child-long-run", str(args.long_run),
                                  "--child-pages", tmp], capture_output=True, text=True, check=True)  # fmt: skip
        rss, per_page = out.stdout.split()
        print(
            f"long run: {args.long_run} pages in one process, peak RSS {rss} MB, {per_page} s/page"
        )


if __name__ == "__main__":
    main()
