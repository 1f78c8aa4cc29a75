"""``minyi doctor``: every external tool, library and model minyi uses, found or not.

For each component: whether it is there, its version or location, and what
is disabled without it. Nothing here is downloaded or installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from minyi.settings import Settings
from office import INSTALL_HINT, LibreOffice, find_soffice


@dataclass(frozen=True)
class Check:
    name: str
    found: bool
    detail: str
    without: str  # what does not work without it
    required: bool = True


def _package(dist: str, name: str, without: str, required: bool = True,
             hint: str = "") -> Check:  # fmt: skip
    try:
        return Check(name, True, f"{dist} {version(dist)}", without, required)
    except PackageNotFoundError:
        return Check(name, False, hint or f"未安装（pip install {dist}）", without, required)


def _ocr_models() -> Check:
    try:
        import rapidocr
    except ImportError:
        return Check("OCR 模型（PP-OCR）", False, "未安装 rapidocr", "扫描件与照片的文字识别")
    models = sorted(Path(rapidocr.__file__).parent.glob("models/*.onnx"))
    listed = "、".join(f"{m.name}（{m.stat().st_size / 1e6:.0f} MB）" for m in models)
    return Check("OCR 模型（PP-OCR）", bool(models), listed or "安装包内未找到模型文件",
                 "扫描件与照片的文字识别")  # fmt: skip


def _libreoffice(settings: Settings) -> Check:
    binary = find_soffice()
    if binary is None:
        return Check(
            "LibreOffice",
            False,
            f"未找到（{INSTALL_HINT}）",
            "读取 .doc/.wps/.rtf/.odt 文件；生成刊物 PDF",
        )
    office = LibreOffice(binary, settings.office_timeout)
    try:
        return Check(
            "LibreOffice",
            True,
            f"{office.version}（{binary}）",
            "读取 .doc/.wps/.rtf/.odt 文件；生成刊物 PDF",
        )
    finally:
        office.close()


def _paddle(settings: Settings) -> Check:
    check = _package("paddleocr", "PaddleOCR（可选）", "可选的 PaddleOCR 引擎；默认的 RapidOCR 不需要它",
                     required=False, hint="未安装（可选；默认使用 RapidOCR）")  # fmt: skip
    if check.found and not (settings.paddle_det_model_dir and settings.paddle_rec_model_dir):
        return Check(check.name, True, check.detail + "；未配置本地模型目录", check.without, False)
    return check


def _fonts() -> Check:
    if shutil.which("fc-list") is None:
        return Check(
            "中文字体", False, "未找到 fc-list（fontconfig）", "PDF 排版输出中的中文字体", False
        )
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                            check=False).stdout  # fmt: skip
    families = sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()})
    return Check("中文字体", bool(families), "、".join(families[:6]) or "未找到中文字体",
                 "PDF 排版输出中的中文字体（Debian：apt-get install fonts-noto-cjk）", False)  # fmt: skip


def _issue_fonts(settings: Settings) -> Check:
    from common.errors import MinyiError
    from formatter.pdf import font_substitutions
    from formatter.template import Template

    try:
        fonts = Template(settings.templates).fonts
    except MinyiError as exc:
        return Check("刊物字体", False, exc.message, "生成刊物")
    found = font_substitutions(fonts)
    detail = "；".join(s.describe() for s in found)
    return Check("刊物字体（PDF）", all(s.used for s in found), detail,
                 "PDF 中各标准字体的替代（办公室装有正版字体时直接使用）", False)  # fmt: skip


def checks(settings: Settings) -> list[Check]:
    return [
        Check("Python", sys.version_info >= (3, 11), sys.version.split()[0], "全部功能"),
        _package("pypdfium2", "PDFium（pypdfium2）", "PDF 文字提取与扫描页渲染"),
        _package("python-docx", "python-docx", "生成刊物 Word 文件与样例"),
        _package("jinja2", "Jinja2", "刊物模板措辞与网页预览"),
        _package("lxml", "lxml", "读取 .docx"),
        _package("numpy", "NumPy", "近似重复检测"),
        _package("ahocorasick-rs", "ahocorasick-rs", "敏感词筛查"),
        _package("opencc-python-reimplemented", "OpenCC 繁简字表", "繁体字敏感词匹配"),
        _package("rapidocr", "RapidOCR", "扫描件与照片的文字识别"),
        _package("onnxruntime", "ONNX Runtime", "扫描件与照片的文字识别"),
        _ocr_models(),
        _paddle(settings),
        _libreoffice(settings),
        _package("reportlab", "reportlab（可选）", "minyi sample 生成 PDF 样例", required=False),
        _fonts(),
        _issue_fonts(settings),
    ]
