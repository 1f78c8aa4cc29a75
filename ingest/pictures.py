"""Text that is in a file but not in its body, read for screening only.

A 密级 mark is often a picture: a stamp in a .docx header, a scanned 红头 pasted
into a page that otherwise has text. Such pictures, and a PDF's annotations and
form fields, are read here so that screening sees them; their text is never
added to the submission's body (it would print in the issue) and is not stored,
only what screening finds in it, with where it was found.

Cost is bounded: pictures smaller than an icon (``MIN_SIDE`` pixels, or
``MIN_BYTES``) are skipped, at most ``options.max_pictures`` of the largest are
read, each scaled to at most ``MAX_SIDE`` pixels on its longer side, and an
undecodable or oversized picture is skipped (it is the body that must be read).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from ingest.extractors import Picture
from ingest.extractors.scan import on_white
from ingest.ocr.page import read_page
from ingest.options import IngestOptions
from ingest.record import Hidden

if TYPE_CHECKING:
    from PIL import Image

    from ingest.tools import Tools

log = logging.getLogger(__name__)

MIN_SIDE = 48  # bullets, icons and rules are smaller than this
MIN_BYTES = 1024
MAX_SIDE = 1600


def read_pictures(pictures: tuple[Picture, ...], options: IngestOptions,
                  tools: Tools) -> tuple[Hidden, ...]:  # fmt: skip
    """OCR of the pictures worth reading, as hidden passages (empty readings dropped)."""
    chosen = _choose(pictures, options)
    if not chosen:
        return ()
    engine = tools.ocr()
    found = []
    for where, image in chosen:
        text = read_page(engine, image).text.strip()
        if text:
            found.append(Hidden(f"{where}（图片文字识别）", text))
    return tuple(found)


def _choose(pictures: tuple[Picture, ...],
            options: IngestOptions) -> list[tuple[str, Image.Image]]:  # fmt: skip
    candidates = []
    for picture in pictures:
        if len(picture.data) < MIN_BYTES:
            continue
        image = _open(picture, options)
        if image is not None and min(image.size) >= MIN_SIDE:
            candidates.append((image.size[0] * image.size[1], picture.where, image))
    candidates.sort(key=lambda c: -c[0])
    return [(where, _scaled(image)) for _, where, image in candidates[: options.max_pictures]]


def _open(picture: Picture, options: IngestOptions) -> Image.Image | None:
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(picture.data))
        if image.size[0] * image.size[1] > options.max_image_pixels:
            return None
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        log.info("%s无法解码，跳过：%s", picture.where, exc)
        return None
    return image


def _scaled(image: Image.Image) -> Image.Image:
    image = on_white(image)
    longer = max(image.size)
    if longer > MAX_SIDE:
        ratio = MAX_SIDE / longer
        image = image.resize((round(image.size[0] * ratio), round(image.size[1] * ratio)))
    return image
