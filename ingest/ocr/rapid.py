"""RapidOCR: PaddleOCR's PP-OCR detection and recognition models on onnxruntime.

The models ship inside the ``rapidocr`` wheel, so nothing is downloaded at run
time. The per-line orientation classifier is off: it turned some upright lines
on noisy scans upside down, and those lines were lost; the page's orientation
is decided as a whole instead (``ingest.ocr.page``). One onnxruntime thread per
engine: batches run one engine per core in worker processes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from common.errors import MissingDependencyError
from ingest.ocr import OcrLine, Quad
from ingest.options import IngestOptions

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

_MAX_SIDE = 2000  # RapidOCR's own default limit on the longer side
_DET_SIDE = 1280  # the page's longer side for detection ("Det.limit_side_len" below)
_INK = 200  # a pixel darker than this (0–255 grey) is ink, however faint
_BLOCK = 8  # the ink map's cell, in pixels
_SPECK = 3  # a cell with fewer dark pixels holds a scanner's speck, not a stroke
_AROUND = 48  # pixels of paper kept around the inked part: detectors miss text at an edge


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, options: IngestOptions) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise MissingDependencyError(
                "OCR 识别需要 rapidocr 和 onnxruntime：pip install rapidocr onnxruntime"
            ) from exc
        self._engine = RapidOCR(
            params={
                "Global.use_cls": False,
                "Global.log_level": "error",  # "no text found" is not a warning here
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "EngineConfig.onnxruntime.enable_cpu_mem_arena": False,
                # Detection on the page scaled so its longer side is at most 1,280 px (the
                # default scales the shorter side up to 736 and keeps a 2,000 px page whole).
                # Measured (benchmarks/ocr_settings.py) on clean, scanned, phone and turned
                # pages and on dense 2,100-character pages in 10 pt type: the same CER
                # (≤ 0.25 %; dense ≤ 0.09 %), about half the time a page (clean 2.50 → 1.18 s),
                # 15–18 % less a dense one; 1,024 px was faster still at the same CER.
                "Det.limit_type": "max",
                "Det.limit_side_len": _DET_SIDE,
                # Lines recognised one at a time: batches of six were padded to their widest
                # line and measured 15–30 % slower a page (benchmarks/ocr_settings.py).
                "Rec.rec_batch_num": 1,
            }
        )
        # The first page after loading pays for graph set-up; pay it now, once.
        self._engine(np.full((64, 256, 3), 255, dtype=np.uint8))

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        result: Any = self._engine(np.asarray(_within(image)), use_det=True, use_cls=False,
                                   use_rec=True)  # fmt: skip
        if result.boxes is None or result.txts is None:
            return []
        return [
            OcrLine.from_polygon(text, box, score)
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
        ]

    def detect(self, image: Image.Image) -> list[Quad]:
        """Boxes found on the part of the page that has ink, scaled as the whole page would
        be: the detector's time goes with the pixels it is given, and white margins and the
        empty rest of a short letter's page hold no text."""
        from PIL import Image

        region = _inked(image)
        if region is None:
            return []
        scale = min(1.0, _DET_SIDE / max(image.size))
        left, top, right, bottom = region
        if scale < 1.0:  # (resized straight from the region: no full-size copy of it first)
            size = (max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale)))
            part = image.resize(size, Image.Resampling.BILINEAR, box=region, reducing_gap=3.0)
        else:
            part = image.crop(region)
        # The flags are given every call: RapidOCR keeps the last call's as its own.
        result: Any = self._engine(np.asarray(part), use_det=True, use_cls=False,
                                   use_rec=False)  # fmt: skip
        if getattr(result, "boxes", None) is None:
            return []
        return [tuple((left + float(x) / scale, top + float(y) / scale) for x, y in box)  # type: ignore[misc]
                for box in result.boxes]  # fmt: skip

    def read(self, crops: list[Image.Image]) -> list[tuple[str, float]]:
        if not crops:
            return []
        result: Any = self._engine.recognize_txt([np.asarray(c.convert("RGB")) for c in crops])
        return [(str(t), float(s)) for t, s in zip(result.txts, result.scores, strict=True)]

    def version(self) -> str:
        from importlib.metadata import version

        return f"rapidocr {version('rapidocr')}, onnxruntime {version('onnxruntime')}"


def _within(image: Image.Image) -> Image.Image:
    """The image with its longer side at most ``_MAX_SIDE``: RapidOCR would shrink it
    anyway; doing it first saves memory and time."""
    if max(image.size) <= _MAX_SIDE:
        return image
    small = image.copy()
    small.thumbnail((_MAX_SIDE, _MAX_SIDE))
    return small


def _inked(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) around the page's ink, with ``_AROUND`` pixels of
    paper, or None for a blank page. Ink is any pixel darker than ``_INK``, so faint text
    counts; an 8×8 cell holding fewer than ``_SPECK`` such pixels, or with no such cell
    beside it, is a scanner's speck (a stroke of the thinnest type crosses a cell with 8
    or more, and runs on into the next). Dust larger than that, or a photo's dark
    surround, simply leaves more of the page, or all of it."""
    grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    rows, cols = height // _BLOCK, width // _BLOCK
    if rows == 0 or cols == 0:
        return (0, 0, width, height)
    inked = grey[: rows * _BLOCK, : cols * _BLOCK] < _INK
    dark = inked.reshape(rows, _BLOCK, cols, _BLOCK).sum(axis=(1, 3), dtype=np.uint8) >= _SPECK
    # Strokes run on into the next cell; a cell with no dark neighbour is a speck.
    padded = np.pad(dark, 1)
    neighbours = sum(padded[1 + dy : rows + 1 + dy, 1 + dx : cols + 1 + dx]
                     for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)  # fmt: skip
    dark &= neighbours > 0
    # The strips a whole cell did not cover (the right and bottom edges) count as ink if
    # they hold any: they are never cut.
    edge_right = bool((grey[:, cols * _BLOCK :] < _INK).any())
    edge_bottom = bool((grey[rows * _BLOCK :, :] < _INK).any())
    inked_rows, inked_cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if not len(inked_rows) and not edge_right and not edge_bottom:
        return None
    if not len(inked_rows):
        return (0, 0, width, height)
    left, right = inked_cols[0] * _BLOCK, (inked_cols[-1] + 1) * _BLOCK
    top, bottom = inked_rows[0] * _BLOCK, (inked_rows[-1] + 1) * _BLOCK
    right = width if edge_right else right
    bottom = height if edge_bottom else bottom
    return (max(0, left - _AROUND), max(0, top - _AROUND),
            min(width, right + _AROUND), min(height, bottom + _AROUND))  # fmt: skip
