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

from common.errors import MissingDependencyError


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


# -- scans and photos -------------------------------------------------------------

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


def cjk_font() -> Path | None:
    """A CJK font to render page images with, if the system has one."""
    return next((f for f in CJK_FONTS if f.exists()), None)


def page_lines(sample: Sample = SAMPLES[0], width: int = 26) -> list[str]:
    """A submission laid out as a page: title, 反映人, paragraphs wrapped at ``width``."""
    lines = [sample.title, sample.submitter]
    for para in sample.body[:3]:
        text = "\u3000\u3000" + para
        lines += [text[i : i + width] for i in range(0, len(text), width)]
    return lines


def render_page(lines: Sequence[str], dpi: int = 300) -> Any:
    """An A4 page image (PIL) with the lines set in a CJK font, as a clean scan."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = cjk_font()
    if font_path is None:
        raise MissingDependencyError(
            "生成扫描样例需要中文字体（Debian：apt-get install fonts-noto-cjk）"
        )
    scale = dpi / 300
    font = ImageFont.truetype(str(font_path), int(60 * scale))
    image = Image.new("RGB", (int(2480 * scale), int(3508 * scale)), "white")
    draw = ImageDraw.Draw(image)
    y = int(400 * scale)
    for line in lines:
        draw.text((int(330 * scale), y), line, font=font, fill=(20, 20, 20))
        y += int(100 * scale)
    return image


def scanned(image: Any, seed: int = 1) -> Any:
    """A scanner's output: slight skew, blur, speckle noise and JPEG artefacts."""
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = image.rotate(0.6, fillcolor="white", resample=Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    pixels = image.load()
    width, height = image.size
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randrange(80, 200)
        pixels[x, y] = (shade, shade, shade)
    return _jpeg_round_trip(image, 45)


def fax(image: Any) -> Any:
    """A 200 dpi black-and-white fax-like page."""
    small = image.resize((image.width * 2 // 3, image.height * 2 // 3))
    return small.convert("L").point(lambda v: 255 if v > 150 else 0).convert("RGB")


def phone_photo(image: Any, seed: int = 1) -> Any:
    """A phone photo of the page: perspective, uneven light, blur, a dark surround."""
    import random

    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    w, h = image.size
    d = int(w * 0.06)
    # Corners of the page as the camera sees them: top narrower than bottom.
    seen = [(d + rng.randint(0, d // 3), d), (w - d - rng.randint(0, d // 3), d // 2),
            (w, h), (0, h - d // 2)]  # fmt: skip
    coeffs = _perspective(seen, [(0, 0), (w, 0), (w, h), (0, h)])
    photo = image.transform(
        (w, h),
        Image.Transform.PERSPECTIVE,
        coeffs,
        Image.Resampling.BICUBIC,
        fillcolor=(60, 60, 60),
    )
    light = np.linspace(1.0, 0.65, w)[None, :, None] * np.linspace(1.0, 0.8, h)[:, None, None]
    photo = Image.fromarray((np.asarray(photo) * light).clip(0, 255).astype("uint8"))
    return _jpeg_round_trip(photo.filter(ImageFilter.GaussianBlur(1.0)), 70)


def _perspective(source: list[tuple[int, int]], target: list[tuple[int, int]]) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(
        np.array(rows, dtype=float), np.array(source, dtype=float).reshape(8)
    )
    return [float(c) for c in solution]


def _jpeg_round_trip(image: Any, quality: int) -> Any:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def character_error_rate(hypothesis: str, truth: str) -> float:
    """Edit distance over the reference length, whitespace removed and full- and
    half-width forms unified (the measure the OCR tests and benchmark use)."""
    import unicodedata

    a, b = ("".join(unicodedata.normalize("NFKC", t).split()) for t in (hypothesis, truth))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(b))
