"""``minyi track`` and ``minyi stats`` end to end: record, match titles, follow up, count."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest
from conftest import correct_byline, propose, received_on, run_minyi
from conftest import minyi as run

from minyi import samples


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """Three registered samples (2026-0001..0003); 0001 and 0003 issued (印发) in issue 1."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, sample in enumerate(samples.SAMPLES, start=1):
        samples.make_docx(inbox / f"{n}.docx", sample.paragraphs())
    (tmp_path / "minyi.toml").write_text('issue_unit = "政协某某县委员会办公室"\nclerk = "王芳"\n',
                                         encoding="utf-8")  # fmt: skip
    assert run_minyi("process", "inbox", "--report", "r.jsonl", cwd=tmp_path).returncode == 0
    received_on(tmp_path, "2026-01-05")  # before the spring this history happens in
    propose(tmp_path, "2026-0001", "2026-0002", "2026-0003")
    new = run_minyi("issue", "new", "--items", "2026-0001", "2026-0003", "--date", "2026-03-05",
                    "--year", "2026", cwd=tmp_path)  # fmt: skip
    assert new.returncode == 0, new.stderr
    for step in (
        ["sign", "1", "--by", "张主任", "--year", "2026"],
        ["render", "1", "--no-pdf", "--year", "2026"],
    ):  # 印发: 编发 counts from here
        done = run_minyi("issue", *step, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    return tmp_path


def minyi(folder: Path, *args: str, code: int = 0, input: str | None = None) -> str:
    return run(folder, *args, code=code, input=input, env={"COLUMNS": "250"})  # no folding


def test_record_show_due_and_credit(office: Path) -> None:
    minyi(office, "track", "add", "2026-0001", "2026-0003", "--kind", "报送", "--level", "市",
          "--body", "市政协办公室", "--date", "2026-03-10")  # fmt: skip
    attached = office / "批示件.pdf"
    attached.write_bytes(b"%PDF-1.4 scan of the instruction")
    minyi(office, "track", "add", "2026-0001", "--kind", "批示", "--level", "市", "--leader",
          "王市长", "--principal", "--handler", "市民政局", "--date", "2026-04-10",
          "--document", str(attached))  # fmt: skip
    shown = minyi(office, "track", "show", "2026-0001")
    for expected in ("编发", "2026年第1期", "报送", "市政协办公室", "批示", "王市长（主要领导）",
                     "王芳", "张建华（第一反映人"):  # fmt: skip
        assert expected in shown
    kept = list((office / "data" / "attachments").rglob("*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == attached.read_bytes()
    due = minyi(office, "track", "due", "--days", "30")
    assert "王市长批示后尚无办理反馈" in due and "2026-0003" in due and "尚无采用结果" in due
    minyi(office, "track", "add", "2026-0001", "--kind", "办理反馈", "--text", "已出台办法",
          "--date", "2026-05-01")  # fmt: skip
    minyi(office, "track", "add", "2026-0003", "--kind", "采用", "--level", "省",
          "--date", "2026-05-02")  # fmt: skip
    assert "没有待跟进的事项" in minyi(office, "track", "due", "--days", "30")
    minyi(office, "track", "remove", "4")  # the 办理反馈 was recorded by mistake
    assert "王市长批示后尚无办理反馈" in minyi(office, "track", "due", "--days", "30")
    assert "没有编号为 99 的记录" in minyi(office, "track", "remove", "99", code=4)
    minyi(office, "track", "credit", "2026-0003", "--person", "王志强,第一,县工商联,经济界,工商联",
          "--person", "刘一,信息员")  # fmt: skip
    assert "王志强（第一反映人，县工商联，经济界，工商联）" in minyi(
        office, "track", "show", "2026-0003"
    )
    out = minyi(office, "track", "add", "2026-0009", "--kind", "报送", code=4)
    assert "2026-0009" in out
    # Every record, removal and credit is in the audit log, with who did it.
    logged = [json.loads(x) for x in minyi(office, "log", "2026-0001", "--json").splitlines()]
    actions = [(e["action"], e["actor"], e["detail"].get("kind")) for e in logged]
    assert ("track.add", "王芳", "批示") in actions and (
        "track.remove",
        "王芳",
        "办理反馈",
    ) in actions
    logged = [json.loads(x) for x in minyi(office, "log", "2026-0003", "--json").splitlines()]
    assert logged[-1]["action"] == "track.credit" and "王志强" in logged[-1]["detail"]["what"]


def test_titles_are_matched_and_confirmed_before_writing(office: Path) -> None:
    listing = office / "省采用名单.txt"
    listing.write_text("1.《关于加强农村留守老人养老服务的建议》\n2. 城区学校周边交通拥堵问题\n"
                       "3. 关于发展夜间经济的建议\n", encoding="utf-8")  # fmt: skip
    ids = office / "编号名单.txt"
    ids.write_text("2026-0003\n", encoding="utf-8")
    minyi(office, "track", "titles", str(ids), "--kind", "采用", "--level", "市", "--yes")
    assert "采用" in minyi(office, "track", "show", "2026-0003").split("计分对象")[0]
    # Declined at the final question: nothing is written.
    out = minyi(office, "track", "titles", str(listing), "--kind", "采用", "--level", "省",
                input="1\nn\n")  # fmt: skip
    assert "需确认" in out and "未找到" in out and "未写入" in out
    assert "采用" not in minyi(office, "track", "show", "2026-0002").split("计分对象")[0]
    # --yes: only the exact match is written; the near miss is skipped, not guessed.
    minyi(office, "track", "titles", str(listing), "--kind", "采用", "--level", "省", "--yes")
    assert "采用" in minyi(office, "track", "show", "2026-0001")
    assert "采用" not in minyi(office, "track", "show", "2026-0002").split("计分对象")[0]
    # Answering the question takes the chosen item.
    minyi(office, "track", "titles", str(listing), "--kind", "采用", "--level", "市",
          "--date", "2026-06-01", input="1\ny\n")  # fmt: skip
    assert "采用" in minyi(office, "track", "show", "2026-0002")


def test_stats_terminal_workbook_and_bulletin(office: Path) -> None:
    from openpyxl import load_workbook

    minyi(office, "track", "add", "2026-0001", "2026-0003", "--kind", "报送", "--level", "市",
          "--date", "2026-03-10")  # fmt: skip
    minyi(office, "track", "add", "2026-0001", "--kind", "采用", "--level", "省",
          "--date", "2026-04-01")  # fmt: skip
    out = minyi(office, "stats", "--year", "2026", "--xlsx", "统计.xlsx", "--report", "通报.docx")
    received = dt.date.today().year == 2026  # the samples are received today
    assert "1篇被省政协采用" in out and "编发2篇，报送2篇" in out
    assert "采用率（采用篇数 ÷ 报送篇数）：50.0%" in out
    book = load_workbook(office / "统计.xlsx")
    assert book.sheetnames == ["总体情况", "个人排名", "单位排名", "界别分布", "党派分布",
                               "题材分布", "月度走势", "收文登记簿"]  # fmt: skip
    summary = {row[0]: row[1] for row in book["总体情况"].iter_rows(values_only=True) if row}
    assert summary["报送"] == 2 and summary["被采用（篇）"] == 1 and summary["采用率"] == 0.5
    rate = next(r[1] for r in book["总体情况"].iter_rows() if r[0].value == "采用率")
    assert rate.number_format == "0.0%"  # shown as 50.0%, not 0.5
    # Native Excel charts over the tables' own cells.
    (levels,) = book["总体情况"]._charts
    assert levels.title is not None and len(levels.series) == 3
    assert levels.series[0].val.numRef.f.startswith("'总体情况'!$B$")
    (units,) = book["单位排名"]._charts
    assert units.series[0].val.numRef.f.startswith("'单位排名'!$G$")
    (trend,) = book["月度走势"]._charts
    assert [s.val.numRef.f for s in trend.series] == ["'月度走势'!$B$2:$B$13",
                                                     "'月度走势'!$C$2:$C$13"]  # fmt: skip
    ledger = list(book["收文登记簿"].iter_rows(values_only=True))
    if dt.date.today().year == 2026:
        assert [r[0] for r in ledger[1:]] == ["2026-0001", "2026-0002", "2026-0003"]
        first = ledger[1]
        assert first[5] == "拟采用" and "2026年第1期" in first[6] and first[8] == "省"
    persons = list(book["个人排名"].iter_rows(values_only=True))
    # 张建华: 编发 1 + 省采用 20; 王志强: 编发 1.
    assert persons[1][:2] == (1, "张建华") and persons[1][-1] == 21
    assert ("王志强", 1) in {(r[1], r[-1]) for r in persons[1:]}
    if received:
        assert summary["收到"] == 3
    bulletin = docx.Document(str(office / "通报.docx"))
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "关于2026年社情民意信息工作情况的通报" in text and "1篇被省政协采用" in text
    assert "政协某某县委员会办公室" in text
    assert len(bulletin.inline_shapes) == 1  # the monthly chart
    office_pdf = _to_pdf(office / "通报.docx")
    if office_pdf is not None:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(office_pdf))
        assert len(document) == 1  # one page
        document.close()
    report = json.loads((office / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert report["id"] == "2026-0001"


def test_workbook_cells_are_text_never_formulas_and_names_are_masked(office: Path) -> None:
    from openpyxl import load_workbook

    minyi(office, "track", "credit", "2026-0001", "--person", "=cmd|'calc'!A0,第一,=1+1",
          "--person", "@SUM(A1),联名,+2-1", "--person", "张三13812345678,联名")  # fmt: skip
    minyi(office, "track", "add", "2026-0001", "--kind", "采用", "--level", "市",
          "--date", "2026-03-10")  # fmt: skip
    minyi(office, "stats", "--year", "2026", "--xlsx", "统计.xlsx", "--report", "通报.docx")
    book = load_workbook(office / "统计.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = {c.value for c in cells}
    assert {"'=cmd|'calc'!A0", "'=1+1", "'@SUM(A1)", "'+2-1", "张三138****5678"} <= values
    assert "13812345678" not in str(values)
    bulletin = "\n".join(p.text for p in docx.Document(str(office / "通报.docx")).paragraphs)
    assert "13812345678" not in bulletin and "张三138****5678" in bulletin


def _to_pdf(path: Path) -> Path | None:
    """The bulletin laid out by LibreOffice (None where it is missing outside CI)."""
    from conftest import UNDER_CI

    from office import LibreOffice, find_soffice

    binary = find_soffice()
    if binary is None:
        if UNDER_CI:
            pytest.fail("LibreOffice is installed under CI")
        return None
    office = LibreOffice(binary, timeout=120)
    try:
        target = path.with_suffix(".pdf")
        office.convert(path, target)
        return target
    finally:
        office.close()


def test_an_unwritable_output_is_a_clear_error(office: Path) -> None:
    (office / "文件").write_text("不是文件夹", encoding="utf-8")
    out = minyi(office, "stats", "--xlsx", "文件/统计.xlsx", code=4)
    assert "无法写入「文件/统计.xlsx」" in out and "系统错误" not in out  # said in Chinese
    out = minyi(office, "issue", "text", "1", "1", "--export", "文件/稿.txt", code=4)
    assert "无法写入「文件/稿.txt」：路径中有一段是文件，不是文件夹" in out


def test_follow_through_is_checked_before_it_is_recorded(office: Path) -> None:
    """A date in the future, a 批示 with no leader, the same event twice: refused with the
    reason, nothing recorded; a second 报送 that really happened goes in with --force."""
    out = minyi(office, "track", "add", "2026-0001", "--kind", "采用", "--level", "市",
                "--date", "2062-01-01", code=4)  # fmt: skip
    assert "2062-01-01 在今天" in out
    out = minyi(office, "track", "add", "2026-0001", "--kind", "批示", "--level", "市", code=4)
    assert "须写明批示领导" in out
    minyi(office, "track", "add", "2026-0001", "--kind", "报送", "--level", "市", "--body",
          "市政协", "--date", "2026-03-10")  # fmt: skip
    out = minyi(office, "track", "add", "2026-0001", "--kind", "报送", "--level", "市",
                "--body", "市政协", "--date", "2026-03-10", code=4)  # fmt: skip
    assert "已记录过" in out and "--force" in out
    minyi(office, "track", "add", "2026-0001", "--kind", "报送", "--level", "市", "--body",
          "市政协", "--date", "2026-03-10", "--force")  # fmt: skip
    logged = [json.loads(x) for x in minyi(office, "log", "2026-0001", "--json").splitlines()]
    assert sum(e["action"] == "track.add" for e in logged) == 2


def test_a_whole_issue_is_forwarded_at_once(office: Path) -> None:
    out = minyi(office, "track", "add", "--issue", "1", "--year", "2026", "--kind", "报送",
                "--level", "市", "--body", "市政协办公室", "--date", "2026-03-10")  # fmt: skip
    assert "已记录 2 条" in out
    for sid in ("2026-0001", "2026-0003"):
        assert "市政协办公室" in minyi(office, "track", "show", sid)
    out = minyi(office, "track", "add", "--issue", "7", "--year", "2026", "--kind", "报送",
                code=4)  # fmt: skip
    assert "没有2026年第7期" in out


def test_waiting_days_are_never_negative(office: Path) -> None:
    """An event stored with a date after today (before dates were checked) waits 0 days."""
    import datetime as dt

    from ingest.registry import Registry
    from minyi.tracking import waiting

    with Registry.open(office / "data" / "registry.sqlite3") as registry, registry.batch():
        later = (dt.date.today() + dt.timedelta(days=4)).isoformat()
        registry.add_events([{"submission_id": "2026-0001", "kind": "批示", "date": later,
                              "level": "市", "leader": "王市长"}], "2026-01-01T00:00:00")  # fmt: skip
    with Registry.open(office / "data" / "registry.sqlite3") as registry:
        rows = waiting(registry, 0)
    assert [row.days for row in rows if "王市长" in row.reason] == [0]


def test_a_quarter_is_a_period_of_its_own(office: Path) -> None:
    out = minyi(office, "stats", "--year", "2026", "--quarter", "1")
    assert out.startswith("2026年第一季度共收到社情民意信息")
    assert "篇被全国政协采用" not in out  # nothing adopted: the clause is left out
    out = minyi(office, "stats", "--quarter", "2", "--from", "2026-01-01", code=4)
    assert "不能与 --from/--to 同时使用" in out


def test_events_stay_within_the_items_life(office: Path) -> None:
    """Not before the item was received, not before it was issued (印发 2026-03-05)."""
    out = minyi(office, "track", "add", "2026-0002", "--kind", "报送", "--level", "市",
                "--date", "2025-12-31", code=4)  # fmt: skip
    assert "早于收到这篇稿件的日期（2026-01-05）" in out
    out = minyi(office, "track", "add", "2026-0001", "--kind", "批示", "--level", "市",
                "--leader", "王市长", "--date", "2026-03-01", code=4)  # fmt: skip
    assert "早于它的印发日期（2026-03-05）" in out
    assert "2026-03-01" not in minyi(office, "track", "show", "2026-0001")


def test_a_corrected_byline_moves_the_points(office: Path) -> None:
    """The clerk corrects 2026-0001's 反映人 in the issue's text: its points go to the
    person named there, not to the one the file named."""
    from openpyxl import load_workbook

    out = correct_byline(office, "2026-0001", "反映人：王大明（县人民医院）")
    assert "计分对象已随改动改为 王大明" in out
    minyi(office, "stats", "--year", "2026", "--xlsx", "统计.xlsx")
    rows = list(load_workbook(office / "统计.xlsx")["个人排名"].iter_rows(values_only=True))[1:]
    names = {r[1] for r in rows}
    assert "王大明" in names and "张建华" not in names


@pytest.mark.parametrize("period", ["2026年", "2026年1月1日至6月30日"])
def test_a_busy_years_bulletin_stays_on_one_page(tmp_path: Path, period: str) -> None:
    """Seen: the 通报 said to be one page ran to two for a full year (every clause, five
    leaders, three long unit names, twelve months of bars); the chart now gives way."""
    import datetime as dt

    from conftest import GATE

    from formatter.bulletin import BulletinFigures, write_bulletin
    from ingest.screening.gate import Checkpoint

    sentence = ("2026年共收到社情民意信息1286篇，编发412篇，报送398篇；其中3篇被全国政协采用，"
                "27篇被省政协采用，96篇被市政协采用，41篇被市政协报送省政协，5篇经省政协报送"
                "全国政协，18篇获省市县主要领导批示。")  # fmt: skip
    leaders = (("欧阳晓明", 128.5), ("司马相如", 96.0), ("诸葛孔明", 87.25), ("张建华", 80.0),
               ("李晓梅", 75.5))  # fmt: skip
    units = ("中国民主建国会某某县委员会", "中国农工民主党某某县基层委员会",
             "某某县工商业联合会（总商会）")  # fmt: skip
    monthly = tuple((f"2026-{m:02d}", 100 + m * 9, 30 + m * 3) for m in range(1, 13))
    figures = BulletinFigures(period, sentence, 0.318, leaders, units, monthly)
    path = tmp_path / "通报.docx"
    write_bulletin(figures, path, "政协某某县委员会办公室", Checkpoint(GATE), dt.date(2026, 12, 31))
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "某某县工商业联合会（总商会）" in text and "2026年12月31日" in text
    office_pdf = _to_pdf(path)
    if office_pdf is not None:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(office_pdf))
        pages = len(document)
        last = document[pages - 1].get_textpage().get_text_range()
        document.close()
        assert pages == 1 and "2026年12月31日" in last.replace(" ", "").replace("\r\n", "")
