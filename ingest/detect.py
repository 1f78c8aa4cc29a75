"""Format detection from a file's bytes: magic numbers first, the name never.

A JPEG named ``.pdf`` is a JPEG here. Containers are looked into just enough to
tell a .docx from an .odt from a plain zip, and an encrypted Office file or an
old .doc from another OLE2 compound file.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ingest.record import Format
from ingest.walk import open_regular

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIMPLE_MAGIC: tuple[tuple[bytes, Format], ...] = (
    (b"\xff\xd8\xff", Format.JPEG),
    (b"\x89PNG\r\n\x1a\n", Format.PNG),
    (b"II*\x00", Format.TIFF),
    (b"MM\x00*", Format.TIFF),
    (b"GIF87a", Format.GIF),
    (b"GIF89a", Format.GIF),
    (b"{\\rtf", Format.RTF),
)


def detect(data: bytes) -> Format:
    """Tell what ``data`` is. Unknown binary data is ``UNKNOWN``; text is ``TEXT``.

    Whether "text" really decodes is the text extractor's business: detection
    only rules out content that is plainly binary.
    """
    head = data[:16]
    for magic, fmt in _SIMPLE_MAGIC:
        if head.startswith(magic):
            return fmt
    if head.startswith(b"BM") and len(data) > 26 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        return Format.BMP
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Format.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return Format.HEIC
    # PDF files may carry a few bytes of junk before the header; readers accept 1 KiB.
    if b"%PDF-" in data[:1024]:
        return Format.PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _detect_zip(data)
    if head.startswith(_OLE_MAGIC):
        return _detect_ole(data)
    if _looks_binary(data[:8192]):
        return Format.UNKNOWN
    return _detect_text(data)


# ISO media files whose major brand is a HEIF still image (phones' photos).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}

_HTML_HEAD = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)


def is_image_file(path: Path) -> bool | None:
    """Whether the file's bytes are an image (read by OCR); None when it is gone.

    A file that cannot be opened is not called an image: its reader's failure is
    retried and reported.
    """
    try:
        with open_regular(path, buffered=False) as fh:  # 64 bytes, no 8 KB buffer to fill
            head = fh.read(64)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    return detect(head).is_image


def _detect_text(data: bytes) -> Format:
    """Plain text, or a web page (.html) or a MIME web archive (.mht) in text form."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if b"\x00" in head[:200]:  # UTF-16: look at its ASCII letters
        head = head.replace(b"\x00", b"").lstrip(b"\xff\xfe")
    lowered = head.lower()
    if b"mime-version:" in lowered[:1024] and b"multipart/related" in lowered:
        return Format.MHT
    if _HTML_HEAD.match(head):
        return Format.HTML
    return Format.TEXT


def _detect_zip(data: bytes) -> Format:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                if info.file_size < 200:
                    mime = zf.read("mimetype").strip()
                    if mime == b"application/vnd.oasis.opendocument.text":
                        return Format.ODT
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        # A damaged zip whose first entry is a Word part is still a (broken) .docx:
        # the extractor then says precisely what is wrong with it.
        if _first_entry_is_word(data):
            return Format.DOCX
        return Format.ODT if _first_entry_is_odt_mimetype(data) else Format.ZIP
    if "word/document.xml" in names or (
        "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
    ):
        return Format.DOCX
    return Format.ZIP


def _first_entry(data: bytes) -> tuple[bytes, bytes]:
    """A zip's first entry from its local file header (name length at offset 26, extra
    length at 28, name from 30): its name and the bytes after the header, readable
    even where the archive is damaged."""
    if len(data) < 30:
        return b"", b""
    name_len = int.from_bytes(data[26:28], "little")
    extra_len = int.from_bytes(data[28:30], "little")
    return data[30 : 30 + name_len], data[30 + name_len + extra_len :]


def _first_entry_is_odt_mimetype(data: bytes) -> bool:
    """An OpenDocument text starts with its stored "mimetype" entry: a damaged .odt is
    still a (damaged) document, not some zip archive."""
    name, content = _first_entry(data)
    return name == b"mimetype" and content.startswith(b"application/vnd.oasis.opendocument.text")


def _first_entry_is_word(data: bytes) -> bool:
    name, _ = _first_entry(data)
    return name.startswith((b"word/", b"[Content_Types].xml", b"_rels/", b"docProps/"))


# Microsoft Works word-processor documents (.wps, the extension Kingsoft WPS uses too),
# all read by LibreOffice's libwps: Works 3–4 keep their text in "MN0" (or "MatOST");
# Works 5–9 in a "CONTENTS" stream whose chunk index starts with CHNKWKS or CHNKINK.
# Publisher also writes CHNKINK, but inside a "Quill" storage, which Works never has.
_WORKS_STREAMS = {"matost", "mn0"}
_WORKS_CHUNKS = (b"CHNKWKS ", b"CHNKINK ")


def _detect_ole(data: bytes) -> Format:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises many types on damaged input
        # A damaged compound file is most likely a damaged .doc: let the converter
        # try, and say it is damaged if it cannot.
        return Format.DOC
    try:
        # Stream names compare without case: writers other than Word spell them their way.
        entries = {"/".join(entry).lower(): entry for entry in ole.listdir()}
        streams = set(entries)
        works = bool(streams & _WORKS_STREAMS) or (
            "contents" in streams
            and not any(name.startswith("quill/") for name in streams)
            and ole.openstream(entries["contents"]).read(8) in _WORKS_CHUNKS
        )
    except Exception:  # a damaged stream: as above, let the converter judge
        return Format.DOC
    finally:
        ole.close()
    if "encryptedpackage" in streams:
        return Format.ENCRYPTED_OFFICE
    if "worddocument" in streams or works:
        return Format.DOC  # Word, or Microsoft Works (.wps): LibreOffice reads both
    return Format.OLE


def _looks_binary(sample: bytes) -> bool:
    """True for data that no text encoding we read would produce."""
    if not sample:
        return False
    if b"\x00" in sample:
        # UTF-16 text has NULs too: in ASCII-range characters, at every other byte.
        return not _looks_utf16(sample)
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


def _looks_utf16(sample: bytes) -> bool:
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        if text and sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t") / len(text) > 0.95:
            return True
    return False
