"""The knobs the intake library needs, as one frozen value built by the app layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class DedupParams:
    """How texts are shingled and indexed for near duplicates.

    Stored with the index in the registry; the index is rebuilt when they change.
    """

    # Chosen by measurement (benchmarks/dedup.py; figures in the README).
    shingle: int = 5
    num_perm: int = 128
    bands: int = 64

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError("num_perm must be a multiple of bands")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    def key(self) -> str:
        return f"char{self.shingle}/perm{self.num_perm}/bands{self.bands}"


@dataclass(frozen=True)
class IngestOptions:
    """Limits and thresholds for reading submissions.

    The limits bound what a hostile file can cost: its size on disk, what its
    zip container may unpack to, how many parts it may hold, how many pages.
    """

    max_file_bytes: int = 100 * MB
    max_unpacked_bytes: int = 300 * MB
    max_zip_entries: int = 5000
    max_xml_part_bytes: int = 64 * MB  # one Word XML part (document.xml…) at most
    max_pages: int = 2000
    # Characters of text a submission may hold once read (a 社情民意 item is a few
    # thousand); more is refused before screening, whose cost grows with the text.
    max_text_chars: int = 1_000_000
    # A PDF page with fewer readable characters than this, and an image on it,
    # is a scan that needs OCR.
    min_page_chars: int = 10
    workers: int = 0  # 0: one per CPU core
    # Screening
    lexicons: tuple[Path, ...] = ()
    whitelists: tuple[Path, ...] = ()
    max_chars: int = 1500
    dedup: DedupParams = field(default_factory=DedupParams)
    near_threshold: float = 0.35  # Jaccard of shingle sets
    containment_threshold: float = 0.7  # share of the shorter text inside the longer
    min_dedup_chars: int = 50  # shorter texts never match anything
    # OCR and conversion
    ocr_engine: str = "rapidocr"
    ocr_dpi: int = 300
    ocr_min_confidence: float = 0.8  # pages read less surely are flagged for checking
    max_image_pixels: int = 100_000_000
    # Pictures inside a document (a stamp, a pasted 红头) read by OCR for screening only;
    # the largest this many are read (0: none).
    max_pictures: int = 6
    office_timeout: float = 120
    # Seconds one file may take to read (OCR of a long scan included) before it is given up.
    file_timeout: float = 900
    paddle_det_model_dir: Path | None = None
    paddle_rec_model_dir: Path | None = None


@dataclass(frozen=True)
class WatchOptions:
    """How the watched inbox is observed and how patiently files are waited for."""

    mode: str = "auto"  # "events", "polling", or "auto": polling on network file systems
    settle: float = 2.0  # seconds a file must stay unchanged
    settle_closed: float = 0.5  # ... once an event says its writer closed it
    give_up: float = 60.0  # an unchanged but incomplete file is taken (and rejected) after this
    rescan: float = 30.0  # seconds between full rescans that catch missed events
    poll: float = 1.0  # polling interval in polling mode
    retries: int = 8  # transient failures (locked, permissions, disk full) before giving up
    backoff: float = 2.0  # seconds before the first retry, doubling each time (at most 10 min)
    # On a stop, files being read are waited for this long; the rest stay in the inbox and
    # are read again at the next start (a service manager kills a slow stop after 90 s).
    stop_grace: float = 20.0
