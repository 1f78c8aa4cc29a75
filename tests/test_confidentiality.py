"""Nothing secret or personal leaves: every disguise, through the real path, in every artefact.

Files go in, ``minyi process`` screens them, ``minyi issue new`` and ``render`` try to
publish them, and every artefact written (docx XML, PDF text, HTML, each zip member,
manifest, receipts, workbook cells) is opened with readers of this test's own — not the
gate's — and searched.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import minyi, need_tool, propose, run_minyi

from minyi import samples

ID = "320102199003071239"
ID_GROUPED = "320102 19900307 1239"
ID_HYPHENED = "320102-19900307-1239"
CARD = "6222 0212 3456 7890 128"
MOBILE = "13812345678"
URL = "http://www.example.gov.cn/xxgk/art_2024_13912345678.html"
INVISIBLE = ["\u200e", "\u2062", "\u180e", "\u034f", "\ufe0f", "\U000e0020", "\u3164",
             "\u2800", "\u200a", "\u2002", "\u0332"]  # fmt: skip
STARS = ["✭", "⭐", "✱", "☆"]
BODY = [
    "近年来，我县农村集中供水工程覆盖面不断扩大，但部分山区村组仍存在水质不稳定、管网老化等问题。",
    "一是加大财政投入；二是健全管护机制；三是强化水质监测。",
]


def disguised_marks() -> dict[str, str]:
    """File stem → the first line of a submission whose 密级 mark is disguised."""
    marks = {f"invisible-{ord(ch):04x}": f"机{ch}密★1年" for ch in INVISIBLE}
    marks |= {f"star-{ord(ch):04x}": f"机密{ch}1年" for ch in STARS}
    marks["same-line"] = "机密 政协某县委员会办公室 2026年11月"
    marks["star-inside"] = "绝★密"
    marks["asterisk"] = "秘密*1年"
    marks["fullwidth-traditional"] = "（機密）"
    return marks


def plain(text: str) -> str:
    """What a reader sees: invisible characters, combining marks and spaces removed."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if unicodedata.category(ch) not in ("Cf", "Mn", "Me", "Zs") and ch not in "\u3164\u2800"
    )


def artefact_texts(path: Path) -> dict[str, str]:
    """Every file under ``path`` (and every zip member) → its text, read independently."""
    texts: dict[str, str] = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        texts.update(_texts(file.name, file.read_bytes()))
    return texts


def _texts(name: str, data: bytes) -> dict[str, str]:
    suffix = Path(name).suffix.lower()
    if suffix in (".zip", ".docx"):
        found = {}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                assert "/" not in member or suffix == ".docx", f"zip member in a folder: {member}"
                assert ".." not in member, member
                inner = archive.read(member)
                if suffix == ".docx" and member.endswith(".xml"):
                    xml = inner.decode("utf-8")
                    found[f"{name}/{member}"] = re.sub(r"<[^>]+>", "", xml)
                elif suffix == ".zip":
                    found |= {f"{name}/{k}": v for k, v in _texts(member, inner).items()}
        return found
    if suffix == ".pdf":
        document = pdfium.PdfDocument(data)
        text = "".join(page.get_textpage().get_text_range() for page in document)
        return {name: text + json.dumps(document.get_metadata_dict(), ensure_ascii=False)}
    if suffix in (".png", ".jpg"):
        return {}
    text = data.decode("utf-8")
    if suffix == ".json":
        text += json.dumps(json.loads(text), ensure_ascii=False)  # unescaped too
    return {name: re.sub(r"<[^>]+>", "", text) if suffix == ".html" else text}


def assert_no_marks(texts: dict[str, str]) -> None:
    for where, text in texts.items():
        shown = plain(text).replace("機", "机")
        for word in ("绝密", "机密", "秘密"):
            assert word not in shown, f"{word} printed in {where}"


