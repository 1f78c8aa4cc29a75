"""Full-text search: minyi's index (folded characters per part, FTS5) against its peers.

On one generated archive (default 100,000 submissions of about 1,500 字, built from
corpus.py's sentence pools, with needles — place names, short terms, new words — planted
in known documents), in one run, it measures:

* building minyi's index: seconds and bytes per document; and incremental indexing, the
  cost one registration adds (``Registry._index_search`` on a 100k index);
* the peers on the same texts: a plain ``LIKE '%词%'`` scan of the registry's text column,
  and FTS5's built-in ``unicode61`` and ``trigram`` tokenizers (size and build time);
* query latency (median and p95; top 50 with the total count, as ``minyi search`` pages)
  for one- and two-word queries, with and without filters (decision, date range, unit);
* recall of each system on ≥ 50 queries whose answers are known (every document that
  holds all the query's terms, found by a substring scan of the folded texts), including
  two-character terms and queries typed in traditional characters.

Usage: python benchmarks/search.py [--docs 100000] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import TOPICS, Corpus

from ingest import search
from ingest.record import Format, Page, Part, Record, Status, Structure, Submitter
from ingest.registry import Registry
from ingest.registry_search import Filters, _parts
from ingest.screening.fold import fold_words

UNITS = ["民盟××县委员会", "民建××县总支", "九三学社××支社", "县工商联", "农工党××县支部",
         "致公党××县支部", "县人民医院", "城关镇中心小学", "县农业农村局", "县政协委员"]  # fmt: skip
NAMES = [a + b for a in "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高欧阳" for b in
         ("建华", "志强", "晓梅", "国庆", "红霞", "永军", "秀英", "海涛", "丽娟", "文明")]  # fmt: skip
# Needles: words the generated vocabulary does not hold, planted in known documents.
NEEDLES = ["白沙河", "青石岭", "河砂", "骑手", "预制菜", "电动自行车充电", "直播带货", "共享单车",
           "无人机", "光伏板", "冷链物流", "托育", "学区房", "网约车", "地下管廊", "古树名木",
           "非遗传承", "土地流转", "高标准农田", "充电桩", "适老化改造", "一老一小", "村超",
           "夜经济", "数字人民币", "独居老人", "留守儿童心理", "校外培训", "河长制", "林长制",
           "清廉村居", "民宿集群", "山塘水库", "石漠化", "茶油产业"]  # fmt: skip
# The same needles typed in traditional characters (found only by folding).
TRADITIONAL = {"電動自行車充電": "电动自行车充电", "預製菜": "预制菜", "騎手": "骑手",
               "網約車": "网约车", "獨居老人": "独居老人"}  # fmt: skip
COMMON = ["养老护理员", "停车泊位", "村卫生室", "供水管网", "校企合作", "融资担保", "垃圾分类",
          "乡镇卫生院", "农家乐", "快速检测"]  # fmt: skip


def generate(count: int, seed: int = 7) -> list[dict]:
    """``count`` submissions of about 1,500 characters, needles planted at random."""
    corpus = Corpus(seed)
    r = random.Random(seed)
    docs = []
    start = time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, -1))
    for i in range(count):
        topic = r.choice(list(TOPICS))
        base = corpus.document(topic)
        body: list[str] = []
        for _ in range(r.randint(20, 26)):
            body.append(corpus.situation_sentence(topic))
        problems = [corpus.problem_sentence(topic) for _ in range(r.randint(12, 16))]
        suggestions = [corpus.suggestion_sentence(topic) for _ in range(r.randint(14, 18))]
        paragraphs = ["".join(body[:10]), "".join(body[10:]), "一、存在的问题", "".join(problems),
                      "二、几点建议", "".join(suggestions)]  # fmt: skip
        for needle in NEEDLES:
            if r.random() < 0.004:  # ~400 documents each at 100k
                k = r.choice([0, 1, 3, 5])
                text = paragraphs[k]
                at = r.randint(0, len(text))
                paragraphs[k] = text[:at] + needle + text[at:]
        name = r.choice(NAMES)
        unit = r.choice(UNITS)
        when = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.localtime(start + r.random() * 8.6e7))
        docs.append({
            "id": f"{when[:4]}-{i:06d}", "title": base.title, "name": name, "unit": unit,
            "byline": f"反映人：{name}（{unit}）", "paragraphs": paragraphs, "received_at": when,
            "status": r.choices(["accepted", "flagged", "quarantined"], [80, 15, 5])[0],
            "decision": r.choices(["pending", "proposed", "declined", "returned"], [40, 35, 15, 10])[0],
        })  # fmt: skip
    return docs


def record_of(doc: dict) -> Record:
    text = "\n".join([doc["title"], doc["byline"], *doc["paragraphs"]])
    structure = Structure(
        title=Part(doc["title"], "title", ""), bylines=(Part(doc["byline"], "byline", ""),),
        body=tuple(Part(p, "body", "") for p in doc["paragraphs"]), byline=doc["byline"][4:],
    )  # fmt: skip
    return Record(sha256=doc["id"], original_name=doc["id"] + ".docx", format=Format.DOCX,
                  pages=(Page(1, text),), text=text, title=doc["title"],
                  submitter=Submitter(doc["byline"], doc["name"], unit=doc["unit"]),
                  status=Status(doc["status"]), id=doc["id"], received_at=doc["received_at"],
                  structure=structure)  # fmt: skip


def _tokens(doc: dict) -> tuple[str, ...]:
    return _parts(record_of(doc))


def build_minyi(path: Path, docs: list[dict], workers: int) -> tuple[float, float]:
    """The registry with every submission and minyi's index: (index seconds, build wall)."""
    registry = Registry.open(path)
    db = registry._db
    db.execute("BEGIN")
    for n, doc in enumerate(docs):
        record = record_of(doc)
        db.execute(
            "INSERT INTO submissions (id, year, seq, sha256, original_name, received_at, format,"
            " text, title, submitter, status, stored_as, structure, decision)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc["id"], int(doc["id"][:4]), n, doc["id"], record.original_name,
             doc["received_at"], "docx", record.text, doc["title"],
             json.dumps(record.submitter.as_dict() if record.submitter else None,
                        ensure_ascii=False), doc["status"], "x",
             json.dumps(record.structure.as_dict() if record.structure else None,
                        ensure_ascii=False), doc["decision"]),
        )  # fmt: skip
    db.execute("COMMIT")
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        db.execute("BEGIN")
        for rowid, parts in enumerate(pool.imap(_tokens, docs, chunksize=200), start=1):
            db.execute("INSERT INTO search_index (rowid, title, people, body, furniture)"
                       " VALUES (?,?,?,?,?)", (rowid, *parts))  # fmt: skip
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
    registry.close()
    return seconds, time.perf_counter() - started


