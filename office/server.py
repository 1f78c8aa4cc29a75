"""A long-lived LibreOffice conversion server, run with a Python that has ``uno``.

Started by ``office.libreoffice`` as ``python3 server.py PROFILE_DIR SOFFICE``
with the system Python (Debian's python3-uno lives there, not in a virtual
environment). It starts one headless soffice listening on a private pipe, then
converts one document per request: a JSON line ``{"in": path, "out": path,
"filter": name, "plain_spacing": bool}`` on standard input, answered by
``{"ok": true}`` or ``{"ok": false, "error": text}`` on standard output. Only the
standard library and uno are imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

# Errors after which this soffice cannot convert anything any more: the caller starts a
# new server and tries the document once again.
_DEAD_BRIDGE = ("DisposedException", "RuntimeException", "BridgeException", "binary urp bridge")


def _connect(pipe: str) -> Any:
    import uno

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException until soffice is up
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _props(**values: Any) -> tuple[Any, ...]:
    from com.sun.star.beans import PropertyValue

    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _plain_spacing(document: Any) -> None:
    """No automatic gap between Chinese and Latin/digits (the .docx asked for none).

    The .docx import switches it on in the default paragraph style, which every
    other style inherits from; switching it off there is one call (a loop over
    all 150-odd styles costs a UNO round trip each: 0.16 s a document).
    """
    styles = document.getStyleFamilies().getByName("ParagraphStyles")
    if styles.hasByName("Standard"):
        styles.getByName("Standard").setPropertyValue("ParaIsCharacterDistance", False)


def _convert(desktop: Any, request: dict[str, Any]) -> None:
    import uno

    source = uno.systemPathToFileUrl(os.path.abspath(request["in"]))
    target = uno.systemPathToFileUrl(os.path.abspath(request["out"]))
    document = desktop.loadComponentFromURL(source, "_blank", 0, _props(Hidden=True, ReadOnly=True))
    if document is None:
        raise RuntimeError("cannot load")
    try:
        if request.get("plain_spacing"):
            _plain_spacing(document)
        document.storeToURL(target, _props(FilterName=request["filter"], Overwrite=True))
    finally:
        document.close(True)


def _die_with_parent() -> None:
    """This server, and soffice with it, end when the minyi process that started it ends,
    however it ends. Linux sends SIGTERM then (PR_SET_PDEATHSIG), whose handler below
    cleans up, but a handler waits while a conversion blocks in a UNO call: a watch
    thread takes the whole process group down at once instead."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent or parent == 1:
        sys.exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _stop(signum: int, frame: Any) -> None:
    """Told to stop (or the parent died): everything in this group goes now. Not an
    exception unwinding to a ``finally``: it could land between starting soffice and the
    ``try`` that cleans it up."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(1)


def main() -> None:
    profile, soffice = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    pipe = f"minyi_{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--nodefault", "--nolockcheck",
         "--norestore", f"-env:UserInstallation=file://{profile}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        desktop = _connect(pipe)
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            try:
                _convert(desktop, json.loads(line))
                answer: dict[str, Any] = {"ok": True}
            except Exception as exc:  # the document failed, or the bridge to soffice did
                error = f"{type(exc).__name__}: {exc}"
                dead = any(word.lower() in error.lower() for word in _DEAD_BRIDGE)
                answer = {"ok": False, "error": error, "dead": dead}
            print(json.dumps(answer), flush=True)
            if answer.get("dead"):
                return  # this soffice is unusable: the caller starts a new server
    finally:
        office.kill()
        office.wait()
        # soffice is a script that starts oosplash and soffice.bin: killing it leaves
        # them behind. This server leads its own process group (minyi starts it so):
        # everything in it goes, this process last.
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)


if __name__ == "__main__":
    main()
