"""One page image to text: orientation decided per page, boxes to lines, lines to paragraphs.

Orientation: a page photographed sideways shows tall text boxes, so it is
turned a quarter one way or, if a few lines read poorly so, the other; a page
whose upright reading scores poorly is also tried upside down. Reading quality
is the engine's score averaged over characters. An engine that finds boxes and
reads crops apart (``StagedEngine``) detects a page once whichever way it is
turned: turning the page turns the crops.

Layout: boxes on one visual line are joined left to right (no spaces between
Chinese characters); a line that starts indented, follows a clear vertical
gap, or comes after a line falling short of the right margin starts a new
paragraph (see ``ingest.layout``).
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from common.timing import phase
from ingest.layout import Line, is_page_mark, join_lines, text_width
from ingest.ocr import OcrEngine, OcrLine, Quad, StagedEngine

if TYPE_CHECKING:
    from PIL import Image

# Below this reading quality an upright page is also tried upside down.
_RETRY_BELOW = 0.9
_TALL_SHARE = 0.5
_SAMPLE = 3  # lines read in a candidate orientation to judge it
_KEEP = 0.5  # lines the engine reads worse than this are noise (RapidOCR's own cut)


@dataclass(frozen=True)
class PageReading:
    """What one page image yielded."""

    lines: list[Line]  # visual lines, for joining paragraphs across pages
    confidence: float | None  # None: no text found
    rotation: int  # degrees counter-clockwise the image was turned to read it

    @property
    def text(self) -> str:
        return "\n".join(join_lines(self.lines))


def _quality(read: list[tuple[str, float]]) -> float:
    """The engine's score averaged over characters (0 with no text)."""
    chars = sum(len(text) for text, _ in read)
    return sum(score * len(text) for text, score in read) / chars if chars else 0.0


def _read_quality(lines: list[OcrLine]) -> float:
    return _quality([(line.text, line.score) for line in lines])


_MARGIN = 32  # pixels of white paper around the image: detectors miss text at the edge


def read_page(engine: OcrEngine, image: Image.Image) -> PageReading:
    """Read one page image in whichever orientation reads best.

    A white margin is added first: a crop as small as one line of words (256×32)
    has its text touching the edges, where the text detector finds nothing."""
    from PIL import ImageOps

    with phase("ocr"):
        image = ImageOps.expand(image, border=_MARGIN, fill="white")
        page = _Staged(engine, image) if isinstance(engine, StagedEngine) else _Whole(engine, image)
        turn = _orientation(page)
        boxes = page.read(turn)
    confidence = round(_read_quality(boxes), 4) if boxes else None
    lines = layout_lines(boxes)
    # A page number printed on the scan: only as the page's last (or first) line.
    while lines and is_page_mark(lines[-1].text.strip()):
        lines.pop()
    while lines and is_page_mark(lines[0].text.strip()):
        lines.pop(0)
    return PageReading(lines, confidence, turn)


def _orientation(page: _Page) -> int:
    """Degrees counter-clockwise the page is best read at.

    A page photographed sideways shows tall text boxes: it is read a quarter turn one
    way, or if a few lines read poorly so, the other. A page whose few lines read poorly
    upright is turned upside down when they read better so."""
    if page.tall_share() > _TALL_SHARE:
        if page.sample(90) >= _RETRY_BELOW:
            return 90
        return max((90, 270), key=page.sample)
    if page.sample(0) < _RETRY_BELOW and page.sample(180) > page.sample(0):
        return 180
    return 0


class _Page(Protocol):
    def tall_share(self) -> float:
        """The share of the page's text boxes standing taller than wide."""
        ...

    def sample(self, turn: int) -> float:
        """The reading quality of a few lines with the page turned ``turn`` degrees."""
        ...

    def read(self, turn: int) -> list[OcrLine]:
        """Every line with the page turned ``turn`` degrees, boxes in that frame."""
        ...


