"""The OCR seam: engines that turn a page image into text lines with boxes and scores.

``OcrEngine`` is the protocol; RapidOCR (PaddleOCR's PP-OCR models as ONNX,
shipped inside its wheel) is the default, PaddleOCR an optional engine for
offices that install it with local models, and a fake engine serves the tests.
An engine that can also detect and read apart is a ``StagedEngine``.
Engines are listed in one mapping; the scan extractor receives an engine and
never builds one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ingest.options import IngestOptions

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class OcrLine:
    """One recognised text line: its text, its box in pixels and the engine's score."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @classmethod
    def from_polygon(cls, text: str, polygon: Any, score: float) -> OcrLine:
        """From an engine's box corners (an N×2 array of x, y)."""
        xs, ys = polygon[:, 0], polygon[:, 1]
        return cls(text, float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()),
                   float(score))  # fmt: skip

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        """Text lines found in ``image`` (RGB), in any order."""
        ...

    def version(self) -> str: ...


Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
"""A text box's corners in pixels, clockwise from the top left."""


@runtime_checkable
class StagedEngine(OcrEngine, Protocol):
    """An engine whose text detection and line recognition can be called apart, so a page
    is detected once however it has to be turned (``ingest.ocr.page``)."""

    def detect(self, image: Image.Image) -> list[Quad]:
        """The text boxes in ``image`` (RGB), in any order."""
        ...

    def read(self, crops: list[Image.Image]) -> list[tuple[str, float]]:
        """Each crop's text (one line, upright) and score, in order."""
        ...


def _rapidocr(options: IngestOptions) -> OcrEngine:
    from ingest.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine(options)


def _paddleocr(options: IngestOptions) -> OcrEngine:
    from ingest.ocr.paddle import PaddleOcrEngine

    return PaddleOcrEngine(options)


ENGINES: dict[str, Callable[[IngestOptions], OcrEngine]] = {
    "rapidocr": _rapidocr,
    "paddleocr": _paddleocr,
}
