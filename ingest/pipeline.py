"""The batch pipeline: a folder in, one receipt per file out, in a repeatable order.

The main process walks the folder, hashes each file and checks the registry;
only content not seen before is sent to the workers, which read, extract and
keep the original (see ``reader``). Results are committed strictly in the
order of the files' relative paths, so ids and report lines come out the same
on every run. A repeat of bytes already registered — earlier or in this very
batch — becomes a receipt pointing at the first registration.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from common import timing
from common.errors import DiskFullError, InputError
from ingest.archive import Archive
from ingest.options import IngestOptions
from ingest.reader import FileResult, reason_line, sha256_file
from ingest.receipt import Disposition, DuplicateRef, Receipt
from ingest.record import Record, Status, printable
from ingest.registry import AlreadyRegisteredError, Registry
from ingest.screening.dedup import DuplicateIndex
from ingest.screening.index import IndexEntry
from ingest.screening.policy import SECRET, decide
from ingest.walk import Entry, scan
from ingest.workers import Job, Workers

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Readings that take long (OCR, LibreOffice), by the name's suffix: handed out first.
_OFFICE_READS = frozenset({".doc", ".wps", ".rtf", ".odt"})  # converted by LibreOffice
_LONG_READS = _OFFICE_READS | {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif",
                               ".heic", ".heif"}  # fmt: skip
_EARLY_LIMIT = 500  # (a huge folder of photos is not hashed whole before the first commit)
OnReceipt = Callable[[Receipt, Record | None], None]


@dataclass
class BatchSummary:
    """Counts for the clerk's summary table, and the rejected files with reasons."""

    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    quarantined: int = 0  # counted in ``flagged`` too
    rejected: int = 0
    ignored: int = 0
    seconds: float = 0.0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    # Seconds per phase (common.timing), summed over files: CPU-seconds across the readers.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.accepted + self.duplicates + self.flagged + self.rejected + self.ignored

    def count(self, receipt: Receipt, record: Record | None) -> None:
        if receipt.disposition is Disposition.REGISTERED:
            if record is not None and record.status is not Status.ACCEPTED:
                self.flagged += 1
                self.quarantined += record.status is Status.QUARANTINED
            else:
                self.accepted += 1
        elif receipt.disposition is Disposition.DUPLICATE:
            self.duplicates += 1
        elif receipt.disposition is Disposition.REJECTED:
            self.rejected += 1
            self.rejections.append((receipt.file, receipt.error or ""))
        else:
            self.ignored += 1


@dataclass
class Slot:
    """One file's place in the ordered output."""

    entry: Entry
    sha256: str | None = None
    size: int | None = None
    first: Slot | None = None  # an earlier file of this batch with the same bytes
    job: Job | None = None  # the workers' handle for this file's reading
    result: FileResult | None = None
    receipt: Receipt | None = None
    journal: str | None = None  # the watcher's journal key: committed with the receipt
    index: int = 0  # its place in the batch's order