class _Whole:
    """An engine that reads only whole images: each orientation is a full reading."""

    def __init__(self, engine: OcrEngine, image: Image.Image) -> None:
        self.engine, self.image = engine, image
        self.readings: dict[int, list[OcrLine]] = {}

    def tall_share(self) -> float:
        sized = [b for b in self.read(0) if len(b.text) >= 3]
        return sum(b.height > b.width for b in sized) / len(sized) if sized else 0.0

    def sample(self, turn: int) -> float:
        return _read_quality(self.read(turn))

    def read(self, turn: int) -> list[OcrLine]:
        if turn not in self.readings:
            turned = self.image.rotate(turn, expand=True) if turn else self.image
            self.readings[turn] = self.engine.recognize(turned)
        return self.readings[turn]


class _Staged:
    """An engine that finds text boxes once and reads crops: turning the page turns the
    crops, so the page is detected once and each line read once, plus a few sample
    lines in an orientation that is tried and rejected."""

    def __init__(self, engine: StagedEngine, image: Image.Image) -> None:
        self.engine, self.image = engine, image
        self.quads = engine.detect(image)
        self.raw = [_crop(image, quad) for quad in self.quads]
        self.texts: dict[tuple[int, int], tuple[str, float]] = {}
        # The sample: the longest lines (the most characters to judge by), at most a few.
        order = sorted(range(len(self.raw)), key=lambda i: -max(self.raw[i].size))
        self.sampled = order[:_SAMPLE]

    def tall_share(self) -> float:
        long = [(w, h) for w, h in (c.size for c in self.raw) if max(w, h) >= 2 * min(w, h)]
        return sum(h > w for w, h in long) / len(long) if long else 0.0

    def _texts(self, turn: int, which: list[int]) -> list[tuple[str, float]]:
        wanted = [i for i in which if (turn, i) not in self.texts]
        crops = [_turned(self.raw[i], turn) for i in wanted]
        for i, read in zip(wanted, self.engine.read(crops) if crops else [], strict=True):
            self.texts[turn, i] = read
        return [self.texts[turn, i] for i in which]

    def sample(self, turn: int) -> float:
        return _quality(self._texts(turn, self.sampled))

    def read(self, turn: int) -> list[OcrLine]:
        texts = self._texts(turn, list(range(len(self.raw))))
        width, height = self.image.size
        return [
            OcrLine.from_polygon(text.strip(), _turn_points(quad, turn, width, height), score)
            for quad, (text, score) in zip(self.quads, texts, strict=True)
            if text.strip() and score >= _KEEP
        ]


def _crop(image: Image.Image, quad: Quad) -> Image.Image:
    """The text line inside ``quad`` (corners clockwise from the top left), straightened."""
    from PIL import Image

    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    width = max(math.dist((x0, y0), (x1, y1)), math.dist((x2, y2), (x3, y3)))
    height = max(math.dist((x0, y0), (x3, y3)), math.dist((x1, y1), (x2, y2)))
    size = (max(1, round(width)), max(1, round(height)))
    return image.transform(size, Image.Transform.QUAD, (x0, y0, x3, y3, x2, y2, x1, y1),
                           resample=Image.Resampling.BICUBIC, fillcolor="white")  # fmt: skip


def _turned(crop: Image.Image, turn: int) -> Image.Image:
    """A crop as it stands with the page turned ``turn`` degrees; a line still taller than
    wide is laid down a quarter turn, as engines read tall boxes."""
    if turn:
        crop = crop.rotate(turn, expand=True)
    width, height = crop.size
    return crop.rotate(90, expand=True) if height >= 1.5 * width else crop


def _turn_points(quad: Quad, turn: int, width: int, height: int) -> Any:
    """The quad's corners in the frame of the page turned ``turn`` degrees."""
    import numpy as np

    turned = {0: lambda x, y: (x, y), 90: lambda x, y: (y, width - x),
              180: lambda x, y: (width - x, height - y), 270: lambda x, y: (height - y, x)}[turn]  # fmt: skip
    return np.array([turned(x, y) for x, y in quad])