def build_peer(path: Path, docs: list[dict], tokenizer: str) -> float:
    db = sqlite3.connect(path)
    started = time.perf_counter()
    db.execute(f"CREATE VIRTUAL TABLE peer_{tokenizer} USING fts5(text, content='',"
               f" tokenize='{tokenizer}')")  # fmt: skip
    db.execute("BEGIN")
    for rowid, doc in enumerate(docs, start=1):
        text = "\n".join([doc["title"], doc["byline"], *doc["paragraphs"]])
        db.execute(f"INSERT INTO peer_{tokenizer} (rowid, text) VALUES (?, ?)", (rowid, text))
    db.execute("COMMIT")
    db.execute(f"INSERT INTO peer_{tokenizer} (peer_{tokenizer}) VALUES ('optimize')")
    db.close()
    return time.perf_counter() - started


def table_bytes(path: Path, prefix: str) -> int:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE ?", (prefix + "%",))
        return int(rows.fetchone()[0] or 0)
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def queries(r: random.Random) -> list[tuple[str, Filters]]:
    out: list[tuple[str, Filters]] = [(n, Filters()) for n in NEEDLES]
    out += [(t, Filters()) for t in TRADITIONAL]
    out += [(c, Filters()) for c in COMMON]
    out += [(f"{r.choice(NEEDLES)} {r.choice(COMMON)}", Filters()) for _ in range(5)]
    out += [(f"{c} {r.choice(COMMON)}", Filters()) for c in r.sample(COMMON, 5)]
    out += [(r.choice(COMMON), Filters(decision="pending", since="2025-01-01")) for _ in range(5)]
    out += [(r.choice(NEEDLES), Filters(unit="民盟", until="2025-06-30")) for _ in range(5)]
    return out


