"""Scans and photos: images (JPEG, PNG, TIFF with several pages, BMP, WebP, GIF, HEIC) read by OCR.

Images are decoded with Pillow under a pixel limit (a decompression bomb is
rejected, not decoded), turned upright by their EXIF orientation, and each
page (a TIFF's frames; an animation's first frame) is read by the OCR engine the
extractor is given. Truncated or damaged
images are rejected with the reason.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from common.errors import ExtractionError
from ingest.extractors import Extraction
from ingest.layout import Line, join_lines
from ingest.ocr.page import read_page
from ingest.options import IngestOptions
from ingest.record import Page, PageSource
from ingest.textnorm import normalise
from ingest.tools import Tools

if TYPE_CHECKING:
    from PIL import Image


def extract(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    engine = tools.ocr()
    pages: list[Page] = []
    lines: list[Line] = []
    for number, image in enumerate(frames(data, options), start=1):
        reading = read_page(engine, image)
        pages.append(Page(number, normalise(reading.text), PageSource.OCR,
                          confidence=reading.confidence))  # fmt: skip
        lines.extend(reading.lines)
    return Extraction(
        pages=tuple(pages), body=tuple(p for p in map(normalise, join_lines(lines)) if p)
    )


def frames(data: bytes, options: IngestOptions) -> Iterator[Image.Image]:
    """Each page of the image, upright and in RGB."""
    from PIL import Image, ImageOps, ImageSequence

    Image.MAX_IMAGE_PIXELS = options.max_image_pixels
    _heif()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            count = getattr(image, "n_frames", 1)
            if image.format not in _PAGED:  # an animation's frames are not pages: the first
                image.load()
                yield on_white(ImageOps.exif_transpose(image))
                return
            if count > options.max_pages:
                raise ExtractionError(f"图片共 {count} 页，超过上限 {options.max_pages} 页")
            for frame in ImageSequence.Iterator(image):
                frame.load()
                yield on_white(ImageOps.exif_transpose(frame))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ExtractionError(
                f"图片像素数异常巨大（超过 {options.max_image_pixels:,} 像素），疑似恶意文件，已拒收"
            ) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise ExtractionError(f"图片已损坏或不完整，无法解码（{exc}）") from exc


# Formats whose frames are a document's pages. An animated GIF, WebP or PNG, or a phone's
# multi-picture JPEG (MPO), is read by its first frame only (seen: a 31-frame GIF read 31
# times, 41 CPU-seconds for the same two letters).
_PAGED = {"TIFF"}


def _heif() -> None:
    """Teach Pillow HEIF/HEIC (iPhone photos) through pillow-heif, once."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a declared dependency
        return
    register_heif_opener()


def on_white(image: Image.Image) -> Image.Image:
    """The image in RGB with any transparency laid on white paper: ``convert("RGB")``
    alone turns transparent pixels black, and black text on them vanishes."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")