def layout_lines(boxes: list[OcrLine]) -> list[Line]:
    """Visual lines from text boxes, each marked full-width or short, indents kept;
    a page set in two columns is read column by column (``columns``), a table row by row
    (``is_table``), each row a line of its own with its cells tab-separated, as a Word
    table's rows are read (``ingest.extractors.docx``): a row is then never taken for a
    title, and an issue sets such rows as a table."""
    boxes = [b for b in boxes if b.text.strip()]
    rows = _rows(boxes)
    if is_table(rows):
        return [Line("\t".join(b.text.strip() for b in row), False) for row in rows]
    return [line for block in columns(boxes) for line in _block_lines(block)]


def is_table(rows: list[list[OcrLine]]) -> bool:
    """Whether the page (its boxes in visual rows, ``_rows``) is mostly a table: at least
    half its rows hold three boxes or more, and its boxes are cells, not lines of prose
    (most are short against the text's width).
    A table's columns have wide gaps between them, which would otherwise be read as a page
    in columns, each row's cells torn apart (the text-PDF reader also tells a table's cells
    from a column's lines by their width: ``ingest.extractors.pdf_order``)."""
    cells = sum(len(row) >= 3 for row in rows)
    if cells < 3 or cells < 0.5 * len(rows):
        return False
    boxes = [b for row in rows for b in row]
    span = max(b.x1 for b in boxes) - min(b.x0 for b in boxes)
    return statistics.median(b.x1 - b.x0 for b in boxes) < 0.3 * span


def columns(boxes: list[OcrLine]) -> list[list[OcrLine]]:
    """The boxes in reading order, as blocks: a page in two columns is read down the
    left column, then down the right one (a heading spanning both is read where it
    stands, between the bands it separates).

    The gutter is found from the boxes' x-projection: a gap at least one and a half
    line-heights wide, in the middle half of the text, that no box of either column
    crosses, with text on both sides over most of the page. Without one, the page is
    one block."""
    if len(boxes) < 6:
        return [boxes] if boxes else []
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    width = right - left
    height = statistics.median(b.height for b in boxes)
    narrow = [b for b in boxes if b.x1 - b.x0 < 0.55 * width]
    gutter = _gutter(boxes, left + 0.25 * width, left + 0.75 * width, 1.5 * height)
    if gutter is None:
        return [boxes]
    west = [b for b in narrow if b.x1 <= gutter]
    east = [b for b in narrow if b.x0 >= gutter]
    spanning = sorted((b for b in boxes if b.x0 < gutter < b.x1), key=lambda b: b.y0)
    if min(len(west), len(east)) < 3 or len(spanning) > 0.2 * len(boxes):
        return [boxes]  # one column: its lines cross the middle, short ones do not count
    overlap = min(max(b.y1 for b in west), max(b.y1 for b in east)) - max(
        min(b.y0 for b in west), min(b.y0 for b in east))  # fmt: skip
    shorter = min(max(b.y1 for b in side) - min(b.y0 for b in side) for side in (west, east))
    if overlap < 0.5 * shorter:
        return [boxes]  # text on both sides, but not side by side
    blocks: list[list[OcrLine]] = []
    top = -1.0
    for cut in [*spanning, None]:
        bottom = cut.y0 if cut is not None else float("inf")
        for side in (west, east):
            band = [b for b in side if top <= (b.y0 + b.y1) / 2 < bottom]
            if band:
                blocks.append(band)
        if cut is not None:
            blocks.append([cut])
            top = cut.y1
    return blocks


