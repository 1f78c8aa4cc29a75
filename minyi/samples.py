"""Generated sample submissions: for trying minyi out, for tests and for benchmarks.

Nothing binary is committed: every .docx, PDF and text file is built here in
code (python-docx; reportlab for PDFs, embedding a TrueType CJK font when the
system has one, else naming reportlab's built-in STSong-Light CID font).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minyi.errors import MissingDependencyError


@dataclass(frozen=True)
class Sample:
    """One realistic submission: title, 反映人 line and body paragraphs."""

    title: str
    submitter: str
    body: tuple[str, ...]

    def paragraphs(self) -> list[str]:
        return [self.title, self.submitter, *self.body]


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "关于加强农村留守老人养老服务的建议",
        "反映人：张建华（县政协委员，县人民医院副院长）",
        (
            "当前，我县农村60岁以上老年人口占比已达24.6%，其中留守老人约1.2万人。"
            "随着青壮年劳动力外出务工，农村养老服务供需矛盾日益突出。",
            "一、存在的问题",
            "一是养老服务设施不足。全县仅有农村互助养老点36个，覆盖率不到四成。"
            "二是服务人员短缺。现有护理人员多为临时聘用，专业培训不足。"
            "三是资金保障不稳定。运营经费主要依靠村集体，难以持续。",
            "二、几点建议",
            "一是加大投入，将农村互助养老点建设纳入乡村振兴项目库。"
            "二是培育队伍，依托县职业学校开展养老护理员定向培训。"
            "三是完善机制，建立政府补贴、集体扶持、社会捐助相结合的多元筹资机制。",
        ),
    ),
    Sample(
        "城区学校周边交通拥堵问题亟待解决",
        "反映人：民进县支部 李晓梅",
        (
            "每逢上下学时段，城区第一小学、实验中学周边道路拥堵严重，"
            "接送车辆随意停放，学生安全隐患突出。",
            "建议：一是由交警部门在高峰时段增派警力疏导；"
            "二是利用学校周边闲置地块建设临时接送停车区；"
            "三是推行错峰放学，减少集中通行压力。",
        ),
    ),
    Sample(
        "关于规范农村集体“三资”管理的建议",
        "信息员：王志强（县工商联）",
        (
            "近年来，部分村集体资金、资产、资源管理不规范，账目公开不及时，群众对此反映较多。",
            "建议县农业农村局牵头开展专项清理，推广“村账乡代管”做法，"
            "并将集体“三资”信息纳入村务公开平台，接受群众监督。",
        ),
    ),
)


def make_docx(path: Path, paragraphs: Sequence[str], header: str | None = None,
              footer: str | None = None, table: Sequence[Sequence[str]] | None = None) -> Path:  # fmt: skip
    """A .docx with the given paragraphs (and optional header, footer, table)."""
    from docx import Document

    document = Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(r) for r in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_pdf(path: Path, pages: Sequence[Sequence[str]], chars_per_line: int = 28,
             password: str | None = None, wrap: bool = True) -> Path:  # fmt: skip
    """A text PDF: each page's paragraphs wrapped at ``chars_per_line`` like a 公文 page.

    Paragraphs start with a two-character indent, as set in GB/T 9704 text. With
    ``wrap=False`` each string is drawn as one line, as given.
    """
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.pdfencrypt import StandardEncryption
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas
    except ImportError as exc:
        raise MissingDependencyError(
            "生成 PDF 样例需要 reportlab：pip install 'minyi[samples]'"
        ) from exc
    font = _pdf_font(pdfmetrics, UnicodeCIDFont)
    path.parent.mkdir(parents=True, exist_ok=True)
    encrypt = StandardEncryption(password, canPrint=0) if password else None
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for page in pages:
        pdf.setFont(font, 15.8)
        y = 842 - 105
        for para in page:
            for line in _wrap("\u3000\u3000" + para, chars_per_line) if wrap else [para]:
                pdf.drawString(80, y, line)
                y -= 29
        pdf.showPage()
    pdf.save()
    return path


# TrueType CJK fonts reportlab can embed, as office PDFs embed theirs.
_TRUETYPE_CJK = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


def _pdf_font(pdfmetrics: Any, cid_font: Any) -> str:
    """An embedded TrueType CJK font if the system has one, else reportlab's CID font.

    A PDF that only names a CID font makes every reader look the font up on the
    system, which is slow and unlike the PDFs offices send.
    """
    registered = pdfmetrics.getRegisteredFontNames()
    for path in _TRUETYPE_CJK:
        if path.exists():
            if "MinyiCJK" not in registered:
                from reportlab.pdfbase.ttfonts import TTFont

                pdfmetrics.registerFont(TTFont("MinyiCJK", str(path), subfontIndex=0))
            return "MinyiCJK"
    if "STSong-Light" not in registered:
        pdfmetrics.registerFont(cid_font("STSong-Light"))
    return "STSong-Light"


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def write_sample_inbox(folder: Path) -> list[Path]:
    """A small, varied inbox: .docx, text PDF, GBK text, a repeat, noise and a broken file."""
    folder.mkdir(parents=True, exist_ok=True)
    first, second, third = SAMPLES
    written = [
        make_docx(folder / "张建华-农村养老服务建议.docx", first.paragraphs()),
        make_pdf(folder / "李晓梅 学校周边交通.pdf", [second.paragraphs()]),
    ]
    text = folder / "王志强-三资管理.txt"
    text.write_bytes("\r\n".join(third.paragraphs()).encode("gbk"))
    repeat = folder / "转发" / "农村养老服务建议（重复发送）.docx"
    repeat.parent.mkdir(exist_ok=True)
    repeat.write_bytes(written[0].read_bytes())
    lock = folder / "~$建华-农村养老服务建议.docx"
    lock.write_bytes(b"\x00" * 162)
    broken = folder / "损坏的文件.docx"
    broken.write_bytes(written[0].read_bytes()[:2000])
    return [*written, text, repeat, lock, broken]