def assert_masked(texts: dict[str, str]) -> None:
    for where, text in texts.items():
        digits = re.sub(r"(?<=\d)[\s\-]+(?=\d)", "", plain(text))  # groups joined
        assert ID not in digits, f"ID card number printed in {where}"
        assert MOBILE not in digits, f"mobile number printed in {where}"
        assert "6222021234567890128" not in digits, f"bank card printed in {where}"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    inbox = folder / "inbox"
    for stem, mark in disguised_marks().items():
        samples.make_docx(
            inbox / f"{stem}.docx", [mark, f"关于{stem}的建议", "反映人：张三", *BODY]
        )
    samples.make_docx(inbox / "plain.docx", [
        "关于加强农村供水管护的建议", "反映人：李四（县政协委员） 联系电话13812345678",
        *BODY, f"据反映，有群众身份证号{ID_GROUPED}被冒用，另一人为{ID_HYPHENED}，",
        f"工资卡卡号{CARD}。报道见{URL}。", "这已不是什么秘密。",
    ])  # fmt: skip
    (folder / "minyi.toml").write_text(
        'issue_unit = "政协某某县委员会办公室"\nissue_contacts = true\n', encoding="utf-8"
    )
    result = run_minyi("process", "inbox", "--report", "r.jsonl", cwd=folder)
    assert result.returncode == 0, result.stderr
    propose(folder, report(folder)["plain.docx"]["id"])
    return folder


def report(folder: Path) -> dict[str, dict]:
    lines = (folder / "r.jsonl").read_text(encoding="utf-8").splitlines()
    return {(line := json.loads(x))["file"]: line for x in lines}


def test_every_disguised_mark_is_quarantined_and_never_printed(office: Path) -> None:
    lines = report(office)
    for stem in disguised_marks():
        assert lines[f"{stem}.docx"]["screening"] == "quarantined", stem
    assert lines["plain.docx"]["screening"] == "flagged"  # personal data, no mark
    written = (office / "r.jsonl").read_text(encoding="utf-8").replace("这已不是什么秘密", "")
    assert_no_marks({"r.jsonl": written})
    assert_masked({"r.jsonl": written})
    for stem in disguised_marks():
        refused = minyi(office, "issue", "new", "--items", lines[f"{stem}.docx"]["id"], code=8)
        assert "隔离" in refused
    assert not (office / "outbox").exists() or not list((office / "outbox").rglob("*.docx"))