def _gutter(boxes: list[OcrLine], low: float, high: float, wide: float) -> float | None:
    """The middle of the widest vertical strip between ``low`` and ``high`` that at most
    a few boxes cross (a heading over both columns may), at least ``wide`` across."""
    step = max(wide / 6, 1.0)
    bins = max(1, int((high - low) / step))
    allowed = max(1, len(boxes) // 8)
    best: tuple[int, int] | None = None
    start: int | None = None
    for i in range(bins + 1):
        x = low + i * step
        crossing = sum(1 for b in boxes if b.x0 < x < b.x1) if i < bins else allowed + 1
        if crossing <= allowed:
            start = i if start is None else start
        elif start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    if best is None or (best[1] - best[0]) * step < wide:
        return None
    return low + (best[0] + best[1]) / 2 * step


def _block_lines(boxes: list[OcrLine]) -> list[Line]:
    """One block's lines. Boxes beside the text (a note in the margin) are read after it,
    as a paragraph of their own; the margins are judged locally, so a page scanned a few
    degrees askew, or a book page curving into its spine, is not taken for indents."""
    if not boxes:
        return []
    height = statistics.median(b.height for b in boxes)
    notes = _margin_notes(boxes, height)
    noted = {id(b) for b in notes}
    rows = _rows([b for b in boxes if id(b) not in noted])
    pitch = statistics.median(
        [b[0].y0 - a[0].y0 for a, b in itertools.pairwise(rows)] or [height * 1.5]
    )
    texts = [_join(row) for row in rows]
    widest = max(text_width(t) for t in texts)
    sizes = [statistics.median(b.height for b in row) for row in rows]
    lines: list[Line] = []
    for i, (row, text) in enumerate(zip(rows, texts, strict=True)):
        near = rows[max(0, i - _NEAR) : i + _NEAR + 1]
        left = min(r[0].x0 for r in near)
        right = max(r[-1].x1 for r in near)
        indented = row[0].x0 - left > height * 1.2
        # Full by its pixels, or by its characters: half-width digits make a full
        # line of text look short in pixels.
        full = row[-1].x1 >= right - height * 1.5 or (
            text_width(text) + (2 if indented else 0) >= widest * 0.85
        )
        gap_after = i + 1 < len(rows) and rows[i + 1][0].y0 - row[0].y0 > pitch * 1.7
        # Type of another size (a scanner's mark, a heading) is a paragraph of its own.
        resized = i + 1 < len(rows) and not _same_size(sizes[i], sizes[i + 1])
        if lines and not _same_size(sizes[i - 1], sizes[i]):
            lines[-1] = Line(lines[-1].text, False)
        if indented:
            text = "\u3000\u3000" + text  # a paragraph starts here
        lines.append(Line(text, full and not gap_after and not resized))
    if notes and lines:
        lines[-1] = Line(lines[-1].text, False)
    lines += [Line(_join(row), False) for row in _rows(notes)]
    return lines


_NEAR = 3  # rows either side that set a line's local margins


def _same_size(a: float, b: float) -> bool:
    return 0.7 <= a / b <= 1.4 if b else True


def _margin_notes(boxes: list[OcrLine], height: float) -> list[OcrLine]:
    """Boxes standing wholly in the margin beside the text, clear of where most lines
    start and end (a handwritten or typed note, a stamp's caption): few, or none."""
    if len(boxes) < 3:
        return []
    # Where the text's lines start (most at the margin) and end (many end short).
    starts = statistics.median(b.x0 for b in boxes)
    ends = statistics.quantiles([b.x1 for b in boxes], n=4)[2]
    notes = [b for b in boxes if b.x1 < starts - height or b.x0 > ends + height]
    return notes if len(notes) <= len(boxes) // 4 else []


def _rows(boxes: list[OcrLine]) -> list[list[OcrLine]]:
    """Boxes grouped into visual lines (by vertical overlap), top to bottom, left to right."""
    rows: list[list[OcrLine]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        if rows:
            last = rows[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap > 0.5 * min(box.height, bottom - top):
                last.append(box)
                continue
        rows.append([box])
    return [sorted(row, key=lambda b: b.x0) for row in rows]


def _join(row: list[OcrLine]) -> str:
    text = ""
    for box in row:
        piece = box.text.strip()
        if (
            text
            and text[-1].isascii()
            and text[-1].isalnum()
            and piece[:1].isascii()
            and piece[:1].isalnum()
        ):
            text += " "
        text += piece
    return text
