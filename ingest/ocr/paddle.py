"""PaddleOCR, for offices that install it (``pip install 'minyi[paddle]'``) with local models.

It is never needed for minyi to work or for its tests: the default engine is
RapidOCR. Model folders must be given in settings (``paddle_det_model_dir``,
``paddle_rec_model_dir``), since nothing may be downloaded at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from common.errors import ConfigError, MissingDependencyError
from ingest.ocr import OcrLine
from ingest.options import IngestOptions

if TYPE_CHECKING:
    from PIL import Image


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self, options: IngestOptions) -> None:
        det, rec = options.paddle_det_model_dir, options.paddle_rec_model_dir
        if det is None or rec is None or not det.is_dir() or not rec.is_dir():
            raise ConfigError(
                "使用 PaddleOCR 须在配置中指定本地模型目录 paddle_det_model_dir 和 "
                'paddle_rec_model_dir（程序不会联网下载模型）；或改用默认的 ocr_engine = "rapidocr"'
            )
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise MissingDependencyError(
                "未安装 PaddleOCR：pip install paddleocr paddlepaddle；"
                '或改用默认的 ocr_engine = "rapidocr"'
            ) from exc
        self._engine: Any = PaddleOCR(
            text_detection_model_dir=str(det),
            text_recognition_model_dir=str(rec),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
        )

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        return [
            OcrLine.from_polygon(text, poly, score)
            for page in self._engine.predict(np.asarray(image))
            for poly, text, score in zip(
                page["rec_polys"], page["rec_texts"], page["rec_scores"], strict=True
            )
        ]

    def version(self) -> str:
        from importlib.metadata import version

        return f"paddleocr {version('paddleocr')}"
