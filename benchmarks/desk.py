"""The review desk under a year's load: minyi serve against a bare JSON server, one run.

On one generated registry (default 100,000 submissions of about 1,500 字 from
search.py's generator, plus a few real text PDFs taken in by ``minyi process`` so
that items have page pictures), with the real server (``minyi serve``) on loopback:

* the queue page (``GET /queue`` with and without a search) and ``GET /api/submissions``:
  median and p95 over the same requests;
* the item page of a PDF submission with its first page picture, cold (drawn from the
  original) and warm (from the cache);
* 20 concurrent clients for ``--seconds`` (default 60) on a mix of queue, API and item
  requests: errors (must be none), requests served, p95;
* the server process's peak memory (VmHWM).

The peer is the floor of the same work: a bare Starlette app on uvicorn that answers the
same list and search with ``Registry.find`` as JSON — no session, no template, no gate.
``desk / bare`` is printed for the API and the queue page.

Usage: python benchmarks/desk.py [--docs 100000] [--seconds 60] [--clients 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from search import NEEDLES, build_minyi, generate

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "基准测试", "benchmark-pw-1"
BARE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ingest import search
    from ingest.registry import Registry
    from ingest.registry_search import Filters
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    import threading, uvicorn
    local = threading.local()
    def registry():
        if not hasattr(local, "r"):
            local.r = Registry.open(Path(sys.argv[1]))
        return local.r
    def items(request):
        q = request.query_params.get("q", "")
        hits, total = registry().find(search.parse(q) if q else None, Filters(), 50, 0)
        return JSONResponse({"total": total, "items": [
            {"id": h.record.id, "title": h.record.title, "decision": h.decision} for h in hits]})
    app = Starlette(routes=[Route("/api/submissions", items)])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {process.returncode}") from None
            time.sleep(0.2)
    raise SystemExit("server did not start")


def timed(client: httpx.Client, path: str, params: dict | None = None) -> float:
    started = time.perf_counter()
    answer = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise SystemExit(f"{path} {params}: {answer.status_code} {answer.text[:200]}")
    return elapsed * 1000


def summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   (n={len(times)})"


def p95(times: list[float]) -> float:
    return sorted(times)[int(0.95 * (len(times) - 1))]


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def prepare(folder: Path, docs: int) -> list[str]:
    """The registry: ``docs`` generated submissions and eight real PDFs; returns the PDFs' ids."""
    from minyi import samples

    print(f"生成 {docs} 篇登记库……", flush=True)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    build_minyi(data / "registry.sqlite3", generate(docs), workers=2)
    inbox = folder / "pdfs"
    inbox.mkdir(exist_ok=True)
    for n, sample in enumerate(samples.SAMPLES * 3):
        if n >= 8:
            break
        lines = [f"{sample.title}（{n + 1}）", sample.submitter, *sample.body] * 3
        samples.make_pdf(inbox / f"p{n}.pdf", [lines[:20], lines[20:40]])
    minyi = [sys.executable, "-m", "minyi"]
    subprocess.run([*minyi, "process", "pdfs", "--report", "pdfs.jsonl"], cwd=folder, check=False,
                   capture_output=True)  # fmt: skip
    subprocess.run([*minyi, "user", "add", USER, "--role", "审核", "--password-stdin"], cwd=folder,
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)  # fmt: skip
    import json

    lines = (folder / "pdfs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["id"] for x in lines if json.loads(x).get("id")]


async def load(url: str, cookies: dict, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int]:  # fmt: skip
    times: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60, limits=limits) as c:

        async def worker(seed: int) -> None:
            nonlocal errors
            r = random.Random(seed)
            while time.monotonic() < stop:
                path = r.choice(paths)
                started = time.perf_counter()
                try:
                    answer = await c.get(path)
                    if answer.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                times.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return times, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (reused)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="minyi-desk-"))
    if not (folder / "data" / "registry.sqlite3").exists():
        pdfs = prepare(folder, args.docs)
        (folder / "pdf-ids.txt").write_text("\n".join(pdfs), encoding="utf-8")
    pdfs = (folder / "pdf-ids.txt").read_text(encoding="utf-8").split()
    import shutil

    shutil.rmtree(folder / "data" / "cache", ignore_errors=True)  # page pictures drawn afresh
    port, bare_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "minyi", "serve", "--port", str(port)],
                              cwd=folder, env=env)  # fmt: skip
    bare = subprocess.Popen([sys.executable, "-c", BARE, str(folder / "data" / "registry.sqlite3"),
                             str(bare_port)], cwd=ROOT, env=env)  # fmt: skip
    url, bare_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    try:
        wait_up(url + "/login", server)
        wait_up(bare_url + "/api/submissions", bare)
        client = httpx.Client(base_url=url, timeout=120)
        login = client.post("/api/login", json={"username": USER, "password": PASSWORD})
        assert login.status_code == 200, login.text
        peer = httpx.Client(base_url=bare_url, timeout=120)
        r = random.Random(3)
        queries = [""] * 10 + [r.choice(NEEDLES) for _ in range(20)] + ["养老", "停车", "学校"]
        for q in queries[:5]:  # warm both (first-query costs: jieba, page cache)
            timed(client, "/api/submissions", {"q": q})
            timed(peer, "/api/submissions", {"q": q})
        rows: dict[str, list[float]] = {"api": [], "bare": [], "queue": [], "queue_tab": []}
        for _ in range(3):
            for q in queries:
                rows["api"].append(timed(client, "/api/submissions", {"q": q}))
                rows["bare"].append(timed(peer, "/api/submissions", {"q": q}))
                rows["queue"].append(timed(client, "/queue", {"tab": "all", "q": q}))
            for tab in ("queue", "proposed", "declined", "all"):
                rows["queue_tab"].append(timed(client, "/queue", {"tab": tab}))
        cold, warm, item = [], [], []
        for sid in pdfs:
            started = time.perf_counter()
            timed(client, f"/items/{sid}")
            timed(client, f"/items/{sid}/original/1.png")
            cold.append((time.perf_counter() - started) * 1000)
            item.append(timed(client, f"/items/{sid}"))
            warm.append(timed(client, f"/items/{sid}/original/1.png"))
        print(f"\n登记库：{args.docs} 篇 + {len(pdfs)} 篇 PDF（{folder}）")
        print(f"GET /api/submissions     minyi {summary(rows['api'])}")
        print(f"                         bare  {summary(rows['bare'])}")
        print(f"GET /queue（含检索）      minyi {summary(rows['queue'])}")
        print(f"GET /queue（各标签）      minyi {summary(rows['queue_tab'])}")
        print(f"稿件页 + 第1页原件（首次） {summary(cold)}")
        print(f"稿件页（原件已缓存）       {summary(item)}")
        print(f"原件第1页图片（缓存）      {summary(warm)}")
        print(
            f"desk / bare（API p95）：{p95(rows['api']) / p95(rows['bare']):.2f}；"
            f"（队列页 p95 / bare p95）：{p95(rows['queue']) / p95(rows['bare']):.2f}"
        )
        paths = [f"/queue?tab=all&q={q}" for q in queries] + [
            "/queue?tab=queue",
            "/api/submissions",
        ]
        paths += [f"/items/{sid}" for sid in pdfs] + [f"/items/{s}/original/1.png" for s in pdfs]
        times, errors = asyncio.run(load(url, dict(client.cookies), paths, args.clients,
                                         args.seconds))  # fmt: skip
        print(
            f"{args.clients} 个并发客户端 {args.seconds:.0f} 秒：{len(times)} 个请求，"
            f"错误 {errors}，{summary(times)}，{len(times) / args.seconds:.1f} 请求/秒"
        )
        print(
            f"服务进程内存峰值：{peak_kb(server.pid) / 1024:.0f} MB"
            f"（bare：{peak_kb(bare.pid) / 1024:.0f} MB）"
        )
    finally:
        for process in (server, bare):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
