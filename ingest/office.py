"""LibreOffice, headless, for the Word formats read by conversion: .doc, .wps, .rtf, .odt.

Each conversion runs ``soffice --convert-to docx`` with a throwaway user
profile (so a clerk's own LibreOffice, or a stale lock, never interferes), in
its own process group with a timeout, and the whole group is killed if it
overruns: no soffice is ever left behind. The profile directory is kept for
the life of the worker process, so only the first conversion pays for
creating it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from functools import cached_property
from pathlib import Path

from minyi.errors import ExtractionError

INSTALL_HINT = "Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui"


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


class LibreOffice:
    """Converts documents to .docx with a headless LibreOffice."""

    def __init__(self, binary: str, timeout: float = 120) -> None:
        self.binary = binary
        self.timeout = timeout
        self._home = tempfile.TemporaryDirectory(prefix="minyi-lo-")

    @cached_property
    def version(self) -> str:
        try:
            out = subprocess.run([self.binary, "--version"], capture_output=True, text=True,
                                 timeout=60, check=False)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"
        return out.stdout.strip() or "unknown"

    def to_docx(self, data: bytes, suffix: str) -> bytes:
        """The document converted to .docx; raises ExtractionError when it cannot be."""
        home = Path(self._home.name)
        with tempfile.TemporaryDirectory(dir=home) as work:
            source = Path(work) / f"submission{suffix}"
            source.write_bytes(data)
            outdir = Path(work) / "out"
            command = [
                self.binary, "--headless", "--invisible", "--nologo", "--nodefault",
                "--nolockcheck", "--norestore",
                f"-env:UserInstallation={(home / 'profile').as_uri()}",
                "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(source),
            ]  # fmt: skip
            self._run(command)
            result = outdir / "submission.docx"
            if not result.is_file() or result.stat().st_size == 0:
                raise ExtractionError("LibreOffice 无法转换该文件，文件可能已损坏或加密")
            return result.read_bytes()

    def _run(self, command: list[str]) -> None:
        env = {**os.environ, "HOME": self._home.name, "SAL_USE_VCLPLUGIN": "svp"}
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=env, start_new_session=True)  # fmt: skip
        try:
            process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise ExtractionError(
                f"LibreOffice 转换超时（{self.timeout:.0f} 秒），文件可能过大或已损坏"
            ) from None
        finally:
            _kill_group(process)

    def close(self) -> None:
        self._home.cleanup()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the conversion's whole process group: soffice may leave helpers behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
