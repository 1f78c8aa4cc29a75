"""Legacy and other Word formats through real LibreOffice: .doc, .wps, .rtf, .odt."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GATE, UNDER_CI, need_tool, propose, run_minyi

from ingest.detect import detect
from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.record import Format
from ingest.registry import Registry
from ingest.report import report_line
from ingest.workers import Workers
from minyi import samples

DOC = [*samples.SAMPLES[0].paragraphs()]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One submission saved by LibreOffice as .doc, .rtf and .odt (and the .doc as .wps)."""
    soffice = need_tool("soffice")
    folder = tmp_path_factory.mktemp("legacy")
    source = samples.make_docx(folder / "原稿.docx", DOC)
    profile = (folder / "profile").as_uri()
    for target in ("doc:MS Word 97", "rtf", "odt"):
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                        "--convert-to", target, "--outdir", str(folder), str(source)],
                       check=True, capture_output=True, timeout=180)  # fmt: skip
    made = {ext: folder / f"原稿.{ext}" for ext in ("doc", "rtf", "odt")}
    shutil.copy(made["doc"], folder / "原稿.wps")  # Kingsoft .wps: the same OLE container
    made["wps"] = folder / "原稿.wps"
    return made


def test_detected_by_content(legacy: dict[str, Path]) -> None:
    assert detect(legacy["doc"].read_bytes()) is Format.DOC
    assert detect(legacy["wps"].read_bytes()) is Format.DOC
    assert detect(legacy["rtf"].read_bytes()) is Format.RTF
    assert detect(legacy["odt"].read_bytes()) is Format.ODT


