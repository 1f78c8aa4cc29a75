"""The OCR seam without a real model: engine choice, PaddleOCR's messages, page layout logic."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ConfigError, MissingDependencyError
from ingest.ocr import OcrLine
from ingest.ocr.page import layout_lines, read_page
from ingest.options import IngestOptions
from ingest.tools import Tools


class FakeEngine:
    """Returns the lines it is given for upright images, garbage for any other orientation."""

    name = "fake"

    def __init__(self, lines: list[OcrLine], upright_size: tuple[int, int]) -> None:
        self.lines = lines
        self.upright = upright_size
        self.calls = 0

    def recognize(self, image) -> list[OcrLine]:  # type: ignore[no-untyped-def]
        from ingest.ocr.page import _MARGIN as m  # read_page adds a white margin

        self.calls += 1
        image = image.crop((m, m, image.size[0] - m, image.size[1] - m))
        if image.size == self.upright and image.getpixel((0, 0)) == (255, 0, 0):
            return self.lines
        if image.size != self.upright:  # sideways: tall boxes, read badly
            return [OcrLine("乱码乱码", 10, 10, 40, 300, 0.3) for _ in range(5)]
        return [OcrLine("乱码乱码", 10, 10, 300, 40, 0.4)]

    def version(self) -> str:
        return "fake"


def line(text: str, x0: float, y: float, x1: float, score: float = 0.99) -> OcrLine:
    return OcrLine(text, x0, y, x1, y + 40, score)


PAGE = [
    line("关于某事的建议", 300, 100, 580),
    line("当前，某地情况如下所述，问题较多，亟需", 100, 200, 900),  # indented? no: the left edge
    line("解决。", 20, 260, 140),
    line("第二段从缩进开始，内容较长较长较长较长", 100, 320, 900),
    line("较长。", 20, 380, 140),
    line("Word", 20, 440, 100),
    line("文档", 105, 440, 180),
]


def test_boxes_become_paragraphs() -> None:
    lines = layout_lines(PAGE)
    from ingest.layout import join_lines

    assert join_lines(lines) == ["关于某事的建议", "当前，某地情况如下所述，问题较多，亟需解决。",
                                 "第二段从缩进开始，内容较长较长较长较长较长。", "Word文档"]  # fmt: skip


def test_upside_down_page_is_turned_and_low_quality_is_reported() -> None:
    from PIL import Image

    upright = Image.new("RGB", (1000, 1400), "white")
    upright.putpixel((0, 0), (255, 0, 0))
    engine = FakeEngine(PAGE, upright.size)
    reading = read_page(engine, upright.rotate(180))
    assert reading.rotation == 180 and "关于某事的建议" in reading.text
    assert reading.confidence == pytest.approx(0.99)
    sideways = upright.rotate(90, expand=True)
    assert read_page(engine, sideways).rotation == 270


def test_unknown_engine_and_paddle_messages(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="未知的 OCR 引擎"):
        Tools(IngestOptions(ocr_engine="nope")).ocr()
    with pytest.raises(ConfigError, match="paddle_det_model_dir"):
        Tools(IngestOptions(ocr_engine="paddleocr")).ocr()
    (tmp_path / "det").mkdir()
    (tmp_path / "rec").mkdir()
    options = IngestOptions(ocr_engine="paddleocr", paddle_det_model_dir=tmp_path / "det",
                            paddle_rec_model_dir=tmp_path / "rec")  # fmt: skip
    try:
        import paddleocr  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match="pip install paddleocr"):
            Tools(options).ocr()


def test_low_confidence_page_is_flagged_not_rejected() -> None:
    from ingest.record import Format, Page, PageSource, Record, Status
    from ingest.screening import ScreenContext, screen_content
    from ingest.screening.lexicon import Lexicons
    from ingest.screening.policy import decide

    pages = (Page(1, "第一页。", PageSource.OCR, confidence=0.97),
             Page(2, "第二页模糊。", PageSource.OCR, confidence=0.62))  # fmt: skip
    record = Record(sha256="", original_name="", format=Format.JPEG, pages=pages,
                    text="第一页。\n第二页模糊。", title="标题")  # fmt: skip
    screened = screen_content(record, ScreenContext(Lexicons().matcher(), 1500, 0.8))
    low = [f for f in screened.findings if f.category == "ocr.low_confidence"]
    assert [f.detail["page"] for f in low] == [2] and "62%" in low[0].text
    assert decide(screened) is Status.FLAGGED
