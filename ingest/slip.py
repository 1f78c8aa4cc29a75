"""回执: the receipt a clerk reads for each file the watcher took in, as text and as JSON.

Written to ``outbox/回执/`` under a name made of the date, the receipt number and
the file's name, atomically (a reader never sees half a receipt), and
idempotently (a watcher resuming after a crash writes the same file again).
Everything in a receipt is in the registry too (``minyi report``).
A receipt may be printed or forwarded, so all of it passes the gate: personal
data is masked on every line (the 反映人's phone too), a 密级 mark is never
repeated (not even in the file name), and the JSON twin holds the masked text
of an ordinary submission and no text at all of a quarantined one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.archive import atomic_write
from ingest.receipt import Disposition, Receipt
from ingest.record import Record, Status, mask_value, printable, safe_component
from ingest.report import report_line
from ingest.screening.gate import Gate
from ingest.screening.labels import category_label
from ingest.screening.policy import SECRET

_UNSAFE = re.compile(r"\s+")


def slip_stem(gate: Gate, file: str) -> str:
    """A receipt's name part from the submitted file's name: safe, short, nothing secret."""
    return safe_component(_UNSAFE.sub("_", gate.redact(Path(file).stem)), max_bytes=120)


def write_slip(outbox: Path, receipt: Receipt, record: Record | None, gate: Gate) -> Path:
    """Write the text and JSON receipt; returns the text file's path."""
    folder = outbox / "回执"
    folder.mkdir(parents=True, exist_ok=True)
    day = (receipt.received_at or "")[:10].replace("-", "")
    base = folder / f"{day}-{receipt.seq:06d}-{slip_stem(gate, receipt.file)}"
    data = {**report_line(receipt, record, gate), "next_step": next_step(receipt, record)}
    data["file"] = gate.redact(receipt.file)
    text_path = base.with_suffix(".txt")
    # One line: the C encoder (an indent would mean the slow pure-Python one); the .txt is
    # the readable twin.
    _atomic(base.with_suffix(".json"), json.dumps(data, ensure_ascii=False) + "\n")
    _atomic(text_path, gate.redact(slip_text(receipt, record)))
    return text_path


def slip_text(receipt: Receipt, record: Record | None) -> str:
    lines = [
        "社情民意信息收件回执",
        f"回执号：{receipt.seq:06d}    收件时间：{(receipt.received_at or '').replace('T', ' ')[:19]}",
        f"文件：{printable(receipt.file)}（{receipt.format or '未知格式'}）",
    ]
    if record is not None:
        submitter = record.submitter.raw if record.submitter else "（未识别）"
        submitter = submitter.removeprefix("反映人：").removeprefix("反映人:")
        lines += [
            f"登记编号：{record.id}",
            f"标题：{record.title or '（未识别）'}",
            f"反映人：{submitter}",
            f"页数：{record.page_count}{'（含 OCR 识别页）' if record.ocr else ''}",
        ]
    for dup in receipt.duplicates:
        kind = "内容相同" if dup.kind == "exact" else f"近似重复，相似度 {dup.similarity:.0%}"
        lines.append(f"查重：与 {dup.id}（{printable(dup.file)}）{kind}")
    if record is not None:
        found = [f for f in record.findings if f.kind == "sensitive"]
        if found:
            shown = "；".join(_shown(f.category, f.text) for f in found[:10])
            lines.append(f"敏感内容：{shown}")
    lines.append(f"处理结论：{conclusion(receipt, record)}")
    lines.append(f"下一步：{next_step(receipt, record)}")
    return "\n".join(lines) + "\n"


def conclusion(receipt: Receipt, record: Record | None) -> str:
    if receipt.disposition is Disposition.REJECTED:
        return f"拒收（{receipt.error}）"
    if receipt.disposition is Disposition.DUPLICATE:
        return "重复件，未再次登记"
    assert record is not None
    return {Status.ACCEPTED: "已接收", Status.FLAGGED: "待审核",
            Status.QUARANTINED: "已隔离（含密级标志）"}[record.status]  # fmt: skip


def next_step(receipt: Receipt, record: Record | None) -> str:
    if receipt.disposition is Disposition.REJECTED and receipt.stored_as:
        return "原件副本已保存在数据目录的隔离区；请联系提交人重新提供可读的文件。"
    if receipt.disposition is Disposition.REJECTED:
        return "未能保存原件副本，原件没有被移走；请联系提交人重新提供可读的文件。"
    if receipt.disposition is Disposition.DUPLICATE:
        return f"与已登记的 {receipt.submission_id} 内容相同，无需处理。"
    assert record is not None
    if record.status is Status.QUARANTINED:
        return (f"不得编发或外传；请人工核实，确属误报的用 minyi release {record.id} --reason "
                "“理由” 解除隔离。")  # fmt: skip
    if record.status is Status.FLAGGED:
        return f"请编辑核看筛查提示（minyi show {record.id}）后再决定是否编发。"
    return "已登记，可进入编辑审核。"


def failure_text(file: str, error: str, attempts: int) -> str:
    return (
        "社情民意信息收件回执（处理失败）\n"
        f"文件：{file}\n"
        f"原因：{error}（已重试 {attempts} 次）\n"
        "下一步：文件仍在收件箱中。请检查它是否被其他程序占用、是否有读取权限、磁盘是否已满；"
        "问题解决后，重新放入（或修改一下）该文件即会自动处理。\n"
    )


def write_failure(outbox: Path, file: str, error: str, attempts: int, when: str,
                  gate: Gate) -> Path:  # fmt: skip
    folder = outbox / "回执"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{when[:10].replace('-', '')}-失败-{slip_stem(gate, file)}.txt"
    _atomic(path, gate.redact(failure_text(printable(file), error, attempts)))
    return path


def _shown(category: str, text: str) -> str:
    """A finding as a receipt names it: personal data masked, a 密级 mark not repeated."""
    if category == SECRET:
        return f"{category_label(category)}（详见 minyi show）"
    if category.startswith("pii."):
        return f"{category_label(category)} {mask_value(category, text)}"
    return f"{category_label(category)} {text}"


def _atomic(path: Path, content: str) -> None:
    # Not fsynced: a receipt is derived from the registry, which is durable, and an
    # fsync per receipt halved the watcher's rate.
    atomic_write(path, lambda out: out.write(content.encode("utf-8")), durable=False)
