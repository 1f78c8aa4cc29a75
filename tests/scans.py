"""Scanned pages for the tests (built by minyi.samples), and the character error rate."""

from __future__ import annotations

import io
import unicodedata

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


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate: edit distance over the reference length, whitespace removed,
    full- and half-width forms unified."""
    a, b = _canon(hypothesis), _canon(truth)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(b))


def _canon(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())
