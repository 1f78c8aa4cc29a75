"""With an optional dependency missing, minyi still imports and says what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLOCK_REPORTLAB = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "reportlab" or name.startswith("reportlab."):
            raise ImportError("blocked for the test: " + name)
        return None
sys.meta_path.insert(0, Block())
import ingest.pipeline, formatter, minyi.cli
sys.argv = ["minyi", *sys.argv[1:]]
minyi.cli.main()
"""


def test_sample_explains_missing_reportlab(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_REPORTLAB, "sample", str(tmp_path / "inbox")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 6, result.stderr
    assert "reportlab" in result.stderr and "pip install" in result.stderr


def test_processing_works_without_reportlab(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("关于某事的建议\n正文。", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_REPORTLAB, "process", str(inbox), "--data", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "已接收" in result.stdout
