"""LibreOffice, headless, for the Word formats read by conversion: .doc, .wps, .rtf, .odt.

Where a Python with LibreOffice's ``uno`` bridge is installed (Debian:
python3-uno, pulled in by libreoffice-writer-nogui), one soffice per worker
process stays up and serves every conversion (``office_server.py``), so a batch
of many legacy files does not start LibreOffice once per file. Otherwise each
conversion runs ``soffice --convert-to docx``. Either way: a throwaway user
profile (a clerk's own LibreOffice, or a stale lock, never interferes), a
timeout per document, and the whole process group killed when it overruns or
when the worker ends — no soffice is ever left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
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


@functools.cache
def find_uno_python() -> str | None:
    """A Python interpreter that can ``import uno``, if there is one."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60,
                                   check=False)  # fmt: skip
            if probe.returncode == 0:
                return candidate
    return None


class LibreOffice:
    """Converts documents to .docx with a headless LibreOffice."""

    def __init__(self, binary: str, timeout: float = 120, persistent: bool = True) -> None:
        self.binary = binary
        self.timeout = timeout
        self._home = tempfile.TemporaryDirectory(prefix="minyi-lo-")
        self._uno_python = find_uno_python() if persistent else None
        self._server: subprocess.Popen[str] | None = None
        atexit.register(self.close)

    @property
    def persistent(self) -> bool:
        return self._uno_python is not None

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
            if self.persistent:
                outdir.mkdir()
                self._serve(source, outdir / "submission.docx")
            else:
                self._run_once(source, outdir)
            result = outdir / "submission.docx"
            if not result.is_file() or result.stat().st_size == 0:
                raise ExtractionError("LibreOffice 无法转换该文件，文件可能已损坏或加密")
            return result.read_bytes()

    def _run_once(self, source: Path, outdir: Path) -> None:
        home = Path(self._home.name)
        command = [
                self.binary, "--headless", "--invisible", "--nologo", "--nodefault",
                "--nolockcheck", "--norestore",
                f"-env:UserInstallation={(home / 'profile').as_uri()}",
                "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(source),
        ]  # fmt: skip
        self._run(command)

    def _serve(self, source: Path, target: Path) -> None:
        """Convert through the long-lived server, starting it if needed."""
        if self._server is None or self._server.poll() is not None:
            self._start_server()
        server = self._server
        assert server is not None and server.stdin is not None
        request = {"in": str(source), "out": str(target), "filter": "MS Word 2007 XML"}
        try:
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            answer = self._answer(self.timeout)
        except (OSError, ValueError):
            answer = None
        if answer is None:  # timed out or died: this document takes the server down with it
            self._stop_server()
            raise ExtractionError(
                f"LibreOffice 转换超时或异常退出（限时 {self.timeout:.0f} 秒），文件可能已损坏"
            )
        if not answer.get("ok"):
            raise ExtractionError("LibreOffice 无法转换该文件，文件可能已损坏或加密")

    def _start_server(self) -> None:
        assert self._uno_python is not None
        env = {**os.environ, "HOME": self._home.name, "SAL_USE_VCLPLUGIN": "svp"}
        script = Path(__file__).with_name("office_server.py")
        profile = Path(self._home.name) / "profile"
        self._server = subprocess.Popen(
            [self._uno_python, str(script), str(profile), self.binary],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env=env, start_new_session=True,
        )  # fmt: skip
        if self._answer(90) is None:
            self._stop_server()
            raise ExtractionError("LibreOffice 无法启动，请运行 minyi doctor 检查安装")

    def _answer(self, timeout: float) -> dict[str, object] | None:
        server = self._server
        assert server is not None and server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], timeout)
        if not ready:
            return None
        line = server.stdout.readline()
        return json.loads(line) if line else None

    def _stop_server(self) -> None:
        if self._server is not None:
            _kill_group(self._server)
            self._server = None

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
        self._stop_server()
        self._home.cleanup()


def _kill_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """End the conversion's whole process group: soffice may leave helpers behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
