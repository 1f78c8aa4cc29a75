"""The gate and the one fold: random disguises always caught, artefacts read whole, every
writer of an outgoing artefact known, odd file names shown safely."""

from __future__ import annotations

import ast
import io
import random
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import GATE, run_minyi

from ingest.record import Format, Record, mask_value, printable, safe_component
from ingest.screening.fold import BLANKS, fold
from ingest.screening.gate import REDACTED, Allowance
from ingest.screening.lexicon import Lexicons
from ingest.screening.pii import find_pii
from ingest.screening.sensitive import find_sensitive

ROOT = Path(__file__).parent.parent
ID = "320102199003071239"
MOBILE = "13812345678"


def folded_classes() -> list[str]:
    """A sample of every class the fold drops: Cf, Mn, Me, variation selectors, tags,
    blanks, every space separator."""
    chars = [chr(cp) for cp in range(0x80, 0x30000)
             if unicodedata.category(chr(cp)) in ("Cf", "Mn", "Me", "Zs")]  # fmt: skip
    chars += [chr(cp) for cp in range(0xE0000, 0xE0080)] + [
        chr(cp) for cp in range(0xE0100, 0xE01F0)
    ]
    return chars + list(BLANKS) + [" ", "\t"]


CLASSES = folded_classes()


def disguise(word: str, rng: random.Random, most: int = 3) -> str:
    out = []
    for i, ch in enumerate(word):
        out.append(ch)
        if i < len(word) - 1:
            out += rng.choices(CLASSES, k=rng.randint(0, most))
    return "".join(out)


def secret_hits(text: str) -> list[str]:
    record = Record(sha256="", original_name="", format=Format.TEXT, pages=(), text=text)
    found = find_sensitive(record, Lexicons().matcher())
    return [f.text for f in found if f.category == "secret.marking"]


def test_random_invisible_characters_inside_a_mark_are_always_caught() -> None:
    rng = random.Random(20261204)
    for _ in range(600):
        word = rng.choice(["绝密", "机密", "秘密"])
        mark = disguise(word, rng) + rng.choice(["★", "☆", "✭", "⭐", "✱"]) + "1年"
        text = f"{mark}\n关于某事的建议\n正文。"
        hits = secret_hits(text)
        assert hits and fold(hits[0]).text.startswith(word), repr(mark)
        assert REDACTED in GATE.redact(text)
        alone = disguise(word, rng)  # alone on its line, no star
        assert secret_hits(f"{alone}\n正文。"), repr(alone)


def test_random_invisible_characters_inside_personal_numbers_are_always_caught() -> None:
    rng = random.Random(7)
    for _ in range(400):
        for number, category in ((ID, "pii.id_card"), (MOBILE, "pii.mobile")):
            spaced = "".join(ch + "".join(rng.choices([c for c in CLASSES if c not in " \t"],
                                                      k=rng.randint(0, 2)))
                             for ch in number)  # fmt: skip
            text = f"联系人号码{spaced}，请核实。"
            found = find_pii(text)
            assert [f.category for f in found] == [category], repr(spaced)
            assert text[found[0].start : found[0].end] == found[0].text  # type: ignore[misc]
            masked = GATE.mask(text)
            assert number not in "".join(ch for ch in masked if ch.isdigit() or ch == "*")


@pytest.mark.parametrize("text", [
    "320102 19900307 1239", "320102-19900307-1239", "3201 0219 9003 0712 39",
    "３２０１０２１９９００３０７１２３９", "3201021990\n03071239", "320102 1990 0307 1239",
])  # fmt: skip
def test_id_card_numbers_in_groups(text: str) -> None:
    found = find_pii(f"身份证号：{text}。")
    assert [(f.category, f.text) for f in found] == [("pii.id_card", text)]
    masked = mask_value("pii.id_card", text)
    assert masked.startswith(text[:4]) and masked.endswith(text[-2:]) and "9900" not in masked


@pytest.mark.parametrize("text", [
    "http://www.gov.cn/art/art_2024_13912345678.html", "见 www.xx.gov.cn/13912345678/",
    "附件 报告_13912345678.pdf", "邮箱 13912345678@163.com", "流水号A13912345678",
    "编号 2139123456789", "订单 1391234567890123456789",
])  # fmt: skip
def test_numbers_inside_addresses_and_serials_are_not_personal_data(text: str) -> None:
    assert find_pii(text) == []


def test_a_mark_set_off_on_its_line_is_a_mark_but_prose_is_not() -> None:
    assert secret_hits("机密 政协某县委员会办公室 2026年11月\n正文。") == ["机密"]
    assert secret_hits("政协某县委员会办公室　　绝密\n正文。") == ["绝密"]
    assert secret_hits("秘密*1年\n正文。") == ["秘密*1年"]
    assert secret_hits("机★密\n正文") == ["机★密"]
    for prose in ("秘密通道的说法缺乏依据。", "这已不是什么秘密。", "保守秘密 是每个人的责任"):
        assert secret_hits(prose) == [], prose


