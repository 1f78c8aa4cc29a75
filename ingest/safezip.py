"""Reading untrusted OOXML containers: bounded unzipping and XML without entities.

A .docx is a zip of XML parts, and both layers can be turned into weapons: a
zip bomb unpacks a few kilobytes into gigabytes, and an XML part can declare
entities that expand exponentially or pull in local files. Every read here is
bounded by what the part claims *and* by what it actually produces, and any
XML that declares a DTD is refused outright: no legitimate Office part has one.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from common.errors import ExtractionError
from ingest.options import IngestOptions

_CHUNK = 1 << 16

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


@dataclass
class SafeZip:
    """A zip archive opened with a budget for the bytes it may unpack."""

    archive: zipfile.ZipFile
    budget: int
    names: set[str] = field(default_factory=set)
    # One XML part parsed as a tree costs about six times its size in memory: bounded.
    xml_limit: int = 64 * 1024 * 1024

    @classmethod
    def open(cls, data: bytes, options: IngestOptions) -> SafeZip:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise ExtractionError("文件已损坏或不完整（ZIP 结构无法读取）") from exc
        infos = archive.infolist()
        if len(infos) > options.max_zip_entries:
            raise ExtractionError(
                f"文件内部包含 {len(infos)} 个部件，超过上限 {options.max_zip_entries}，疑似恶意文件"
            )
        if any(info.flag_bits & 0x1 for info in infos):
            raise ExtractionError(
                "文件设置了密码（已加密），无法读取；请联系提交人去除密码后重新提交"
            )
        return cls(archive, options.max_unpacked_bytes, {i.filename for i in infos},
                   options.max_xml_part_bytes)  # fmt: skip

    def read(self, name: str) -> bytes:
        """The bytes of part ``name``; refuses to unpack past the remaining budget."""
        try:
            info = self.archive.getinfo(name)
        except KeyError as exc:
            raise ExtractionError(f"文件不完整：缺少部件 {name}") from exc
        if info.file_size > self.budget:
            raise self._bomb()
        out = io.BytesIO()
        try:
            with self.archive.open(info) as member:
                # The header's size can lie; count what really comes out.
                while chunk := member.read(_CHUNK):
                    out.write(chunk)
                    if out.tell() > self.budget:
                        raise self._bomb()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise ExtractionError(f"文件已损坏或不完整（部件 {name} 无法解压）") from exc
        except RuntimeError as exc:  # zipfile's "File is encrypted"
            raise ExtractionError("文件设置了密码（已加密），无法读取") from exc
        self.budget -= out.tell()
        return out.getvalue()

    def xml(self, name: str) -> etree._Element:
        """Part ``name`` parsed as XML, with DTDs and entities refused, and its size bounded
        (a parsed tree takes several times the text's size in memory)."""
        try:
            size = self.archive.getinfo(name).file_size
        except KeyError:
            size = 0
        data = self.read(name) if size <= self.xml_limit else b""
        if size > self.xml_limit or len(data) > self.xml_limit:
            raise ExtractionError(
                f"文档部件 {name} 过大（{max(size, len(data)) / 1048576:.0f} MB，上限 "
                f"{self.xml_limit / 1048576:.0f} MB），不像一篇社情民意信息；请拆分后重新提交"
            )
        return parse_xml(transitional(data), name)

    def _bomb(self) -> ExtractionError:
        return ExtractionError("文件解压后体积异常巨大（疑似“压缩炸弹”），已拒收")

    def close(self) -> None:
        self.archive.close()


# OOXML Strict names its namespaces (and relationship types) under purl.oclc.org;
# Transitional, which every reader here expects, under schemas.openxmlformats.org.
_STRICT = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main",
     b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    (b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing",
     b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"),
    (b"http://purl.oclc.org/ooxml/drawingml/main",
     b"http://schemas.openxmlformats.org/drawingml/2006/main"),
    (b"http://purl.oclc.org/ooxml/drawingml/picture",
     b"http://schemas.openxmlformats.org/drawingml/2006/picture"),
)  # fmt: skip


def transitional(data: bytes) -> bytes:
    """A Strict OOXML part with its namespaces renamed to the Transitional ones."""
    if b"purl.oclc.org/ooxml" not in data:
        return data
    for strict, usual in _STRICT:
        data = data.replace(strict, usual)
    return data


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML. A DOCTYPE (and so any entity declaration) is an error."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"文件已损坏（部件 {name} 不是有效的 XML）") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExtractionError(
            f"文件部件 {name} 含有 DTD/实体声明，这是正常 Word 文件不会有的内容，疑似恶意文件，已拒收"
        )
    return root
