"""The item's structure: title, 反映人, body and furniture, from intake to the printed page."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pdfplumber
import pytest
from conftest import minyi, need_tool, propose
from structure_cases import CASES, HELD_OUT, B

from ingest.recognize import analyse, byline_text, submitter_of
from minyi import samples

TITLE = "关于加强农村养老服务的建议"
BODY = ["近年来，我县农村老年人口占比持续上升，养老服务供给不足的问题日益突出，“一床难求”的现象时有发生。",
        "一、存在的问题", "养老机构床位空置与一床难求并存，护理人员流失严重，服务质量参差不齐。",
        "二、几点建议", "建议加大财政投入，完善农村养老服务网络，培养本土护理人员队伍。"]  # fmt: skip


def test_title_and_byline_precision_and_recall_on_realistic_forms() -> None:
    """Every form in the list; precision and recall of title and 反映人 are both ≥ 0.97."""
    assert len(CASES) >= 60
    wrong: list[str] = []
    counts = {"title": [0, 0, 0], "byline": [0, 0, 0]}  # right, wrong, missed
    for lines, title, name, screen in CASES + HELD_OUT:
        structure = analyse(lines, screen=screen)
        submitter = submitter_of(structure)
        for field, want, got in (
            ("title", title, structure.title.text if structure.title else None),
            ("byline", name, submitter.name if submitter else None),
        ):
            tally = counts[field]
            if got is not None and got == want:
                tally[0] += 1
            elif got is not None:
                tally[1] += 1
            if want is not None and got != want:
                tally[2] += 1
            if got != want:
                wrong.append(f"{field}: {want!r} ≠ {got!r} in {lines[:3]}…{lines[-2:]}")
        body = [p.text for p in structure.body]
        lost = [line for line in B if line in lines and line not in body]
        assert not lost, (lines, lost)  # a byline never takes a body paragraph
    for field, (right, bad, missed) in counts.items():
        precision, recall = right / (right + bad), right / (right + missed)
        assert precision >= 0.97 and recall >= 0.97, (field, precision, recall, wrong)
    assert wrong == []


def test_a_byline_never_swallows_the_body() -> None:
    """OCR of a rotated photo ran the 反映人 line into the body: the byline ends at the
    name, the rest stays body text; nothing of the body is lost."""
    text = "近年来我县农村老年人口占比持续上升，养老服务供给不足的问题日益突出。建议加大财政投入。"
    structure = analyse([TITLE, f"反映人：县政协委员 钱立新 {text}"])
    assert submitter_of(structure).name == "钱立新"  # type: ignore[union-attr]
    assert structure.byline == "县政协委员 钱立新"
    assert [p.text for p in structure.body] == [text]
    # A label inside a sentence is no byline at all.
    structure = analyse([TITLE, "据信息员：王某介绍，村里的路灯已经坏了半年。", *BODY])
    assert structure.bylines == () and structure.body[0].text.startswith("据信息员")


def test_a_phone_in_brackets_is_contact_not_byline_text() -> None:
    structure = analyse([TITLE, "九三学社××支社 司马红（联系电话：13800001111）", *BODY])
    submitter = submitter_of(structure)
    assert submitter is not None and submitter.name == "司马红"
    assert submitter.phone == "13800001111"
    assert structure.byline == "九三学社××支社 司马红"
    assert [p.text for p in structure.body] == BODY  # and not again as a paragraph
    assert [p.kind for p in structure.body] == ["body", "heading1", "body", "heading1", "body"]
    assert (
        byline_text("（反映人：民进县支部 李晓梅，联系电话：13800000000）") == "民进县支部 李晓梅"
    )


def test_screen_chrome_and_running_headers_are_furniture() -> None:
    shot = ["9:41 4G 100%", "< 王科长(3)", "关于小区电梯维修的反映", "反映人：何小军",
            "小区电梯近三个月多次困人，物业推诿不修。", "发送"]  # fmt: skip
    structure = analyse(shot, screen=True)
    assert [p.kind for p in structure.furniture] == ["chrome", "chrome", "chrome"]
    assert [p.text for p in structure.body] == ["小区电梯近三个月多次困人，物业推诿不修。"]
    # Phone-width lines of a screenshot are joined where a sentence runs on.
    narrow = ["关于小区电梯维修的反映", "反映人：何小军", "小区电梯近三个月多次困人，物业",
              "推诿不修，业主多次投诉无果。", "一、建议", "建议主管部门督促整改。"]  # fmt: skip
    assert [p.text for p in analyse(narrow, screen=True).body] == [
        "小区电梯近三个月多次困人，物业推诿不修，业主多次投诉无果。", "一、建议",
        "建议主管部门督促整改。"]  # fmt: skip
    # The same lines in a typed document are kept: only pictures have chrome.
    assert "9:41 4G 100%" in [p.text for p in analyse(shot).body]
    running = [TITLE, "县政协委员 钱立新", BODY[0], "××县政协社情民意信息", *BODY[1:],
               "××县政协社情民意信息", "2"]  # fmt: skip
    structure = analyse(running)
    assert [p.text for p in structure.body] == BODY
    assert {p.kind for p in structure.furniture} == {"masthead", "page_number"}


def _office(tmp_path: Path) -> Path:
    (tmp_path / "minyi.toml").write_text(
        'issue_unit = "政协某某县委员会办公室"\n', encoding="utf-8"
    )
    return tmp_path


def test_what_is_printed_is_what_was_submitted(tmp_path: Path) -> None:
    """A Word file with its own header and footer and an unlabelled byline with a phone:
    the PDF prints the byline once, without the phone, and no header or footer text."""
    need_tool("soffice")
    office = _office(tmp_path)
    samples.make_docx(office / "inbox" / "养老.docx",
                      [TITLE, "九三学社××支社 司马红（联系电话：13800001111）", *BODY],
                      header="××县政协社情民意信息", footer="××县政协办公室 编印")  # fmt: skip
    minyi(office, "process", "inbox")
    propose(office, *_registered(office))
    shown = minyi(office, "show", "2026-0001")
    assert "印作：九三学社××支社 司马红" in shown and "非正文：页眉" in shown
    minyi(office, "issue", "new", "--items", "2026-0001")
    minyi(office, "issue", "render", "1")
    pdf = office / "outbox" / "2026" / "第1期" / "社情民意信息2026年第1期.pdf"
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    flat = "".join(text.split())
    assert flat.count("司马红") == 1 and "13800001111" not in flat and "联系电话" not in flat
    assert "××县政协社情民意信息" not in flat and "编印" not in flat
    assert "“一床难求”的现象" in flat  # quotes where they were written
    assert "社情民意信息" in flat  # the issue's own masthead, of course


def test_empty_and_markup_bodies_are_refused_and_repeats_need_force(tmp_path: Path) -> None:
    office = _office(tmp_path)
    inbox = office / "inbox"
    samples.make_docx(inbox / "1.docx", [TITLE, "县政协委员 钱立新", *BODY])
    samples.make_docx(inbox / "2.docx", ["关于城区停车难的建议", "民建××县总支 郭海"])
    markup = ['<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
              '<link rel=File-List href="a.files/filelist.xml">',
              "<style>p.MsoNormal {margin:0cm; font-size:10.5pt;}</style>",
              '<div class=WordSection1><p class=MsoNormal><span lang=EN-US>',
              "&nbsp;</span></p></div>"] * 6  # fmt: skip
    (inbox / "3.txt").write_text("关于校园周边交通的建议\n" + "\n".join(markup), encoding="utf-8")
    minyi(office, "process", "inbox")
    propose(office, *_registered(office))
    minyi(office, "issue", "new", "--items", "2026-0002", "2026-0003")
    out = minyi(office, "issue", "render", "1", "--no-pdf", code=8)
    assert "2026-0002：正文为空" in out and "2026-0003：正文像是网页标记或代码" in out
    assert "minyi issue text 1 1 --export" in out  # and how to fix it
    shown = minyi(office, "issue", "show", "1")
    assert "不能生成" in shown and "未识别出反映人" in shown
    minyi(office, "issue", "new", "--items", "2026-0001")
    minyi(office, "issue", "sign", "2", "--by", "张主任")
    minyi(office, "issue", "render", "2", "--no-pdf")  # 印发: now it counts as published
    out = minyi(office, "issue", "new", "--items", "2026-0001", code=4)
    assert "2026-0001：已在2026年第2期印发" in out and "--force" in out
    out = minyi(office, "issue", "new", "--items", "2026-0001", "--force")
    assert "已强制编入" in out


def test_rows_from_before_the_structure_are_recognised_when_read(tmp_path: Path) -> None:
    office = _office(tmp_path)
    samples.make_docx(office / "inbox" / "1.docx", [TITLE, "致公党××县支部 马振华", *BODY])
    minyi(office, "process", "inbox")
    propose(office, *_registered(office))
    db = sqlite3.connect(office / "data" / "registry.sqlite3")
    (stored,) = db.execute("SELECT structure FROM submissions").fetchone()
    assert json.loads(stored)["byline"] == "致公党××县支部 马振华"
    with db:
        db.execute("UPDATE submissions SET structure = NULL")
    db.close()
    minyi(office, "issue", "new", "--items", "2026-0001")
    minyi(office, "issue", "text", "1", "1", "--export", "稿.txt")
    text = (office / "稿.txt").read_text(encoding="utf-8")
    assert text.startswith(f"标题：{TITLE}\n反映人：致公党××县支部 马振华\n")
    assert text.count("马振华") == 1


@pytest.mark.parametrize("lines", [[TITLE, *BODY], [TITLE, "县政协委员 钱立新", *BODY]])
def test_the_structure_round_trips(lines: list[str]) -> None:
    from ingest.record import Structure

    structure = analyse(lines)
    assert Structure.from_dict(json.loads(json.dumps(structure.as_dict()))) == structure


def test_html_saved_as_doc_is_read_as_prose_not_markup(tmp_path: Path) -> None:
    """OA systems save web pages as .doc: what reaches the item is the prose."""
    office = _office(tmp_path)
    (office / "inbox").mkdir()
    (office / "inbox" / "停车.doc").write_text(
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<meta name=ProgId content=Word.Document><style>p.MsoNormal{margin:0}</style></head>"
        "<body><p class=MsoNormal>关于城区停车难的建议</p><p class=MsoNormal>民建××县总支 郭海</p>"
        f"<p class=MsoNormal>{BODY[0]}</p><p class=MsoNormal>{BODY[4]}</p></body></html>",
        encoding="utf-8",
    )
    minyi(office, "process", "inbox")
    propose(office, *_registered(office))
    minyi(office, "issue", "new", "--items", "2026-0001")
    minyi(office, "issue", "text", "1", "1", "--export", "稿.txt")
    text = (office / "稿.txt").read_text(encoding="utf-8")
    assert (
        text == f"标题：关于城区停车难的建议\n反映人：民建××县总支 郭海\n\n{BODY[0]}\n{BODY[4]}\n"
    )
    assert "不能生成" not in minyi(office, "issue", "show", "1")


def test_placeholders_table_rows_and_signature_lines_are_never_titles() -> None:
    from ingest.recognize import find_title

    assert find_title(["编号：{{{applyNo}}", "甲方（盖章）", TITLE, *BODY]) == TITLE
    assert find_title(["项目\t金额\t备注", "甲方（盖章）", "乙方：某某公司"]) is None
    assert find_title(["${title}", "关于${subject}的建议"]) is None


def test_a_document_number_ends_its_paragraph() -> None:
    """常关缉违字[2019]13号 is not run into the paragraph under it, however long its line."""
    from ingest.layout import Line, join_lines

    lines = [Line("常关缉违字[2019]13号", True), Line("当事人：张某某，男，汉族，住", True),
             Line("城关镇。", False)]  # fmt: skip
    assert join_lines(lines) == ["常关缉违字[2019]13号", "当事人：张某某，男，汉族，住城关镇。"]
    assert join_lines([Line("县政发〔2026〕第5号", True), Line("各乡镇：", False)])[0].endswith(
        "号"
    )


def test_a_scanner_apps_mark_is_furniture() -> None:
    """Phone scanning apps print their name on every page (扫描全能王 创建, CamScanner):
    not the author's words, so not in the printed text."""
    page = ["关于小区电梯维修的反映", "反映人：何小军", "小区电梯近三个月多次困人，物业推诿不修。",
            "扫描全能王 创建"]  # fmt: skip
    structure = analyse(page, screen=True)
    assert [(p.kind, p.text) for p in structure.furniture] == [("chrome", "扫描全能王 创建")]
    assert [p.text for p in structure.body] == ["小区电梯近三个月多次困人，物业推诿不修。"]
    english = analyse([*page[:3], "Scanned with CamScanner"], screen=True)
    assert [p.kind for p in english.furniture] == ["chrome"]


def _registered(office: Path) -> list[str]:
    """The ids of the submissions registered in ``office`` (none of them quarantined)."""
    import json

    listed = minyi(office, "list", "--json", "--limit", "1000").splitlines()
    return [json.loads(line)["id"] for line in listed if line.startswith("{")]


def test_a_running_header_glued_to_the_title_is_parted_from_it() -> None:
    """A text layer or OCR that ran the page header into the title's line: the header is
    furniture, the title starts at 关于."""
    structure = analyse(["××县政协社情民意信息关于加强农村养老服务的建议", "反映人：张三",
                         "近年来，我县农村老年人口占比持续上升，养老服务供给不足。"])  # fmt: skip
    assert structure.title is not None and structure.title.text == "关于加强农村养老服务的建议"
    assert [(p.kind, p.text) for p in structure.furniture] == [("masthead", "××县政协社情民意信息")]
    # A title that merely mentions the bulletin stays whole.
    whole = analyse(["关于办好社情民意信息工作的建议", "反映人：张三", "正文。" * 20])
    assert whole.title is not None and whole.title.text == "关于办好社情民意信息工作的建议"