@dataclass
class Pipeline:
    """Processes folders into the registry; one instance per data folder."""

    registry: Registry
    data_root: Path
    options: IngestOptions
    workers: Workers
    clock: Clock = field(default=lambda: datetime.now().astimezone())
    # The phases of the file whose receipt was last handed out (its report line's timing).
    last_timing: dict[str, float] = field(default_factory=dict, init=False)
    _duplicates: DuplicateIndex = field(init=False, repr=False)

    @property
    def archive(self) -> Archive:
        return Archive(self.data_root)

    def process(self, folder: Path, on_receipt: OnReceipt | None = None,
                on_start: Callable[[int], None] | None = None,
                exclude: tuple[Path, ...] = ()) -> BatchSummary:  # fmt: skip
        """Take in every file under ``folder``; never modifies the folder.

        The data folder and anything in ``exclude`` are skipped if they lie inside it.
        """
        if not folder.is_dir():
            raise InputError(f"找不到文件夹「{folder}」，或它不是文件夹；请检查路径")
        started = time.monotonic()
        self._duplicates = DuplicateIndex(self.registry, self.options)
        entries = scan(folder, exclude=(self.data_root, *exclude))
        if on_start:
            on_start(len(entries))
        summary = BatchSummary()
        source = str(folder.resolve())
        timing.take()  # (what this process timed before the batch is none of its files')
        for slot in self._ordered(entries):
            with timing.phase("registry"):
                receipt, record = self._commit(slot, source)
            slot.receipt = receipt
            summary.count(receipt, record)
            self.last_timing = {**(slot.result.timing if slot.result else {}), **timing.take()}
            timing.add(summary.phases, self.last_timing)
            if on_receipt:
                on_receipt(receipt, record)
        summary.seconds = time.monotonic() - started
        return summary

    def _ordered(self, entries: list[Entry]) -> Iterator[Slot]:
        """Slots in entry order, with reading done ahead by the workers.

        The long readings — pictures (OCR) and legacy formats (LibreOffice) — are handed
        out first, so the cores never idle at the end of a batch while one photo is read
        and the engines start while there is other work; the rest follow in order, a
        window ahead of the commits. Commits stay in entry order whatever was read first.
        """
        firsts: dict[str, Slot] = {}
        early: dict[int, Slot] = {}
        for index, entry in enumerate(entries):
            if len(early) >= _EARLY_LIMIT:
                break
            if entry.path.suffix.lower() in _LONG_READS and not entry.ignore_reason:
                early[index] = self._plan(entry, firsts, index)
        window = deque[Slot]()
        ahead = self.workers.capacity * 2 + 2
        for index, entry in enumerate(entries):
            slot = early.pop(index) if index in early else self._plan(entry, firsts, index)
            window.append(slot)
            while len(window) > ahead:
                yield self._finish(window.popleft())
        while window:
            yield self._finish(window.popleft())

    def _plan(self, entry: Entry, firsts: dict[str, Slot], index: int = 0) -> Slot:
        slot = Slot(entry, index=index)
        if entry.ignore_reason or entry.error or self.known(slot):
            return slot
        if slot.sha256 is not None:
            first = firsts.get(slot.sha256)
            if first is not None and first.index < index:  # a repeat of an earlier file
                slot.first = first
                return slot
            if first is None:
                firsts[slot.sha256] = slot
            # (A copy read early that comes later in order: this one is read too, and the
            # later one's commit finds the bytes registered — a duplicate receipt.)
        self.read(slot)
        return slot

    def known(self, slot: Slot) -> bool:
        """Hash the file; True when its bytes are registered already (nothing to parse)."""
        try:
            slot.sha256, slot.size = sha256_file(slot.entry.path)
        except OSError:
            return False  # read_file reports the reason
        return self.registry.find_sha256(slot.sha256) is not None

    def read(self, slot: Slot) -> Job:
        """Hand the file to the workers."""
        entry = slot.entry
        office = entry.path.suffix.lower() in _OFFICE_READS
        slot.job = self.workers.submit(entry.path, entry.rel, self.options, self.data_root,
                                       office=office)  # fmt: skip
        return slot.job

    # -- the watcher's facade: it takes, collects and commits one file at a time --------

    @property
    def capacity(self) -> int:
        """How many files can be read at once."""
        return self.workers.capacity

    @property
    def inline(self) -> bool:
        """Whether files are read in this process (no worker processes)."""
        return self.workers.processes == 1

    def warm(self) -> None:
        """Start the readers now, so the first files dropped do not wait for them."""
        self.workers.warm()

    def give_up_overdue(self, slots: list[Slot]) -> None:
        """Readings that ran past their time limit are given up (see ``Workers.expire``)."""
        now = time.monotonic()
        for slot in slots:
            if slot.job is not None and slot.job.overdue(now):
                self.workers.expire(slot.job)

    def collect(self, slot: Slot) -> FileResult:
        """The result of ``read(slot)``, once there (a broken pool is dealt with)."""
        self._finish(slot)
        assert slot.result is not None
        return slot.result

    def _finish(self, slot: Slot) -> Slot:
        if slot.job is not None:
            slot.result = self.workers.result(slot.job, slot.entry.rel)
        return slot

    def start(self) -> None:
        """Prepare the duplicate index (``process`` does this itself)."""
        self._duplicates = DuplicateIndex(self.registry, self.options)

    def commit(self, slot: Slot, source: str) -> tuple[Receipt, Record | None]:
        """Commit one file's outcome (the watcher's entry point; ``start`` first)."""
        return self._commit(slot, source)

    def _commit(self, slot: Slot, source: str) -> tuple[Receipt, Record | None]:
        now = self.clock().isoformat(timespec="seconds")
        base = Receipt(file=slot.entry.rel, source=source, received_at=now,
                       disposition=Disposition.IGNORED)  # fmt: skip
        journal = slot.journal
        if slot.entry.ignore_reason:
            return self.registry.add_receipt(replace(base, note=slot.entry.ignore_reason)), None
        if slot.entry.error:  # a folder that could not be read: said as a rejection
            error = f"「{printable(slot.entry.rel)}」{slot.entry.error}"
            rejected = replace(base, disposition=Disposition.REJECTED, error=error)
            return self.registry.add_receipt(rejected, journal), None
        result = slot.result or self._result_of_repeat(slot)
        base = replace(base, sha256=result.sha256, size=result.size,
                       format=result.format.value if result.format else None,
                       stored_as=result.stored_as)  # fmt: skip
        if result.disk_full:  # nothing more can be kept: stop rather than reject for good
            raise DiskFullError(
                f"数据目录「{self.data_root}」所在的磁盘已满，无法保存「{printable(slot.entry.rel)}」"
                "的原件副本。已处理的文件均已登记；请腾出磁盘空间后重新运行，未处理的文件会接着处理"
            )
        if result.error is not None:
            error = f"文件「{printable(slot.entry.rel)}」被拒收：{result.error}"
            return self.registry.add_receipt(
                replace(base, disposition=Disposition.REJECTED, error=error), journal
            ), None
        if result.sha256 and (found := self.registry.find_sha256(result.sha256)):
            return self._duplicate(base, *found, journal=journal)
        assert result.record is not None
        index = result.index
        # The same text is the same submission, unless this copy hides a mark the first had
        # not (in a picture, an annotation, its name): that one is registered and screened.
        if (index and index.text_hash and not _found_outside_text(result.record)
                and (same := self.registry.find_text_hash(index.text_hash))):  # fmt: skip
            return self._duplicate(base, *same, own_copy=True, journal=journal)
        record = self._screen_against_archive(replace(result.record, received_at=now), index)
        near = tuple(
            DuplicateRef.from_dict({**f.detail, "kind": "near"})
            for f in record.findings
            if f.kind == "duplicate"
        )
        try:
            record, receipt = self.registry.register(
                record, replace(base, disposition=Disposition.REGISTERED, duplicates=near), index,
                journal,
            )  # fmt: skip
        except AlreadyRegisteredError as exc:
            return self._duplicate(base, exc.submission_id, exc.original_name, journal=journal)
        return receipt, record

    def _screen_against_archive(self, record: Record, index: IndexEntry | None) -> Record:
        """Add near-duplicate findings and decide the status (the one policy)."""
        if index is not None:
            near = self._duplicates.find(record.text, index)
            record = replace(record, findings=record.findings + tuple(near))
        return replace(record, status=decide(record))

    def _result_of_repeat(self, slot: Slot) -> FileResult:
        """A file whose bytes were seen before: its first reading stands for it."""
        if slot.first is not None and slot.first.result is not None:
            first = slot.first.result
            if first.error is not None and first.sha256 and first.format:
                self.archive.quarantine(first.sha256, first.format,
                                        reason_line(slot.entry.rel, first.error))  # fmt: skip
            return first
        # Registered before this batch: the registry has it.
        return FileResult(slot.sha256, slot.size, None)

    def _duplicate(self, base: Receipt, first_id: str, first_file: str, own_copy: bool = False,
                   journal: str | None = None) -> tuple[Receipt, Record]:  # fmt: skip
        """A receipt for content registered before: same bytes, or (own_copy) same text."""
        record = self.registry.get(first_id)
        assert record is not None
        receipt = replace(
            base,
            disposition=Disposition.DUPLICATE,
            submission_id=first_id,
            duplicates=(DuplicateRef(file=first_file, id=first_id, similarity=1.0, kind="exact"),),
        )
        if not own_copy:  # the same bytes: the first registration's copy is this file's copy
            receipt = replace(receipt, format=record.format.value, stored_as=record.stored_as)
        return self.registry.add_receipt(receipt, journal), record


def _found_outside_text(record: Record) -> bool:
    """Whether screening found a 密级 mark outside the text: in a picture, an annotation,
    a form field or the file's name (the same text with a mark there is not the same)."""
    return any(f.category == SECRET and f.start is None for f in record.findings)
