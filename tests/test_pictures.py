"""Marks that are pictures or annotations: read by OCR (or from the PDF) for screening only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import run_minyi
from scans import encode

from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.reader import read_bytes
from ingest.record import Format, Status
from ingest.registry import Registry
from ingest.workers import Workers
from minyi import samples

BODY = [
    "关于加强农村供水管护的建议",
    "反映人：张三（县政协委员）",
    "近年来，我县农村集中供水工程覆盖面不断扩大，但部分山区村组仍存在管网老化问题。",
    "一是加大财政投入；二是健全管护机制；三是强化水质监测。",
]


def stamp(text: str, size: tuple[int, int] = (640, 200)):  # type: ignore[no-untyped-def]
    """A picture of ``text`` in red, as a pasted 密级 stamp looks."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = samples.cjk_font()
    if font_path is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, size[0] - 5, size[1] - 5), outline=(200, 0, 0), width=6)
    font = ImageFont.truetype(str(font_path), int(size[1] * 0.45))
    draw.text((30, size[1] * 0.2), text, fill=(200, 0, 0), font=font)
    return image


def docx_with_pictures(path: Path, header: bytes | None = None, body: bytes | None = None,
                       icons: int = 0) -> Path:  # fmt: skip
    from docx import Document
    from docx.shared import Mm

    document = Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(header),
                                                                        width=Mm(40))  # fmt: skip
    for text in BODY:
        document.add_paragraph(text)
    if body is not None:
        document.add_paragraph().add_run().add_picture(io.BytesIO(body), width=Mm(60))
    for n in range(icons):  # bullets and icons: too small to be read
        document.add_paragraph().add_run().add_picture(
            io.BytesIO(encode(stamp("图", (24 + n, 24)))), width=Mm(4)
        )
    document.save(str(path))
    return path


def read(path: Path, fmt: Format, **options: object) -> object:
    return read_bytes(path.read_bytes(), "0" * 64, path.name, fmt, IngestOptions(**options))  # type: ignore[arg-type]


