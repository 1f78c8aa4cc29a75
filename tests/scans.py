"""Scanned pages made in code: Chinese text rendered with a CJK font, then degraded."""

from __future__ import annotations

import io
import random
import unicodedata
from pathlib import Path

import pytest
from conftest import UNDER_CI

from minyi.samples import SAMPLES

FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


def cjk_font() -> Path:
    for font in FONTS:
        if font.exists():
            return font
    if UNDER_CI:
        pytest.fail("a CJK font is required under CI (.ci/run installs fonts-noto-cjk)")
    pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")


def page_lines(width: int = 26) -> list[str]:
    """The first sample submission laid out as a page: title, 反映人, wrapped paragraphs."""
    sample = SAMPLES[0]
    lines = [sample.title, sample.submitter]
    for para in sample.body[:3]:
        text = "\u3000\u3000" + para
        lines += [text[i : i + width] for i in range(0, len(text), width)]
    return lines


def reference() -> str:
    return "".join(page_lines())


def render(lines: list[str], dpi: int = 300):  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw, ImageFont

    scale = dpi / 300
    font = ImageFont.truetype(str(cjk_font()), int(60 * scale))
    image = Image.new("RGB", (int(2480 * scale), int(3508 * scale)), "white")
    draw = ImageDraw.Draw(image)
    y = int(400 * scale)
    for line in lines:
        draw.text((int(330 * scale), y), line, font=font, fill=(20, 20, 20))
        y += int(100 * scale)
    return image


def degrade(image, seed: int = 1):  # type: ignore[no-untyped-def]
    """A scanner's output: slight skew, blur, speckle noise and JPEG artefacts."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = image.rotate(0.6, fillcolor="white", resample=Image.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    pixels = image.load()
    width, height = image.size
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randrange(80, 200)
        pixels[x, y] = (shade, shade, shade)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=45)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def encode(image, fmt: str = "PNG", **kwargs: object) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate: edit distance over the reference length, whitespace removed,
    full- and half-width forms unified."""
    a = _canon(hypothesis)
    b = _canon(truth)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(b))


def _canon(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())