def test_a_mark_in_a_file_name_quarantines_too(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    samples.make_docx(
        inbox / "机密★1年 关于供水的建议.docx", ["关于供水的建议", "反映人：张三", *BODY]
    )
    assert run_minyi("process", "inbox", "--report", "r.jsonl", cwd=tmp_path).returncode == 0
    line = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"))
    assert line["screening"] == "quarantined"
    assert line["file"] == "机密★1年 关于供水的建议.docx"  # the report's key stays exact
    shown = run_minyi("show", line["id"], cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    assert "文件名" in shown


def test_a_released_mark_may_print_where_the_clerk_decided_so(office: Path) -> None:
    released = report(office)["same-line.docx"]["id"]
    minyi(office, "release", released, "--reason", "经核实为报送单位抬头，非密级标志")
    propose(office, released)
    number = minyi(office, "issue", "new", "--force", "--items", released).splitlines()[0]
    minyi(office, "issue", "render", number, "--no-pdf")
    folder = office / "outbox" / "2026" / f"第{number}期"
    assert any("机密" in plain(t) for t in artefact_texts(folder).values())


def test_personal_data_is_masked_in_every_artefact(office: Path) -> None:
    need_tool("soffice")
    plain_id = report(office)["plain.docx"]["id"]
    number = minyi(office, "issue", "new", "--force", "--items", plain_id).splitlines()[0]
    minyi(office, "issue", "render", number)
    folder = next((office / "outbox").glob(f"*/第{number}期"))
    texts = artefact_texts(folder)
    assert any(name.endswith("（报送）.zip/社情民意信息2026年第" + number + "期（报送）.pdf")
               or "（报送）.pdf" in name for name in texts)  # fmt: skip
    assert_masked(texts)
    assert_no_marks({k: v.replace("这已不是什么秘密", "") for k, v in texts.items()})
    docx_text = "".join(v for k, v in texts.items() if k.endswith("document.xml"))
    assert "3201** ******** 1239" in docx_text and "138****5678" in docx_text
    assert URL in docx_text  # the digits inside an address are not a phone number


@pytest.mark.parametrize("args,problem", [
    (("--foreword", "机密★1年"), "编者按含密级标志"),
    (("--journal", "社情民意信息（机密★1年）"), "刊名含密级标志"),
    (("--mark", "秘✱密★1年"), "变形的密级字样"),
    (("--report-to", "市政协办公室,秘密★长期"), "报含密级标志"),
])  # fmt: skip
def test_issue_level_fields_are_screened(office: Path, args: tuple[str, str], problem: str) -> None:
    plain_id = report(office)["plain.docx"]["id"]
    number = minyi(office, "issue", "new", "--force", "--items", plain_id).splitlines()[0]
    minyi(office, "issue", "edit", number, *args)
    refused = minyi(office, "issue", "render", number, "--no-pdf", code=8)
    assert problem in refused
    assert not (office / "outbox" / "2026" / f"第{number}期").exists()


def test_an_invisible_character_in_the_header_mark_declares_it_plainly(office: Path) -> None:
    plain_id = report(office)["plain.docx"]["id"]
    number = minyi(office, "issue", "new", "--force", "--items", plain_id).splitlines()[0]
    minyi(office, "issue", "edit", number, "--mark", "机\u200b密★1年")
    assert "机密★1年" in minyi(office, "issue", "show", number)
    rendered = minyi(office, "issue", "render", number, "--no-pdf")
    assert "不生成报送包" in rendered
    folder = office / "outbox" / "2026" / f"第{number}期"
    assert not list(folder.glob("*.zip"))


def test_imported_text_with_a_hidden_mark_does_not_render(office: Path) -> None:
    plain_id = report(office)["plain.docx"]["id"]
    number = minyi(office, "issue", "new", "--force", "--items", plain_id).splitlines()[0]
    edited = office / f"稿{number}.txt"
    edited.write_text("标题：关于某事的建议\n反映人：李四\n\n秘\u2062密★1年\n正文。\n", "utf-8")
    minyi(office, "issue", "text", number, "1", "--import", str(edited))
    assert "正文含密级标志" in minyi(office, "issue", "render", number, "--no-pdf", code=8)
    # Exporting that text is refused as well (exit 9), and nothing is written.
    out = office / f"导出{number}.txt"
    blocked = minyi(office, "issue", "text", number, "1", "--export", str(out), code=9)
    assert "保密检查" in blocked and not out.exists()


def test_a_journal_name_cannot_leave_the_outbox(office: Path) -> None:
    plain_id = report(office)["plain.docx"]["id"]
    number = minyi(office, "issue", "new", "--force", "--items", plain_id).splitlines()[0]
    minyi(office, "issue", "edit", number, "--journal", "../../../../tmp/x/PWN")
    minyi(office, "issue", "render", number, "--no-pdf")
    folder = office / "outbox" / "2026" / f"第{number}期"
    names = sorted(p.name for p in folder.iterdir())
    assert all("/" not in n and not n.startswith(".") for n in names), names
    zipped = next(folder.glob("*.zip"))
    with zipfile.ZipFile(zipped) as archive:
        assert all("/" not in m and ".." not in m for m in archive.namelist())
    assert not Path("/tmp/x/PWN2026年第" + number + "期.docx").exists()
    minyi(office, "issue", "edit", number, "--journal", 'a/b\\c:d*e?"f')
    minyi(office, "issue", "render", number, "--no-pdf")
    assert any(p.name.startswith("a_b_c_d_e_") for p in folder.iterdir())
