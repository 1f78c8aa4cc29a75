"""Hostile and broken files: each is rejected with a Chinese reason, kept, and the batch goes on."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from conftest import GATE, rewrite_zip

from ingest.options import MB, IngestOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.report import report_line
from ingest.workers import Workers
from minyi import samples

DOC = ["关于加强农村养老服务的建议", "反映人：张三（县政协委员）", "正文第一段。"]


def process(folder: Path, data: Path, options: IngestOptions | None = None) -> dict[str, dict]:
    with Registry.open(data / "registry.sqlite3") as registry:
        pipe = Pipeline(registry, data, options or IngestOptions(), Workers(1))
        lines: dict[str, dict] = {}
        pipe.process(
            folder, on_receipt=lambda r, rec: lines.__setitem__(r.file, report_line(r, rec, GATE))
        )
    return lines


def assert_rejected(line: dict, data: Path, original: bytes, *words: str) -> None:
    assert line["status"] == "rejected", line
    assert line["id"] is None and line["text"] is None
    assert line["file"] in line["error"]
    for word in words:
        assert word in line["error"], line["error"]
    kept = data / line["stored_as"]
    assert kept.read_bytes() == original
    reason = kept.with_name(line["sha256"] + ".reason.txt").read_text(encoding="utf-8")
    assert line["file"] in reason


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    samples.make_docx(folder / "正常 文件.docx", DOC)  # the batch must go on past bad files
    return folder


def finish(inbox: Path, tmp_path: Path, options: IngestOptions | None = None) -> dict[str, dict]:
    lines = process(inbox, tmp_path / "data", options)
    assert lines["正常 文件.docx"]["status"] == "ok"
    assert lines["正常 文件.docx"]["title"] == DOC[0]
    return lines


def test_zero_byte_file(inbox: Path, tmp_path: Path) -> None:
    (inbox / "空文件.docx").write_bytes(b"")
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["空文件.docx"], tmp_path / "data", b"", "0 字节")


def test_truncated_and_random_docx(inbox: Path, tmp_path: Path) -> None:
    whole = (inbox / "正常 文件.docx").read_bytes()
    (inbox / "截断.docx").write_bytes(whole[: len(whole) // 2])
    noise = os.urandom(5000)
    (inbox / "乱码.docx").write_bytes(noise)
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["截断.docx"], tmp_path / "data", whole[: len(whole) // 2], "损坏")
    assert_rejected(lines["乱码.docx"], tmp_path / "data", noise, "无法识别")


def test_encrypted_docx(inbox: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(inbox / "正常 文件.docx", "rb") as plain:
        OOXMLFile(plain).encrypt("secret", out)
    (inbox / "加密.docx").write_bytes(out.getvalue())
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["加密.docx"], tmp_path / "data", out.getvalue(), "加密")


def test_encrypted_and_truncated_pdf(inbox: Path, tmp_path: Path) -> None:
    locked = samples.make_pdf(tmp_path / "x.pdf", [DOC], password="secret").read_bytes()
    (inbox / "加密.pdf").write_bytes(locked)
    whole = samples.make_pdf(tmp_path / "y.pdf", [DOC, DOC]).read_bytes()
    (inbox / "截断.pdf").write_bytes(whole[: int(len(whole) * 0.7)])
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["加密.pdf"], tmp_path / "data", locked, "加密")
    assert_rejected(lines["截断.pdf"], tmp_path / "data", whole[: int(len(whole) * 0.7)], "不完整")


def _replace_document(path: Path, xml: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/document.xml"] = xml.encode()
    rewrite_zip(path, parts)
    return path.read_bytes()


def test_external_entity_never_resolved(inbox: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("绝密口令123456", encoding="utf-8")
    target = inbox / "实体.docx"
    target.write_bytes((inbox / "正常 文件.docx").read_bytes())
    original = _replace_document(
        target,
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>",
    )
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["实体.docx"], tmp_path / "data", original, "实体")
    assert "口令" not in str(lines)


def test_billion_laughs(inbox: Path, tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    target = inbox / "实体炸弹.docx"
    target.write_bytes((inbox / "正常 文件.docx").read_bytes())
    original = _replace_document(
        target,
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>",
    )
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["实体炸弹.docx"], tmp_path / "data", original, "实体")


def test_zip_bomb(inbox: Path, tmp_path: Path) -> None:
    target = inbox / "炸弹.docx"
    target.write_bytes((inbox / "正常 文件.docx").read_bytes())
    padding = "<w:p/>" * (4 * MB // 6)
    original = _replace_document(
        target,
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{padding}</w:body></w:document>",
    )
    assert len(original) < 100_000  # a few kilobytes that unpack to megabytes
    lines = finish(inbox, tmp_path, IngestOptions(max_unpacked_bytes=2 * MB))
    assert_rejected(lines["炸弹.docx"], tmp_path / "data", original, "压缩炸弹")


def test_oversized_file(inbox: Path, tmp_path: Path) -> None:
    big = "超大文件。".encode() * 20_000
    (inbox / "超大.txt").write_bytes(big)
    lines = finish(inbox, tmp_path, IngestOptions(max_file_bytes=100_000))
    assert_rejected(lines["超大.txt"], tmp_path / "data", big, "文件过大")


def test_extension_lies(inbox: Path, tmp_path: Path) -> None:
    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(jpeg, "JPEG")
    (inbox / "照片.pdf").write_bytes(jpeg.getvalue())
    samples.make_docx(inbox / "其实是Word.pdf", [*DOC, "另一份。"])
    lines = finish(inbox, tmp_path)
    assert lines["照片.pdf"]["format"] == "jpeg"  # read as the image it is: OCR finds nothing
    assert_rejected(lines["照片.pdf"], tmp_path / "data", jpeg.getvalue(), "OCR", "未发现文字")
    assert lines["其实是Word.pdf"]["status"] == "ok"
    assert lines["其实是Word.pdf"]["format"] == "docx"
    assert lines["其实是Word.pdf"]["stored_as"].endswith(".docx")


@pytest.mark.parametrize(
    "name", ["~$正常 文件.docx", ".~lock.文件.docx#", "下载中.pdf.crdownload", "a.part", "b.tmp",
             ".隐藏.docx", "Thumbs.db", "desktop.ini"],
)  # fmt: skip
def test_noise_is_ignored_not_rejected(inbox: Path, tmp_path: Path, name: str) -> None:
    (inbox / name).write_bytes(b"\x00\x01junk")
    lines = finish(inbox, tmp_path)
    assert lines[name]["status"] == "ignored"
    assert lines[name]["error"] is None and lines[name]["note"]
    assert not list((tmp_path / "data").glob("quarantine/*"))


def test_broken_xml_part(inbox: Path, tmp_path: Path) -> None:
    target = inbox / "坏XML.docx"
    target.write_bytes((inbox / "正常 文件.docx").read_bytes())
    original = _replace_document(target, "<w:document xmlns:w='x'><w:body><w:p>未闭合")
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["坏XML.docx"], tmp_path / "data", original, "损坏", "document.xml")


def test_zip_level_password(inbox: Path, tmp_path: Path) -> None:
    data = bytearray((inbox / "正常 文件.docx").read_bytes())
    # Set the "encrypted" flag in every local and central header, as zip encryption does.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            data[found + flag_offset] |= 0x01
            start = found + 4
    (inbox / "带密码.docx").write_bytes(bytes(data))
    lines = finish(inbox, tmp_path)
    assert_rejected(lines["带密码.docx"], tmp_path / "data", bytes(data), "密码")
