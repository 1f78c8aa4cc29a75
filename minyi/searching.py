"""The office's words for the search: taught to the segmenter wherever text is indexed.

Units and names the registry has recognised in bylines, and the word lists the
office names in ``search_words`` (place names, units: one a line). ``process``,
``watch`` and ``search`` all call this before they index or query, so a local
word is one word in the index (白沙河, not 白 沙河) and ranks as one.
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
