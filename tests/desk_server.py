"""A real review desk for the tests: an office folder with registered samples, a user of
every role, and ``minyi serve`` running on a free loopback port in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from conftest import minyi

from minyi import samples

# One user per role; the password is the name's pinyin with a suffix (at least 8 characters).
USERS = {
    "信息员": ("小赵", "xiaozhao-pw-1"),
    "编辑": ("王芳", "wangfang-pw-1"),
    "审核": ("李明", "liming-pw-1"),
    "签发": ("张主任", "zhangzr-pw-1"),
    "管理员": ("管理员甲", "admin-pw-1"),
}
TOML = 'issue_unit = "政协某某县委员会办公室"\n'


@dataclass
class Desk:
    url: str
    folder: Path
    log: Path

    def client(self, role: str | None = None) -> httpx.Client:
        """A client signed in as the user of ``role`` (None: not signed in); its CSRF token
        is in ``client.headers`` only when ``csrf`` is asked for via ``signed_in``."""
        client = httpx.Client(base_url=self.url, timeout=300, follow_redirects=False)
        if role is not None:
            name, password = USERS[role]
            answer = client.post("/api/login", json={"username": name, "password": password})
            assert answer.status_code == 200, answer.text
            client.csrf = answer.json()["csrf"]  # type: ignore[attr-defined]
        return client


def office(folder: Path, extra: dict[str, list[str]] | None = None) -> Path:
    """The samples (and ``extra`` documents: name → paragraphs) registered in ``folder``."""
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for n, sample in enumerate(samples.SAMPLES[:3], start=1):
        samples.make_docx(inbox / f"{n}.docx", sample.paragraphs())
    for name, paragraphs in (extra or {}).items():
        samples.make_docx(inbox / name, paragraphs)
    (folder / "minyi.toml").write_text(TOML, encoding="utf-8")
    minyi(folder, "process", "inbox")
    for role, (name, password) in USERS.items():
        minyi(
            folder, "user", "add", name, "--role", role, "--password-stdin", input=password + "\n"
        )
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(folder: Path, env: dict[str, str] | None = None) -> Iterator[Desk]:
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "minyi", "serve", "--port", str(port)], cwd=folder,
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("minyi serve did not start:\n" + log.read_text())
            time.sleep(0.2)
        yield Desk(url, folder, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
