"""Scanned pages for the tests (built by minyi.samples), and the character error rate."""

from __future__ import annotations

import io

import pytest
from conftest import UNDER_CI

from minyi import samples


def _font_or_skip() -> None:
    if samples.cjk_font() is None:
        if UNDER_CI:
            pytest.fail("a CJK font is required under CI (.ci/run installs fonts-noto-cjk)")
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")


def page_lines() -> list[str]:
    return samples.page_lines()


def reference() -> str:
    return "".join(samples.page_lines())


def render(lines: list[str], dpi: int = 300):  # type: ignore[no-untyped-def]
    _font_or_skip()
    return samples.render_page(lines, dpi)


def degrade(image, seed: int = 1):  # type: ignore[no-untyped-def]
    return samples.scanned(image, seed)


def encode(image, fmt: str = "PNG", **kwargs: object) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


cer = samples.character_error_rate