def truth(folded: list[str], docs: list[dict], query: str, filters: Filters) -> set[int]:
    terms = [fold_words(t).text for t in query.split()]
    out = set()
    for rowid, text in enumerate(folded, start=1):
        if all(t in text for t in terms) and _passes(docs[rowid - 1], filters):
            out.add(rowid)
    return out


def _passes(doc: dict, f: Filters) -> bool:
    day = doc["received_at"][:10]
    return ((f.decision is None or doc["decision"] == f.decision)
            and (f.since is None or day >= f.since) and (f.until is None or day <= f.until)
            and (f.unit is None or f.unit in doc["unit"]))  # fmt: skip


def _peer_filter_sql(filters: Filters) -> tuple[str, list]:
    """The same filters for the peers, on the same narrow table (``f``): only the text
    index differs between the systems."""
    where, args = filters.clauses()
    return (" AND " + " AND ".join(where)) if where else "", args


def run_minyi(registry: Registry, q: str, f: Filters) -> tuple[float, set[int]]:
    """As ``minyi search`` answers: the query read, the first page (50, with snippets and
    the total); recall from every match."""
    started = time.perf_counter()
    registry.find(search.parse(q), f, limit=50)
    elapsed = time.perf_counter() - started
    where, args = f.clauses()
    extra = (" AND " + " AND ".join(where)) if where else ""
    rows = registry._db.execute(
        "SELECT f.rowid FROM search_index JOIN submission_facts f ON f.rowid = search_index.rowid"
        f" WHERE search_index MATCH ?{extra}",
        [search.parse(q).expression, *args],
    ).fetchall()
    return elapsed, {r[0] for r in rows}


def run_like(db: sqlite3.Connection, q: str, f: Filters) -> tuple[float, set[int]]:
    extra, args = _peer_filter_sql(f)
    likes = " AND ".join("s.text LIKE ?" for _ in q.split())
    pats = [f"%{t}%" for t in q.split()]
    started = time.perf_counter()
    rows = db.execute(f"SELECT s.rowid FROM submissions s JOIN submission_facts f"
                      f" ON f.rowid = s.rowid WHERE {likes}{extra} ORDER BY f.received_at DESC",
                      [*pats, *args]).fetchall()  # fmt: skip
    elapsed = time.perf_counter() - started
    return elapsed, {r[0] for r in rows}


