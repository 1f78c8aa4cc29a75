"""The office's words for the search: taught to the query reader before a query is read.

Units and names the registry has recognised in bylines, and the word lists the
office names in ``search_words`` (place names, units: one a line). A long term
typed without spaces is cut into words; these stay whole (白沙河, not 白 沙河).
"""

from __future__ import annotations

from common.errors import InputError
from ingest import search
from ingest.registry import Registry
from minyi.settings import Settings


def teach_words(registry: Registry, settings: Settings) -> int:
    """Add the office's words to the segmenter; returns how many."""
    words = list(registry.local_words())
    for path in settings.search_words:
        try:
            words += path.read_text(encoding="utf-8-sig").split()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"无法读取检索词表「{path}」：{exc}") from exc
    return search.add_words(words)