def test_a_stamp_in_the_header_quarantines_and_show_says_where(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    docx_with_pictures(inbox / "红头.docx", header=encode(stamp("机密★1年")))
    chart = encode(stamp("2026年供水量", (800, 300)))
    docx_with_pictures(inbox / "图表.docx", body=chart)
    result = run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "已隔离" in result.stdout
    shown = run_minyi("show", "2026-0002", cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    assert "已隔离" in shown and "页眉中的图片" in shown and "图片文字识别" in shown
    other = run_minyi("show", "2026-0001", cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    assert "已隔离" not in other  # a picture without a mark changes nothing
    report = (tmp_path / "r.jsonl").read_text(encoding="utf-8")
    assert "供水量" not in report.split("图表.docx")[1].split('"title"')[0]  # not in the body


def test_picture_text_is_screened_but_never_becomes_body(tmp_path: Path) -> None:
    path = docx_with_pictures(tmp_path / "a.docx", body=encode(stamp("秘密★长期")))
    record = read(path, Format.DOCX)
    assert "秘密" not in record.text  # type: ignore[attr-defined]
    assert [h.where for h in record.hidden] == [  # type: ignore[attr-defined]
        "文件名",
        "正文中的图片 image1.png（图片文字识别）",
    ]


def test_icons_are_skipped_without_loading_an_ocr_engine(tmp_path: Path) -> None:
    path = docx_with_pictures(tmp_path / "icons.docx", icons=5)
    # An engine that does not exist would fail the file if OCR were asked for.
    record = read(path, Format.DOCX, ocr_engine="no-such-engine")
    assert [h.where for h in record.hidden] == ["文件名"]  # type: ignore[attr-defined]
    big = docx_with_pictures(tmp_path / "big.docx", body=encode(stamp("机密")))
    with pytest.raises(Exception, match="no-such-engine"):
        read(big, Format.DOCX, ocr_engine="no-such-engine")
    unread = read(big, Format.DOCX, max_pictures=0)
    assert [h.where for h in unread.hidden] == ["文件名"]  # type: ignore[attr-defined]


def pdf_page(path: Path, picture: bytes | None = None, extra: str = "") -> Path:
    """A text PDF (reportlab) with an optional picture above the text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("STSong-Light", 14)
    for n, text in enumerate([*BODY, extra]):
        pdf.drawString(80, 700 - 30 * n, text)
    if picture is not None:
        pdf.drawImage(ImageReader(io.BytesIO(picture)), 80, 760, width=160, height=50)
    pdf.save()
    return path


def pdf_annotated(path: Path, note: str | None = None, field: str | None = None,
                  extra: str = "Suggestions follow.") -> Path:  # fmt: skip
    """A one-page PDF written by hand: a text layer, a comment and a filled-in text field
    (reportlab cannot write CJK annotation texts)."""

    def utf16(text: str) -> str:
        return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"

    lines = ["Report on the management of rural water supply works.", extra]
    stream = "BT /F1 14 Tf 72 760 Td " + " 0 -20 Td ".join(f"({t}) Tj" for t in lines) + " ET"
    annots = []
    if note:
        annots.append(f"<< /Type /Annot /Subtype /Text /Rect [400 760 420 780] "
                      f"/Contents {utf16(note)} >>")  # fmt: skip
    if field:
        annots.append(f"<< /Type /Annot /Subtype /Widget /FT /Tx /T (mark) /V {utf16(field)} "
                      "/Rect [300 400 500 430] /P 3 0 R /F 4 >>")  # fmt: skip
    first_annot = 6
    refs = " ".join(f"{first_annot + i} 0 R" for i in range(len(annots)))
    form = f"/AcroForm << /Fields [{refs}] >>" if field else ""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {form} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        f"/Resources << /Font << /F1 5 0 R >> >> /Annots [{refs}] >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *annots,
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(out)
    return path


@pytest.mark.parametrize("kind", ["picture", "note", "field"])
def test_marks_on_a_text_pdf_in_pictures_annotations_and_fields(tmp_path: Path, kind: str) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    if kind == "picture":
        pdf_page(inbox / f"{kind}.pdf", picture=encode(stamp("绝密★长期")))
        pdf_page(inbox / "plain.pdf", picture=encode(stamp("供水量统计", (800, 300))), extra="附图")
    else:
        pdf_annotated(
            inbox / f"{kind}.pdf", **{kind: {"note": "机密★1年", "field": "秘密★6个月"}[kind]}
        )
        pdf_annotated(inbox / "plain.pdf", note="请核实数据", field="张三", extra="A control.")
    with Registry.open(tmp_path / "d" / "r.sqlite3") as registry, Workers(1) as workers:
        pipeline = Pipeline(registry, tmp_path / "d", IngestOptions(), workers)
        records: dict[str, object] = {}
        pipeline.process(inbox, on_receipt=lambda r, rec: records.__setitem__(r.file, (r, rec)))
    receipt, record = records[f"{kind}.pdf"]  # type: ignore[misc]
    assert record.status is Status.QUARANTINED, receipt
    if kind == "field":  # a filled-in field's value is the page's text (and screened there)
        assert "秘密★6个月" in record.text
        assert any(f.category == "secret.marking" and f.start is not None
                   for f in record.findings)  # fmt: skip
        return
    where = [f.detail["where"] for f in record.findings if f.category == "secret.marking"]
    assert where and where[0].startswith("第1页"), where
    assert "密" not in record.text
    assert records["plain.pdf"][1].status is not Status.QUARANTINED  # type: ignore[index]


def test_show_lists_a_hidden_finding(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    pdf_annotated(inbox / "批注.pdf", note="机密★1年")
    assert run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path).returncode == 0
    shown = run_minyi("show", "2026-0001", cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    assert "第1页的批注或表单域" in shown and "密级标志" in shown