def run_fts(db: sqlite3.Connection, tokenizer: str, q: str, f: Filters) -> tuple[float, set[int]]:
    extra, args = _peer_filter_sql(f)
    expression = " AND ".join('"' + t.replace('"', '""') + '"' for t in q.split())
    started = time.perf_counter()
    rows = db.execute(
        f"SELECT f.rowid FROM peer_{tokenizer} p JOIN submission_facts f ON f.rowid = p.rowid"
        f" WHERE peer_{tokenizer} MATCH ?{extra} ORDER BY rank",
        [expression, *args],
    ).fetchall()
    elapsed = time.perf_counter() - started
    return elapsed, {r[0] for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="minyi-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "registry.sqlite3"
    started = time.perf_counter()
    docs = generate(args.docs)
    chars = statistics.mean(sum(len(p) for p in d["paragraphs"]) for d in docs)
    print(f"{len(docs)} 篇，平均 {chars:.0f} 字；生成 {time.perf_counter() - started:.0f} 秒")
    if not path.exists():
        seconds, wall = build_minyi(path, docs, args.workers)
        for tokenizer in ("unicode61", "trigram"):
            peer = build_peer(path, docs, tokenizer)
            print(f"  {tokenizer} 建索引 {peer:.1f} 秒")
        print(f"  minyi 建索引 {seconds:.1f} 秒（{args.workers} 进程），含优化 {wall:.1f} 秒")
    sizes = {name: table_bytes(path, prefix) for name, prefix in
             (("minyi", "search_index"), ("unicode61", "peer_unicode61"),
              ("trigram", "peer_trigram"))}  # fmt: skip
    text_bytes = table_bytes(path, "submissions")
    print(f"索引大小（每篇）：minyi {sizes['minyi'] / len(docs) / 1024:.1f} KB，"
          f"unicode61 {sizes['unicode61'] / len(docs) / 1024:.1f} KB，"
          f"trigram {sizes['trigram'] / len(docs) / 1024:.1f} KB；"
          f"正文表 {text_bytes / len(docs) / 1024:.1f} KB")  # fmt: skip

    # Incremental: what one registration adds (tokenising and the index insert).
    registry = Registry.open(path)
    extra = generate(300, seed=99)
    costs = []
    registry._db.execute("BEGIN")
    for n, doc in enumerate(extra):
        doc = {**doc, "id": f"2099-{n:06d}"}
        record = record_of(doc)
        registry._db.execute(
            "INSERT INTO submissions (id, year, seq, sha256, original_name, received_at, format,"
            " text, status, stored_as) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (doc["id"], 2099, n, doc["id"], "x", doc["received_at"], "docx", record.text,
             "accepted", "x"))  # fmt: skip
        t0 = time.perf_counter()
        registry._index_search(replace(record, id=doc["id"]))
        costs.append(time.perf_counter() - t0)
    registry._db.execute("ROLLBACK")
    registry.close()
    costs.sort()
    print(f"增量索引（每次登记）：中位 {statistics.median(costs) * 1000:.2f} ms，"
          f"p95 {costs[int(0.95 * len(costs))] * 1000:.2f} ms")  # fmt: skip

    folded = [fold_words("\n".join([d["title"], d["byline"], *d["paragraphs"]])).text
              for d in docs]  # fmt: skip
    r = random.Random(3)
    asked = queries(r)
    print(f"{len(asked)} 个查询（已知答案）")
    registry = Registry.open(path)
    db = sqlite3.connect(path)
    systems = {
        "minyi": lambda q, f: run_minyi(registry, q, f),
        "LIKE": lambda q, f: run_like(db, q, f),
        "unicode61": lambda q, f: run_fts(db, "unicode61", q, f),
        "trigram": lambda q, f: run_fts(db, "trigram", q, f),
    }
    times: dict[str, list[float]] = {name: [] for name in systems}
    found: dict[str, list[float]] = {name: [] for name in systems}
    for q, f in asked:
        simplified = " ".join(TRADITIONAL.get(t, t) for t in q.split())
        answer = truth(folded, docs, simplified, f)
        for name, call in systems.items():
            seconds, hits = call(q, f)
            times[name].append(seconds)
            if answer:
                found[name].append(len(hits & answer) / len(answer))
    print(f"{'系统':<10}{'中位 ms':>10}{'p95 ms':>10}{'召回率':>8}")
    for name in systems:
        ts = sorted(times[name])
        print(
            f"{name:<10}{statistics.median(ts) * 1000:>10.1f}"
            f"{ts[int(0.95 * len(ts))] * 1000:>10.1f}{statistics.mean(found[name]):>8.3f}"
        )
    like = statistics.median(times["LIKE"]) / statistics.median(times["minyi"])
    tri = statistics.median(times["trigram"]) / statistics.median(times["minyi"])
    print(f"LIKE / minyi = {like:.1f}（中位耗时之比）；trigram / minyi = {tri:.2f}")


if __name__ == "__main__":
    main()
