"""OCR settings by the numbers: what each RapidOCR / onnxruntime setting does to time and CER.

The same pages for every setting — for each sample a clean 300 dpi page, a scanned copy, a
phone photo and the clean page turned a quarter (as ``benchmarks/ocr.py`` makes them); dense
pages (about 2,100 characters in 10 pt type, clean and scanned, and in two columns; a ruled
table of about 1,600 characters in 8 pt type, read row by row); and a page of numbers
(telephone and identity numbers, sums, dates, runs of the same digit, in 30–40 px type, which
a setting that squeezes text loses first) — read by minyi's ``read_page`` with RapidOCR
built with each setting. Printed per page kind: mean character error rate against the text
drawn, and seconds a page; then each setting's total time against RapidOCR's defaults (the
peer: ``limit_type=min, limit_side_len=736``, batches of six, one thread). Every row reads
pages through minyi's own ``read_page`` and the engine's ``detect``/``read`` (one detection a
page), so the rows differ by the setting alone; bare RapidOCR end to end
is the floor in ``benchmarks/batch.py`` and ``benchmarks/ocr.py``.

Settings: the detection size (``Det.limit_type``/``limit_side_len``), the recognition batch
(``Rec.rec_batch_num``), onnxruntime's threads (two threads on one page, against two
single-thread workers: the effective seconds a page on two cores is printed apart), its graph
optimisation level, line crops squeezed to fewer pixels a character, and the recognition
model's MatMuls quantised to int8 (onnxruntime's dynamic quantisation; needs the ``onnx``
package, skipped with a message without it). RapidOCR's wheel ships one model size (the small
PP-OCR detection and recognition models): the others are downloads, which minyi never makes.

Usage: python benchmarks/ocr_settings.py [--dense 2] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus

from ingest.ocr.page import read_page
from ingest.ocr.rapid import RapidOcrEngine
from ingest.options import IngestOptions
from minyi import samples

NUMBERS = ["联系电话13800138000，邮编100000，身份证号110101199003070011。",
           "2026年11月30日共投入资金1000000元，同比增长11.11%，达到2000万人次。",
           "编号ABC-2000-0011，网址www.example.gov.cn，邮箱office@zx.gov.cn。",
           "第111号、第1111号、第11111号文件已于2000年1月1日至2001年11月11日下发。",
           "GDP增长率0.001%，PM2.5浓度为35μg/m3，宽带覆盖率99.99%。"]  # fmt: skip


def dense_page(corpus: Corpus, size: int = 40, per_line: int = 45, rows: int = 48) -> tuple[Any, str]:  # fmt: skip
    """An A4 page at 300 dpi holding about 2,100 characters in 10 pt type."""
    text = _dense_text(corpus, per_line * rows)
    lines = [text[i * per_line : (i + 1) * per_line] for i in range(rows)]
    return _draw(lines, size, 1.5, 300), "".join(lines)


def _dense_text(corpus: Corpus, length: int) -> str:
    text = ""
    while len(text) < length:
        doc = corpus.document()
        text += "".join(doc.situation + doc.problems + doc.suggestions)
    return text


def columns_page(corpus: Corpus, size: int = 40, per_line: int = 22, rows: int = 48) -> tuple[Any, str]:  # fmt: skip
    """An A4 page in two columns, about 2,100 characters in 10 pt type; read column by column."""
    from PIL import Image, ImageDraw, ImageFont

    text = _dense_text(corpus, 2 * per_line * rows)
    lines = [text[i * per_line : (i + 1) * per_line] for i in range(2 * rows)]
    font = ImageFont.truetype(str(samples.cjk_font()), size)
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        left = 240 if n < rows else 240 + per_line * size + 160  # a 160 px gutter
        draw.text((left, 250 + (n % rows) * int(size * 1.5)), line, font=font, fill=(20, 20, 20))
    return image, "".join(lines)


def table_page(corpus: Corpus, size: int = 34, rows: int = 50) -> tuple[Any, str]:
    """An A4 page holding a ruled table in about 8 pt type, about 1,600 characters: number,
    township, project, amount in 万元, households; read row by row."""
    from PIL import Image, ImageDraw, ImageFont

    text = _dense_text(corpus, rows * 18)
    towns = ["城关镇", "河西乡", "柳树湾村", "东关街道", "石门镇", "新华社区"]
    table = [["序号", "乡镇（村）", "项目", "金额（万元）", "受益户数"]]
    for n in range(1, rows):
        table.append([str(n), towns[n % len(towns)], text[n * 18 : n * 18 + 18],
                      f"{(n * 37.5) % 1000:.2f}", str(n * 113 % 2000)])  # fmt: skip
    widths = [130, 330, 18 * size + 40, 260, 220]
    font = ImageFont.truetype(str(samples.cjk_font()), size)
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    top, pitch, left = 200, int(size * 1.9), 160
    for r, row in enumerate(table):
        x = left
        for cell, width in zip(row, widths, strict=True):
            draw.text((x + 16, top + r * pitch + (pitch - size) // 2), cell, font=font,
                      fill=(20, 20, 20))  # fmt: skip
            x += width
    right, bottom = left + sum(widths), top + len(table) * pitch
    for r in range(len(table) + 1):
        draw.line([(left, top + r * pitch), (right, top + r * pitch)], fill=(60, 60, 60), width=3)
    x = left
    for width in [0, *widths]:
        x += width
        draw.line([(x, top), (x, bottom)], fill=(60, 60, 60), width=3)
    return image, "".join("".join(row) for row in table)


def _draw(lines: list[str], size: int, pitch: float, left: int) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(samples.cjk_font()), size)
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((left, 250 + n * int(size * pitch)), line, font=font, fill=(20, 20, 20))
    return image


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
            ("dense-columns", *columns_page(corpus)),
            ("dense-table", *table_page(corpus)),
        ]
    for size in (30, 40):
        out.append(("numbers", _draw(NUMBERS, size, 2.0, 200), "".join(NUMBERS)))
    return out


PEER = {"Det.limit_type": "min", "Det.limit_side_len": 736, "Rec.rec_batch_num": 6}
CHOSEN = {"Det.limit_type": "max", "Det.limit_side_len": 1280, "Rec.rec_batch_num": 1}


def engine(settings: dict[str, Any], threads: int = 1) -> RapidOcrEngine:
    from rapidocr import RapidOCR

    built = RapidOcrEngine(IngestOptions())
    built._engine = RapidOCR(params={
        "Global.use_cls": False, "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": False, **settings,
    })  # fmt: skip
    built._engine(np.full((64, 256, 3), 255, dtype=np.uint8))
    return built


class Squeezed(RapidOcrEngine):
    """Line crops narrowed before recognition: fewer pixels, so less work, a character."""

    factor = 0.75

    def read(self, crops: list[Any]) -> list[tuple[str, float]]:
        narrowed = [c.resize((max(1, int(c.size[0] * self.factor)), c.size[1])) for c in crops]
        return super().read(narrowed)


def basic_graph() -> Callable[[], None]:
    """onnxruntime's basic graph optimisations only, for the engines built until undone."""
    from onnxruntime import GraphOptimizationLevel
    from rapidocr.inference_engine.onnxruntime import main as ort_main

    original = ort_main.OrtInferSession._init_sess_opts

    def options(cfg: Any) -> Any:
        made = original(cfg)
        made.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_BASIC
        return made

    ort_main.OrtInferSession._init_sess_opts = staticmethod(options)  # type: ignore[method-assign]
    return lambda: setattr(ort_main.OrtInferSession, "_init_sess_opts", staticmethod(original))


