"""The knobs the intake library needs, as one frozen value built by the app layer."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class IngestOptions:
    """Limits and thresholds for reading submissions.

    The limits bound what a hostile file can cost: its size on disk, what its
    zip container may unpack to, how many parts it may hold, how many pages.
    """

    max_file_bytes: int = 100 * MB
    max_unpacked_bytes: int = 300 * MB
    max_zip_entries: int = 5000
    max_pages: int = 2000
    # A PDF page with fewer readable characters than this, and an image on it,
    # is a scan that needs OCR.
    min_page_chars: int = 10
    workers: int = 0  # 0: one per CPU core
