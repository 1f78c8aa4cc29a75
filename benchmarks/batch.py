"""A day's mixed mail: ``minyi process`` end to end against the floor of its parts, one run.

Generates a mixed folder as an office receives it (about 60 % .docx, 15 % text PDF, 5 %
legacy .doc/.rtf/.odt converted by LibreOffice, 20 % scans and phone photos — some turned,
some two-page TIFFs), runs ``minyi process`` on it as a clerk would (a fresh data folder,
a cold start, its own worker count) and prints the wall time with the phase split from the
report's ``timing`` (CPU-seconds summed over the readers).

The floor, measured in the same run on the same files, is what the parts cost with nothing
around them: python-docx on the .docx, pypdfium2's text on the PDFs, one warm soffice
conversion per legacy file, bare RapidOCR (one engine per worker, one thread each, one pass
a page) on the images, and one model load per worker. Spread over the same workers with
nothing idle: ``floor = model load + (docx + pdf + office + ocr) / workers``. The OCR floor
is measured twice: RapidOCR as it comes, and with minyi's detection size (the same work
done bare, so the ratio shows minyi's own overhead). Printed: ``minyi / floor``.

Usage: python benchmarks/batch.py [--files 45] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus

from minyi import samples

LEGACY = (".doc", ".rtf", ".odt")
MINYI_DET = {
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    "Rec.rec_batch_num": 1,
}  # as rapid.py


def generate(folder: Path, count: int, seed: int = 11) -> dict[str, list[Path]]:
    """The mixed folder; returns its files by kind."""
    r = random.Random(seed)
    corpus = Corpus(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, list[Path]] = {"docx": [], "pdf": [], "legacy": [], "image": []}
    shares = {"pdf": 0.15, "legacy": 0.05, "image": 0.20}
    plan = [k for k, share in shares.items() for _ in range(max(1, round(count * share)))]
    plan = (plan + ["docx"] * count)[:count]
    r.shuffle(plan)
    staging = Path(tempfile.mkdtemp(prefix="minyi-batch-legacy-"))
    for n in range(count):
        kind = plan[n]
        doc = corpus.document()
        paragraphs = [doc.title, doc.submitter, "".join(doc.situation), "一、存在的问题",
                      "".join(doc.problems), "二、几点建议", "".join(doc.suggestions)]  # fmt: skip
        name = f"{n:03d}-{doc.title[:12]}"
        if kind == "docx":
            path = folder / f"{name}.docx"
            samples.make_docx(path, paragraphs)
        elif kind == "pdf":
            path = folder / f"{name}.pdf"
            lines = [line for p in paragraphs for line in samples._wrap(p, 28)]
            samples.make_pdf(path, [lines[:22], lines[22:44]] if len(lines) > 22 else [lines])
        elif kind == "legacy":
            suffix = LEGACY[len(kinds["legacy"]) % len(LEGACY)]
            source = staging / f"{name}.docx"
            samples.make_docx(source, paragraphs)
            subprocess.run(["soffice", "--headless", "--convert-to", suffix[1:], "--outdir",
                            str(staging), str(source)], check=True, capture_output=True,
                           timeout=120)  # fmt: skip
            path = folder / f"{name}{suffix}"
            shutil.move(staging / f"{name}{suffix}", path)
        else:
            sample = samples.Sample(
                doc.title, doc.submitter, ("".join(doc.situation), "".join(doc.problems))
            )
            page = samples.render_page(samples.page_lines(sample))
            variant = len(kinds["image"]) % 5
            if variant == 0:
                path = folder / f"{name}.jpg"
                samples.scanned(page, seed=n).save(path, "JPEG", quality=85)
            elif variant == 1:
                path = folder / f"{name}.jpg"
                samples.phone_photo(page, seed=n).save(path, "JPEG", quality=85)
            elif variant == 2:  # turned a quarter, as a phone stores a landscape shot
                path = folder / f"{name}.png"
                page.rotate(90, expand=True).save(path, "PNG")
            elif variant == 3:  # two pages
                path = folder / f"{name}.tif"
                second = samples.render_page(samples.page_lines(samples.SAMPLES[n % 3]))
                page.save(path, "TIFF", save_all=True, append_images=[second],
                          compression="tiff_lzw")  # fmt: skip
            else:
                path = folder / f"{name}.png"
                page.save(path, "PNG")
        kinds[kind].append(path)
    shutil.rmtree(staging, ignore_errors=True)
    return kinds


def run_minyi(folder: Path, data: Path, workers: int) -> tuple[float, list[dict]]:
    report = data.parent / "report.jsonl"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "minyi", "process", str(folder), "--data", str(data),
         "--report", str(report)], capture_output=True, text=True,
        env={**os.environ, "MINYI_WORKERS": str(workers)},
    )  # fmt: skip
    wall = time.perf_counter() - started
    if result.returncode not in (0, 3):
        raise SystemExit(result.stderr)
    lines = [json.loads(x) for x in report.read_text(encoding="utf-8").splitlines()]
    return wall, lines


def _ocr_worker(job: tuple[list[str], dict]) -> tuple[float, float, int]:
    """Bare RapidOCR in one process: (model load, recognition seconds, pages)."""
    paths, params = job
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence
    from rapidocr import RapidOCR

    started = time.perf_counter()
    engine = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error",
                              "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                              "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                              **params})  # fmt: skip
    engine(np.full((64, 256, 3), 255, dtype=np.uint8))
    load = time.perf_counter() - started
    started = time.perf_counter()
    pages = 0
    for path in paths:
        with Image.open(path) as image:
            frames = ImageSequence.Iterator(image) if image.format == "TIFF" else [image]
            for frame in frames:
                page = ImageOps.exif_transpose(frame).convert("RGB")
                page.thumbnail((2000, 2000))
                engine(np.asarray(page))
                pages += 1
    return load, time.perf_counter() - started, pages


def floor(kinds: dict[str, list[Path]], workers: int) -> dict[str, float]:
    from concurrent.futures import ProcessPoolExecutor

    import docx
    import pypdfium2 as pdfium

    parts: dict[str, float] = {}
    started = time.perf_counter()
    for path in kinds["docx"]:
        document = docx.Document(str(path))
        "\n".join(p.text for p in document.paragraphs)
    parts["docx"] = time.perf_counter() - started
    started = time.perf_counter()
    for path in kinds["pdf"]:
        pdf = pdfium.PdfDocument(str(path))
        for i in range(len(pdf)):
            pdf[i].get_textpage().get_text_range()
        pdf.close()
    parts["pdf"] = time.perf_counter() - started
    from office import LibreOffice, find_soffice

    office = LibreOffice(find_soffice() or "soffice", timeout=120)
    with tempfile.TemporaryDirectory() as temp:
        if kinds["legacy"]:
            office.convert(kinds["legacy"][0], Path(temp) / "warm.docx")  # warm: start excluded
        started = time.perf_counter()
        for n, path in enumerate(kinds["legacy"]):
            office.convert(path, Path(temp) / f"{n}.docx")
        parts["office"] = time.perf_counter() - started
    office.close()
    images = [str(p) for p in kinds["image"]]
    shares = [images[i::workers] for i in range(workers)]
    # RapidOCR as it comes, and with minyi's detection size (the same work, bare).
    for key, params in (("ocr", {}), ("ocr_same", MINYI_DET)):
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_ocr_worker, [(share, params) for share in shares]))
        parts[f"model{key[3:]}"] = max(r[0] for r in results)
        parts[key] = sum(r[1] for r in results)
        parts["ocr_pages"] = sum(r[2] for r in results)
    rest = parts["docx"] + parts["pdf"] + parts["office"]
    parts["floor"] = parts["model"] + (rest + parts["ocr"]) / workers
    parts["floor_same"] = parts["model_same"] + (rest + parts["ocr_same"]) / workers
    return parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=45)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="minyi-batch-"))
    folder = root / "mail"
    if not folder.exists():
        kinds = generate(folder, args.files)
    else:
        kinds = {"docx": [], "pdf": [], "legacy": [], "image": []}
        for path in sorted(folder.iterdir()):
            suffix = path.suffix.lower()
            kind = ("docx" if suffix == ".docx" else "pdf" if suffix == ".pdf"
                    else "legacy" if suffix in LEGACY else "image")  # fmt: skip
            kinds[kind].append(path)
    counts = "，".join(f"{k} {len(v)}" for k, v in kinds.items())
    print(
        f"混合文件夹：{sum(map(len, kinds.values()))} 个文件（{counts}）；{args.workers} 个读取进程"
    )
    data = root / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(root / "report.jsonl", ignore_errors=True)
    wall, lines = run_minyi(folder, data, args.workers)
    phases: dict[str, float] = {}
    for line in lines:
        for name, seconds in (line.get("timing") or {}).items():
            phases[name] = phases.get(name, 0.0) + seconds
    read = sum(1 for x in lines if x.get("id"))
    print(
        f"\nminyi process：{wall:.1f} 秒（登记 {read} 篇，{wall / max(1, len(lines)):.2f} 秒/个）"
    )
    for name, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<13} {seconds:7.1f} 秒")
    print(f"  （各阶段合计 {sum(phases.values()):.1f} 秒，{args.workers} 个进程同时读取）")
    parts = floor(kinds, args.workers)
    print(
        f"\n地板（同一次运行，同样的文件）：{parts['floor']:.1f} 秒（RapidOCR 默认设置）；"
        f"{parts['floor_same']:.1f} 秒（与 minyi 相同的检测尺寸）"
    )
    for name in ("model", "ocr", "ocr_same", "office", "pdf", "docx"):
        extra = f"（{parts['ocr_pages']:.0f} 页）" if name.startswith("ocr") else ""
        print(f"  {name:<13} {parts[name]:7.1f} 秒{extra}")
    print(
        f"\nminyi / floor = {wall / parts['floor']:.2f}（默认设置的裸 RapidOCR）；"
        f"{wall / parts['floor_same']:.2f}（相同检测尺寸）"
    )
    image_ocr = phases.get("ocr", 0.0)
    print(
        f"OCR：minyi {image_ocr:.1f} 秒 / 裸 RapidOCR {parts['ocr']:.1f} 秒 = "
        f"{image_ocr / max(parts['ocr'], 1e-9):.2f}；相同检测尺寸 {parts['ocr_same']:.1f} 秒 = "
        f"{image_ocr / max(parts['ocr_same'], 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