def test_converted_and_read(legacy: dict[str, Path], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for ext, path in legacy.items():
        shutil.copy(path, inbox / f"旧格式 {ext}.{ext}")
    (inbox / "坏的.doc").write_bytes(legacy["doc"].read_bytes()[:1536] + b"\x00" * 4096)
    lines: dict[str, dict] = {}
    with Registry.open(tmp_path / "d" / "r.sqlite3") as registry, Workers(1) as workers:
        Pipeline(registry, tmp_path / "d", IngestOptions(), workers).process(
            inbox, on_receipt=lambda r, rec: lines.__setitem__(r.file, report_line(r, rec, GATE))
        )
    first = lines["旧格式 doc.doc"]
    assert first["status"] == "ok" and first["format"] == "doc"
    assert first["text"].split("\n") == DOC
    assert first["title"] == samples.SAMPLES[0].title
    for ext in ("odt", "rtf", "wps"):
        line = lines[f"旧格式 {ext}.{ext}"]
        assert line["status"] == "ok", line["error"]
        # The same text in another format: an exact duplicate of the first.
        assert line["duplicates"][0]["kind"] == "exact", ext
    assert lines["坏的.doc"]["status"] == "rejected"
    assert "LibreOffice" in lines["坏的.doc"]["error"] or "损坏" in lines["坏的.doc"]["error"]
    leftover = subprocess.run(["pgrep", "-f", "minyi-lo-"], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "a LibreOffice process was left running"


def test_without_libreoffice_the_reason_says_what_to_install(legacy: dict[str, Path],
                                                             tmp_path: Path) -> None:  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(legacy["doc"], inbox / "旧.doc")
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {"PATH": f"{bare}:{Path(os.sys.executable).parent}"}  # no soffice on this PATH
    result = run_minyi("process", "inbox", "--report", "r.jsonl", cwd=tmp_path, env=env)
    assert result.returncode == 3
    assert "LibreOffice" in result.stdout and "apt-get install" in result.stdout


def test_one_libreoffice_serves_many_conversions(legacy: dict[str, Path]) -> None:
    from office.libreoffice import LibreOffice, find_soffice, find_uno_python

    if find_uno_python() is None:
        if UNDER_CI:
            pytest.fail("python3-uno is expected with LibreOffice under CI")
        pytest.skip("no Python with LibreOffice's uno bridge: one soffice per file instead")
    office = LibreOffice(find_soffice() or "soffice", timeout=120)
    try:
        assert office.persistent
        converted = [
            office.to_docx(legacy[ext].read_bytes(), f".{ext}") for ext in ("doc", "rtf", "odt")
        ]
        server = office._server
        assert server is not None and server.poll() is None  # still up after three documents
        assert all(data[:2] == b"PK" for data in converted)
    finally:
        office.close()
    assert server.poll() is not None  # and gone when closed
    leftover = subprocess.run(["pgrep", "-f", "minyi-lo-"], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_per_file_conversion_still_works(legacy: dict[str, Path]) -> None:
    from office.libreoffice import LibreOffice, find_soffice

    office = LibreOffice(find_soffice() or "soffice", timeout=120, persistent=False)
    try:
        assert office.to_docx(legacy["rtf"].read_bytes(), ".rtf")[:2] == b"PK"
    finally:
        office.close()


def _processes() -> Iterator[tuple[int, list[bytes], bytes]]:
    """(pid, command line, environment) of every live process this user may read."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "stat").read_text().split(") ")[-1].split()[0] == "Z":
                continue  # a zombie: already dead, waiting for its parent
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        yield int(entry.name), command, environ


def _soffice_pids(home: str) -> list[int]:
    """soffice processes (not the minyi server) started with this converter's profile."""
    return [
        pid
        for pid, command, _ in _processes()
        if any(home.encode() in part for part in command)
        and not any(part.endswith(b"server.py") for part in command)
    ]


def test_a_broken_bridge_is_replaced_and_the_file_tried_again(legacy: dict[str, Path]) -> None:
    """One hostile file broke the UNO bridge and every later file of the batch was
    rejected; now the server is started anew and the file tried once more."""
    import signal

    from office.libreoffice import LibreOffice, find_soffice, find_uno_python

    if find_uno_python() is None:
        if UNDER_CI:
            pytest.fail("python3-uno is expected with LibreOffice under CI")
        pytest.skip("no Python with LibreOffice's uno bridge")
    office = LibreOffice(find_soffice() or "soffice", timeout=120)
    try:
        assert office.to_docx(legacy["doc"].read_bytes(), ".doc")[:2] == b"PK"
        first = office._server
        victims = _soffice_pids(office._home.name)
        assert victims, "soffice should be running"
        for pid in victims:  # what a document that crashes soffice does to the bridge
            os.kill(pid, signal.SIGKILL)
        assert office.to_docx(legacy["rtf"].read_bytes(), ".rtf")[:2] == b"PK"
        assert office._server is not first  # a new server took over
        assert office.to_docx(legacy["odt"].read_bytes(), ".odt")[:2] == b"PK"
    finally:
        office.close()
    assert _soffice_pids(office._home.name) == []


def test_kill_9_leaves_no_worker_or_libreoffice_behind(
    legacy: dict[str, Path], tmp_path: Path
) -> None:
    import signal
    import sys
    import time
    import uuid

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(6):
        shutil.copy(legacy["doc"], inbox / f"{n}.doc")
        samples.make_docx(inbox / f"{n}.docx", [f"关于第{n}件事的建议", *DOC[1:]])
    # An issue ready to render (its PDF needs LibreOffice), in a data folder of its own.
    (tmp_path / "minyi.toml").write_text('issue_unit = "政协某某县委员会办公室"\n', "utf-8")
    assert run_minyi("process", "inbox", "--data", "d3", cwd=tmp_path).returncode == 0
    propose(tmp_path, "2026-0002", data="d3")
    number = run_minyi("issue", "new", "--data", "d3", "--items", "2026-0002", cwd=tmp_path)
    mark = f"minyi-test-{uuid.uuid4().hex}"
    env = {**os.environ, "KILL9_TEST_RUN": mark}  # not MINYI_*: settings read those
    for command in (
        ["process", "inbox", "--workers", "2"],
        ["watch", "--data", "d2", "--outbox", "o2"],
        ["issue", "render", number.stdout.strip(), "--data", "d3"],
    ):
        child = subprocess.Popen([sys.executable, "-m", "minyi", *command], cwd=tmp_path, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("soffice" in c for c in _marked(mark)):
            time.sleep(0.2)  # until LibreOffice runs for it
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _marked(mark):
            time.sleep(0.2)
        assert _marked(mark) == [], f"left running after kill -9 of {command[0]}: {_marked(mark)}"


def _marked(mark: str) -> list[str]:
    """Command lines of live processes whose environment carries ``mark``."""
    return [
        b" ".join(command).decode(errors="replace")
        for _, command, environ in _processes()
        if mark.encode() in environ
    ]


def test_ole_stream_names_in_another_case_are_still_word(legacy: dict[str, Path],
                                                         tmp_path: Path) -> None:  # fmt: skip
    """Writers other than Word spell the stream names their own way (WORDDOCUMENT): the
    file is still a Word document, converted and read, not 「不是 Word 文稿」."""
    data = legacy["doc"].read_bytes()
    name = "WordDocument".encode("utf-16-le")
    assert data.count(name) == 1
    shouted = data.replace(name, "WORDDOCUMENT".encode("utf-16-le"))
    assert detect(shouted) is Format.DOC
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "大写.doc").write_bytes(shouted)
    lines: dict[str, dict] = {}
    with Registry.open(tmp_path / "d" / "r.sqlite3") as registry, Workers(1) as workers:
        Pipeline(registry, tmp_path / "d", IngestOptions(), workers).process(
            inbox, on_receipt=lambda r, rec: lines.__setitem__(r.file, report_line(r, rec, GATE))
        )
    assert lines["大写.doc"]["status"] == "ok", lines["大写.doc"]["error"]
    assert lines["大写.doc"]["title"] == samples.SAMPLES[0].title


def test_a_truncated_odt_is_a_damaged_document(legacy: dict[str, Path]) -> None:
    """Not 「压缩包」: its first entry says it is an OpenDocument text."""
    data = legacy["odt"].read_bytes()
    cut = data[: len(data) // 2]
    assert detect(cut) is Format.ODT


WORKS = Path(__file__).parent / "files" / "tika"


@pytest.mark.parametrize("name", ["testWORKS.wps", "testWORKS2000.wps",
                                  "testWORKSWordProcessor3.0.wps",
                                  "testWORKSWordProcessor4.0.wps"])  # fmt: skip
def test_microsoft_works_documents_are_read(name: str, tmp_path: Path) -> None:
    """Real Microsoft Works files (Apache Tika's test documents): Works 3–4 keep their text
    in MN0, Works 5–9 in a CONTENTS stream that starts with CHNKWKS or CHNKINK. All are word
    processor documents LibreOffice reads, never 「不是 Word 文稿」."""
    need_tool("soffice")
    data = (WORKS / name).read_bytes()
    assert detect(data) is Format.DOC
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(WORKS / name, inbox / name)
    lines: dict[str, dict] = {}
    with Registry.open(tmp_path / "d" / "r.sqlite3") as registry, Workers(1) as workers:
        Pipeline(registry, tmp_path / "d", IngestOptions(), workers).process(
            inbox, on_receipt=lambda r, rec: lines.__setitem__(r.file, report_line(r, rec, GATE))
        )
        ((_, record),) = list(registry.receipts())
    assert lines[name]["status"] == "ok", lines[name]["error"]
    assert record is not None
    assert "This is an example document made with Microsoft Works" in record.text


def test_one_libreoffice_serves_a_batchs_legacy_files(legacy: dict[str, Path], tmp_path: Path) -> None:  # fmt: skip
    """With two readers, the legacy files of a batch go to one reader of their own: one
    soffice is started for them all, not one in each reader (2–3 CPU-seconds each), while
    the other readers read the rest; nothing is left running afterwards."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for ext in ("doc", "rtf", "odt"):
        shutil.copy(legacy[ext], inbox / f"旧格式.{ext}")
    for n, sample in enumerate(samples.SAMPLES[:3]):
        samples.make_docx(inbox / f"新{n}.docx", sample.paragraphs())
    timings: dict[str, dict[str, float]] = {}
    with Registry.open(tmp_path / "d" / "r.sqlite3") as registry, Workers(2) as workers:
        pipeline = Pipeline(registry, tmp_path / "d", IngestOptions(), workers)
        pipeline.process(inbox, on_receipt=lambda r, rec: timings.__setitem__(
            r.file, dict(pipeline.last_timing)) if rec is not None else None)  # fmt: skip
    assert set(timings) == {
        "旧格式.doc",
        "旧格式.rtf",
        "旧格式.odt",
        "新0.docx",
        "新1.docx",
        "新2.docx",
    }
    converted = [name for name, phases in timings.items() if "office" in phases]
    assert sorted(converted) == ["旧格式.doc", "旧格式.odt", "旧格式.rtf"]
    started = [name for name, phases in timings.items() if "office_start" in phases]
    assert len(started) == 1, started
    leftover = subprocess.run(["pgrep", "-f", "minyi-lo-"], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "a LibreOffice process was left running"


def _rtf(text: str) -> bytes:
    """A minimal RTF document holding ``text`` (one paragraph a line)."""
    body = "\\par ".join("".join(f"\\u{ord(c)}?" for c in line) for line in text.split("\n"))
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0 " + body + "\\par}").encode("ascii")


def test_a_legacy_file_that_never_finishes_is_given_up_in_its_lane(tmp_path: Path) -> None:
    """The LibreOffice lane is given up like any reader: the file past its time is rejected,
    the legacy files queued behind it are read again and registered, and so are the rest."""
    from flaky_reader import hangs

    need_tool("soffice")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "0-卡住.rtf").write_bytes(_rtf("关于卡住的建议\n正文。"))
    for n in (1, 2):
        (inbox / f"{n}.rtf").write_bytes(_rtf(f"关于第{n}件事的建议\n正文第{n}段。"))
    (inbox / "3.txt").write_text("关于第三件事的建议\n正文。", encoding="utf-8")
    receipts = {}
    with (
        Registry.open(tmp_path / "d" / "r.sqlite3") as registry,
        Workers(2, reader=hangs) as workers,
    ):
        Pipeline(registry, tmp_path / "d", IngestOptions(file_timeout=8), workers).process(
            inbox, on_receipt=lambda r, rec: receipts.__setitem__(r.file, r)
        )
    assert receipts["0-卡住.rtf"].disposition.value == "rejected"
    assert "读取超时" in (receipts["0-卡住.rtf"].error or "")
    for name in ("1.rtf", "2.rtf", "3.txt"):
        assert receipts[name].disposition.value == "registered", receipts[name].error
    leftover = subprocess.run(["pgrep", "-f", "minyi-lo-"], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "a LibreOffice process was left running"