def test_the_gate_reads_every_kind_of_artefact(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["=1+1", "秘密★1年"])
    book.save(tmp_path / "a.xlsx")
    (tmp_path / "b.html").write_text("<p>机<b>密</b>★1年</p><img alt='13812345678'>", "utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "ok")
        archive.writestr("inner.json", '{"text": "绝密\\n正文"}')
    (tmp_path / "c.zip").write_bytes(buffer.getvalue())
    leaks = GATE.inspect_file(tmp_path)
    found = {(leak.where, leak.category) for leak in leaks}
    assert ("a.xlsx", "format.formula") in found and ("a.xlsx", "secret.marking") in found
    assert ("b.html", "secret.marking") in found and ("b.html", "pii.mobile") in found
    assert ("c.zip › ../evil.txt", "format.member_name") in found
    assert ("c.zip › inner.json", "secret.marking") in found
    assert all("13812345678" not in leak.text for leak in leaks)  # messages mask too
    assert not GATE.inspect_file(tmp_path / "b.html", Allowance.of(["机密★1年"], pii=True))


def test_safe_names_and_printable_text() -> None:
    assert safe_component("../../../../tmp/x/PWN") == "tmp_x_PWN"
    assert safe_component('a/b\\c:d*e?"f<g>h|i') == "a_b_c_d_e__f_g_h_i"
    assert safe_component("..") == "未命名" and safe_component("\x1b[2J") == "[2J"
    assert len(safe_component("长" * 300).encode()) <= 180
    assert printable("a\x1b[31mb\nc\u202ed") == "a\\x1b[31mb\\x0ac\\u202ed"
    assert printable("正常　名称.docx") == "正常　名称.docx"


def test_odd_file_names_are_escaped_in_the_terminal_and_the_reason_files(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "坏\x1b[2J文件\n[bold]x.docx").write_bytes(b"PK\x03\x04broken")
    result = run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "坏\\x1b[2J文件\\x0a[bold]x.docx" in result.stdout.replace("\n", "")
    reasons = list((tmp_path / "data" / "quarantine").glob("*.reason.txt"))
    assert reasons and "\\x1b" in reasons[0].read_text(encoding="utf-8")
    assert "\x1b" not in reasons[0].read_text(encoding="utf-8")


# Every module that writes files, and what they are. An outgoing artefact's writer must call
# the gate; a new writer fails this test until it is placed in one of the two lists.
OUTGOING = {
    "formatter/render.py": "check(stage)",  # .docx, PDF, HTML, zip, manifest
    "formatter/bulletin.py": "checked_write(",  # 通报
    "followup/workbook.py": "checked_write(",  # statistics workbook
    "common/output.py": "gate(temp)",
    "ingest/slip.py": "gate.redact(",  # 回执 .txt and .json
    "minyi/issues.py": "checkpoint.check_text(",  # exported item text
    "minyi/cli.py": "report_line(receipt, record, gate)",  # report lines (JSONL)
    "minyi/desk/app.py": "desk.gate.inspect_text(html",  # every page of the desk
}
INTERNAL = {
    "formatter/package.py",  # writes inside the staged folder that render.py checks
    "ingest/archive.py", "ingest/registry.py", "ingest/pipeline.py",  # the registry's own
    "minyi/samples.py", "minyi/service.py", "minyi/tracking.py",  # samples, logs, attachments
    "office/libreoffice.py", "office/server.py",  # conversions into private temp folders
    "minyi/settings.py", "ingest/watcher.py",
    "formatter/document.py",  # the .docx into memory (render.py writes it, then checks)
    "ingest/extractors/pdf_hidden.py",  # a PDF's pictures, encoded in memory for OCR
    "minyi/issue_cli.py",  # flow.save: the issue into the registry
    # A page picture of a kept original, cached in the data folder; the desk serves it only
    # for an item that is not quarantined (app.py answers 403 for one that is).
    "minyi/desk/previews.py",
}  # fmt: skip
WRITES = ("write_text", "write_bytes", ".save(", "atomic_write", "ZipFile(", "open(")


def _writes(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            mode = " ".join(ast.unparse(a) for a in node.args[1:]) + " ".join(
                ast.unparse(k.value) for k in node.keywords
            )
            if name.endswith(("write_text", "write_bytes", "atomic_write", "_atomic")):
                return True
            if name.endswith(".save") or (name.endswith("ZipFile") and "'w'" in mode):
                return True
            if name in ("open", "os.open") and any(m in mode for m in ("'w", "'a", "O_WRONLY")):
                return True
    return False


def test_every_writer_is_known_and_outgoing_ones_call_the_gate() -> None:
    writers = {
        path.relative_to(ROOT).as_posix()
        for package in ("minyi", "ingest", "formatter", "followup", "office", "common")
        for path in (ROOT / package).rglob("*.py")
        if _writes(path)
    }
    unknown = writers - set(OUTGOING) - INTERNAL
    assert not unknown, f"new writers: say whether they are outgoing (gate) or internal: {unknown}"
    for module, call in OUTGOING.items():
        assert call in (ROOT / module).read_text(encoding="utf-8"), module
