"""OCR settings by the numbers: RapidOCR's detection size against its defaults, one run.

The same pages for every setting — for each sample a clean 300 dpi page, a scanned copy, a
phone photo and the clean page turned a quarter (as ``benchmarks/ocr.py`` makes them), and
dense pages (about 2,100 characters in 10 pt type, clean and scanned) — read by minyi's
``read_page`` with RapidOCR built with each setting (one thread). Printed per variant: mean
character error rate against the text drawn, and seconds a page; then each setting's time
against RapidOCR's defaults (the peer: ``limit_type=min, limit_side_len=736``).

Usage: python benchmarks/ocr_settings.py [--sizes 1024 1280 1536] [--dense 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus

from ingest.ocr.page import read_page
from ingest.ocr.rapid import RapidOcrEngine
from ingest.options import IngestOptions
from minyi import samples


def dense_page(corpus: Corpus, size: int = 40, per_line: int = 45, rows: int = 48) -> tuple[Any, str]:  # fmt: skip
    """An A4 page at 300 dpi holding about 2,100 characters in 10 pt type."""
    from PIL import Image, ImageDraw, ImageFont

    text = ""
    while len(text) < per_line * rows:
        doc = corpus.document()
        text += "".join(doc.situation + doc.problems + doc.suggestions)
    lines = [text[i * per_line : (i + 1) * per_line] for i in range(rows)]
    font = ImageFont.truetype(str(samples.cjk_font()), size)
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((300, 250 + n * int(size * 1.5)), line, font=font, fill=(20, 20, 20))
    return image, "".join(lines)


def pages(dense: int) -> list[tuple[str, Any, str]]:
    out = []
    for i, sample in enumerate(samples.SAMPLES):
        lines = samples.page_lines(sample)
        reference = "".join(lines).replace("\u3000", "")
        clean = samples.render_page(lines)
        out += [("clean", clean, reference), ("scan", samples.scanned(clean, seed=i), reference),
                ("phone", samples.phone_photo(clean, seed=i), reference),
                ("turned", clean.rotate(90, expand=True), reference)]  # fmt: skip
    corpus = Corpus(5)
    for i in range(dense):
        image, reference = dense_page(corpus)
        out += [
            ("dense", image, reference),
            ("dense-scan", samples.scanned(image, seed=i), reference),
        ]
    return out


def engine(detection: dict[str, Any]) -> RapidOcrEngine:
    from rapidocr import RapidOCR

    built = RapidOcrEngine(IngestOptions())
    built._engine = RapidOCR(params={
        "Global.use_cls": False, "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": False, **detection,
    })  # fmt: skip
    built._engine(np.full((64, 256, 3), 255, dtype=np.uint8))
    return built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 1280, 1536])
    parser.add_argument("--dense", type=int, default=2)
    args = parser.parse_args()
    settings: dict[str, dict[str, Any]] = {
        "RapidOCR 默认（min 736）": {"Det.limit_type": "min", "Det.limit_side_len": 736}
    }
    for size in args.sizes:
        settings[f"max {size}"] = {"Det.limit_type": "max", "Det.limit_side_len": size}
    made = pages(args.dense)
    totals: dict[str, float] = {}
    kinds = list(dict.fromkeys(kind for kind, _, _ in made))
    print(f"{'设置':<22}" + "".join(f"{k:>18}" for k in kinds) + "   （CER / 秒每页）")
    for name, detection in settings.items():
        reader = engine(detection)
        results: dict[str, list[tuple[float, float]]] = {}
        for kind, image, reference in made:
            started = time.perf_counter()
            reading = read_page(reader, image)
            seconds = time.perf_counter() - started
            text = reading.text.replace("\n", "").replace(" ", "")
            results.setdefault(kind, []).append((samples.character_error_rate(text, reference),
                                                 seconds))  # fmt: skip
        totals[name] = sum(s for v in results.values() for _, s in v)
        cells = []
        for kind in kinds:
            cer = sum(c for c, _ in results[kind]) / len(results[kind])
            per_page = sum(s for _, s in results[kind]) / len(results[kind])
            cells.append(f"{cer:8.2%} / {per_page:5.2f}")
        print(f"{name:<22}" + "".join(f"{c:>18}" for c in cells), flush=True)
    peer = next(iter(totals.values()))
    for name, seconds in totals.items():
        print(f"{name}：全部页面 {seconds:.1f} 秒，为默认设置的 {seconds / peer:.2f}")


if __name__ == "__main__":
    main()
