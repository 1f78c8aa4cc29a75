"""RapidOCR: PaddleOCR's PP-OCR detection and recognition models on onnxruntime.

The models ship inside the ``rapidocr`` wheel, so nothing is downloaded at run
time. The per-line orientation classifier is off: it turned some upright lines
on noisy scans upside down, and those lines were lost; the page's orientation
is decided as a whole instead (``ingest.ocr.page``). One onnxruntime thread per
engine: batches run one engine per core in worker processes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
_READ_GROUP = 8  # lines recognised between two heap trims (``RapidOcrEngine.read``)


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
        import cv2

        cv2.setNumThreads(1)  # one core per reader, as for the models
        # The first page after loading pays for graph set-up; pay it now, once, for both
        # models (RapidOCR loads the recognition model at the first line it reads).
        self._engine(np.full((64, 256, 3), 255, dtype=np.uint8))
        self._engine.recognize_txt([np.full((48, 160, 3), 255, dtype=np.uint8)])

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
        """Boxes found on the whole page, scaled as RapidOCR scales it.

        Detecting only the inked part of the page (at the same scale) was measured and
        given up: the detector's channel attention pools over the whole picture, and
        without the white paper around it, faint small type (grey 185, 7 pt) was missed
        in 5 of 15 places where the whole page found it every time."""
        det = self._engine.cfg.Det  # minyi's settings, or a benchmark's
        small = _for_detection(image, det.limit_side_len if det.limit_type == "max" else None)
        # The last page's working memory (freed, but kept by the C heap) goes back to the
        # system before this one's is taken: a reader's peak is one page's need, not one page's
        # on top of the last. Measured on 28 scanned, phone and turned pages in one process
        # (as a worker reads them): peak 569–608 → 486–536 MB (between pages 430 → 350–410 MB),
        # for 4–7 % more time a page (the detector's memory is faulted in again).
        _trim()
        # The flags are given every call: RapidOCR keeps the last call's as its own.
        result: Any = self._engine(small, use_det=True, use_cls=False, use_rec=False)
        if getattr(result, "boxes", None) is None:
            return []
        across, down = image.size[0] / small.shape[1], image.size[1] / small.shape[0]
        return [tuple((float(x) * across, float(y) * down) for x, y in box)  # type: ignore[misc]
                for box in result.boxes]  # fmt: skip

    def read(self, crops: list[Image.Image]) -> list[tuple[str, float]]:
        read: list[tuple[str, float]] = []
        # Lines in groups, the heap trimmed between groups: each line's freed working memory
        # otherwise stayed with the C heap through a whole page, and a dense page's 45 lines
        # took a reader to 552–669 MB (benchmarks/ocr_runtimes.py's pages, one process, four
        # runs beside each other); in groups of eight, 522–545 MB. Its --workers 1 runs, three
        # each way: 524–584 → 526–551 MB, for 3–6 % more time on those pages (dense ones
        # weigh most); nothing measurable on benchmarks/ocr.py's long run.
        for start in range(0, len(crops), _READ_GROUP):
            if start:
                _trim()
            group = crops[start : start + _READ_GROUP]
            rgb = [np.asarray(c if c.mode == "RGB" else c.convert("RGB")) for c in group]
            result: Any = self._engine.recognize_txt(rgb)
            read += [(str(t), float(s)) for t, s in zip(result.txts, result.scores, strict=True)]
        return read

    def version(self) -> str:
        from importlib.metadata import version

        return f"rapidocr {version('rapidocr')}, onnxruntime {version('onnxruntime')}"


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None under another C library."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _trim() -> None:
    """Give the C heap's free pages back to the system (glibc keeps them otherwise)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _for_detection(image: Image.Image, side: int | None = _DET_SIDE) -> np.ndarray:
    """The page's pixels at the detector's input size, made in one area-averaging step.

    RapidOCR's own sizes (the longer side ``side``, both sides rounded to multiples of 32,
    the same rounding), so it has nothing left to resize. With ``side`` None (RapidOCR
    scaling the shorter side instead) the page is only kept within 2,000 px, as before.

    Shrinking the 300 dpi page to 2,000 px with Pillow's bicubic filter and then to this
    size (RapidOCR's bilinear resize) cost 90–100 ms a page; this takes 10–25 ms. Measured on
    benchmarks/ocr_settings.py's pages: the same CER (a turned page one character better, a
    dense scan one worse in 2,160); faint 7 pt type found in 24 of 32 places at grey 190–195
    against 23, and in 16 of 16 at grey 185 as before. Smaller pictures, and strips RapidOCR
    would not detect in at all (a side rounding to 0), are left to RapidOCR as before."""
    import cv2

    if side is not None:
        width, height = image.size
        ratio = side / max(width, height)
        size = (round(int(width * ratio) / 32) * 32, round(int(height * ratio) / 32) * 32)
        if ratio < 1 and min(size) > 0:
            rgb = image if image.mode == "RGB" else image.convert("RGB")
            return cv2.resize(np.asarray(rgb), size, interpolation=cv2.INTER_AREA)
    return np.asarray(_within(image))


def _within(image: Image.Image) -> Image.Image:
    """The image with its longer side at most ``_MAX_SIDE``: RapidOCR would shrink it
    anyway; doing it first saves memory and time."""
    if max(image.size) <= _MAX_SIDE:
        return image
    small = image.copy()
    small.thumbnail((_MAX_SIDE, _MAX_SIDE))
    return small