def int8_recognizer(folder: Path) -> Path | None:
    """The recognition model with its MatMuls quantised to int8, or None without ``onnx``."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return None
    import rapidocr

    model = Path(rapidocr.__file__).parent / "models" / "PP-OCRv6_rec_small.onnx"
    target = folder / "rec_int8.onnx"
    try:
        quantize_dynamic(model, target, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])  # fmt: skip
    except ImportError:  # onnxruntime.quantization imports onnx lazily
        return None
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dense", type=int, default=2)
    parser.add_argument("--only", nargs="+", help="settings to run (names as printed)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    quantised = int8_recognizer(folder)
    # name -> (settings, threads, engine class, hook installed while building)
    settings: dict[str, tuple[dict[str, Any], int, type[RapidOcrEngine], Any]] = {
        "RapidOCR 默认（min 736，批 6）": (PEER, 1, RapidOcrEngine, None),
        "max 1024，批 1": ({**CHOSEN, "Det.limit_side_len": 1024}, 1, RapidOcrEngine, None),
        "max 1280，批 6": ({**CHOSEN, "Rec.rec_batch_num": 6}, 1, RapidOcrEngine, None),
        "max 1280，批 1（采用）": (CHOSEN, 1, RapidOcrEngine, None),
        "max 1536，批 1": ({**CHOSEN, "Det.limit_side_len": 1536}, 1, RapidOcrEngine, None),
        "采用 + 2 线程": (CHOSEN, 2, RapidOcrEngine, None),
        "采用 + 基本图优化": (CHOSEN, 1, RapidOcrEngine, basic_graph),
        "采用 + 行图压窄 0.75": (CHOSEN, 1, Squeezed, None),
    }
    if quantised is not None:
        settings["采用 + 识别 int8"] = ({**CHOSEN, "Rec.model_path": str(quantised)}, 1,
                                         RapidOcrEngine, None)  # fmt: skip
    else:
        print("（未安装 onnx：跳过 int8 量化一行；pip install onnx 后可测）")
    if args.only:
        settings = {k: v for k, v in settings.items() if k in args.only}
    made = pages(args.dense)
    totals: dict[str, float] = {}
    kinds = list(dict.fromkeys(kind for kind, _, _ in made))
    print(f"{'设置':<24}" + "".join(f"{k:>17}" for k in kinds) + "   （CER / 秒每页）")
    for name, (chosen, threads, kind_of_engine, hook) in settings.items():
        undo = hook() if hook else None
        reader = engine(chosen, threads)
        if undo:
            undo()
        if kind_of_engine is not RapidOcrEngine:
            reader.__class__ = kind_of_engine
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
            cells.append(f"{cer:7.2%} / {per_page:5.2f}")
        print(f"{name:<24}" + "".join(f"{c:>17}" for c in cells), flush=True)
    peer = next(iter(totals.values()))
    count = len(made)
    for name, seconds in totals.items():
        # Two single-thread workers read two pages at once on two cores; one two-thread
        # engine reads one page at a time.
        effective = seconds / count / (1 if "2 线程" in name else 2)
        print(f"{name}：全部页面 {seconds:.1f} 秒，为默认设置的 {seconds / peer:.2f}；"
              f"两核有效 {effective:.2f} 秒每页")  # fmt: skip


if __name__ == "__main__":
    main()
