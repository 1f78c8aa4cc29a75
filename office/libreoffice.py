"""LibreOffice, headless, as a conversion service for both halves of minyi.

``ingest`` converts the Word formats it reads by conversion (.doc, .wps, .rtf,
.odt) to .docx; ``formatter`` converts a rendered issue's .docx to PDF. Where a
Python with LibreOffice's ``uno`` bridge is installed (Debian: python3-uno,
pulled in by libreoffice-writer-nogui), one soffice per process stays up and
serves every conversion (``server.py``), so a batch does not start LibreOffice
once per file. Otherwise each conversion runs ``soffice --convert-to``. Either
way: a throwaway user profile (a clerk's own LibreOffice, or a stale lock, never
interferes), a timeout per document, and the whole process group killed when it
overruns or when its owner ends — no soffice is ever left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import cached_property
from pathlib import Path

from common.errors import MinyiError
from common.timing import phase

log = logging.getLogger(__name__)

INSTALL_HINT = "Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui"

# Export filters by target suffix (the names LibreOffice's filter list uses).
FILTERS = {".docx": "MS Word 2007 XML", ".pdf": "writer_pdf_Export"}


class OfficeError(MinyiError):
    """A conversion failed; the caller says what that means for its own work."""


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
    """Converts documents with a headless LibreOffice.

    ``env`` adds to the environment soffice runs in (``FONTCONFIG_FILE`` for the
    formatter's font aliases); it is fixed when soffice starts.
    """

    def __init__(self, binary: str, timeout: float = 120, persistent: bool = True,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.binary = binary
        self.timeout = timeout
        self.extra_env = dict(env or {})
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
        """The document (given as bytes with its suffix) converted to .docx."""
        home = Path(self._home.name)
        with tempfile.TemporaryDirectory(dir=home) as work:
            source = Path(work) / f"submission{suffix}"
            source.write_bytes(data)
            target = Path(work) / "out" / "submission.docx"
            target.parent.mkdir()
            self.convert(source, target)
            return target.read_bytes()

    def convert(self, source: Path, target: Path, *, plain_spacing: bool = False) -> None:
        """Convert ``source`` to ``target``, the format chosen by the target's suffix.

        ``plain_spacing`` turns off LibreOffice's automatic gap between Chinese
        characters and Latin letters or digits (``ParaIsCharacterDistance``),
        which its .docx import switches on whatever the document says; it needs
        the uno bridge and is skipped without it.
        """
        target.unlink(missing_ok=True)
        with phase("office"):
            if self.persistent:
                self._serve(source, target, plain_spacing)
            else:
                self._run_once(source, target)
        if not target.is_file() or target.stat().st_size == 0:
            raise OfficeError("LibreOffice 无法转换该文件，文件可能已损坏或加密")

    def _run_once(self, source: Path, target: Path) -> None:
        home = Path(self._home.name)
        with tempfile.TemporaryDirectory(dir=home) as outdir:
            kind = f"{target.suffix[1:]}:{FILTERS[target.suffix]}"
            command = [
                    self.binary, "--headless", "--invisible", "--nologo", "--nodefault",
                    "--nolockcheck", "--norestore",
                    f"-env:UserInstallation={(home / 'profile').as_uri()}",
                    "--convert-to", kind, "--outdir", outdir, str(source),
            ]  # fmt: skip
            self._run(command)
            produced = Path(outdir) / f"{source.stem}{target.suffix}"
            if produced.is_file():
                shutil.move(produced, target)

    def _serve(self, source: Path, target: Path, plain_spacing: bool) -> None:
        """Convert through the long-lived server, starting it if needed.

        A server whose bridge to soffice broke (or that died) is replaced and the file
        tried once more: one hostile file must not fail every later file of the batch.
        A file that breaks a fresh server too is the one rejected. A timeout is not
        retried (it would only double the wait).
        """
        request = {"in": str(source), "out": str(target), "filter": FILTERS[target.suffix],
                   "plain_spacing": plain_spacing}  # fmt: skip
        for attempt in (1, 2):
            answer = self._exchange(request)
            if answer == _TIMEOUT:
                self._stop_server()
                raise OfficeError(
                    f"LibreOffice 转换超时（限时 {self.timeout:.0f} 秒），文件可能过大或已损坏"
                )
            if isinstance(answer, dict) and answer.get("ok"):
                return
            if isinstance(answer, dict) and not answer.get("dead"):
                log.info("LibreOffice could not convert %s: %s", source.name, answer.get("error"))
                raise OfficeError("LibreOffice 无法转换该文件，文件可能已损坏或加密")
            log.warning("LibreOffice 处理「%s」时异常退出（第 %d 次）：%s", source.name, attempt,
                        answer.get("error") if isinstance(answer, dict) else "进程已结束")  # fmt: skip
            self._stop_server()
        raise OfficeError("该文件两次使 LibreOffice 异常退出，文件可能已损坏或是恶意构造的")

    def _exchange(self, request: dict[str, object]) -> dict[str, object] | str | None:
        """The server's answer, ``_TIMEOUT``, or None when the server died."""
        if self._server is None or self._server.poll() is not None:
            self._start_server()
        server = self._server
        assert server is not None and server.stdin is not None
        assert server.stdout is not None
        try:
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            ready, _, _ = select.select([server.stdout], [], [], self.timeout)
            if not ready:
                return _TIMEOUT
            line = server.stdout.readline()
            answer: dict[str, object] | None = json.loads(line) if line else None
        except (OSError, ValueError):
            return None
        return answer

    def _start_server(self) -> None:
        assert self._uno_python is not None
        script = Path(__file__).with_name("server.py")
        profile = Path(self._home.name) / "profile"
        with phase("office_start"):
            self._server = subprocess.Popen(
                [self._uno_python, str(script), str(profile), self.binary],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, env=self._env(), start_new_session=True,
            )  # fmt: skip
            ready = self._answer(90) is not None
        if not ready:
            self._stop_server()
            raise OfficeError("LibreOffice 无法启动，请运行 minyi doctor 检查安装")

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

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": self._home.name, "SAL_USE_VCLPLUGIN": "svp",
                **self.extra_env}  # fmt: skip

    def _run(self, command: list[str]) -> None:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=self._env(), start_new_session=True)  # fmt: skip
        try:
            process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise OfficeError(
                f"LibreOffice 转换超时（{self.timeout:.0f} 秒），文件可能过大或已损坏"
            ) from None
        finally:
            _kill_group(process)

    def close(self) -> None:
        self._stop_server()
        self._home.cleanup()


_TIMEOUT = "timeout"


def _kill_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """End the conversion's whole process group: soffice may leave helpers behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
