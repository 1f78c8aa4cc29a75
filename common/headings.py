"""Heading levels of Chinese official prose, by their numbering: 一、 （一） 1. （1）.

One rule shared by the recogniser (which marks an item's body blocks) and the
formatter (which sets them in their faces: 黑体, 楷体, 仿宋). A short numbered
line is a heading throughout; a numbered line that runs on (``一、收费标准不一。
目前……``) has a run-in heading up to its first full stop.
"""

from __future__ import annotations

import re

_NUMBERING = (
    re.compile(r"^[一二三四五六七八九十]{1,3}、"),
    re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]"),
    re.compile(r"^\d{1,2}[.．、](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
)
_RUN_IN = 40  # characters: a heading is never longer


def heading_level(line: str) -> tuple[int, int]:
    """(level 1–4, how much of the line is the heading); (0, 0) for a paragraph."""
    for level, pattern in enumerate(_NUMBERING, start=1):
        if pattern.match(line):
            inner = line.rstrip("。")
            if len(line) <= _RUN_IN and not re.search(r"[。；;！？]", inner):
                return level, len(line)
            stop = re.search(r"[。！？]", line)
            if stop and stop.end() <= _RUN_IN:
                return level, stop.end()
            return 0, 0
    return 0, 0
