"""The review desk through the real server: sessions, roles, CSRF, hostile text and files,
the JSON API; every route enumerated from the app itself."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import minyi
from desk_server import USERS, Desk, office, serving

from minyi.desk.app import create_app, iter_routes
from minyi.settings import Settings

ANY = "any"  # a session, whatever the role
PUBLIC = "public"

# Every route of the desk and the right it needs. A new route must be added here (the test
# below compares this table with the app's own), so none is left unguarded by accident.
ROUTES = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/api/login"): PUBLIC,
    ("POST", "/api/logout"): ANY,
    ("POST", "/logout"): ANY,
    ("GET", "/"): ANY,
    ("GET", "/queue"): "view",
    ("GET", "/api/submissions"): "view",
    ("GET", "/items/{submission_id}"): "view",
    ("GET", "/api/submissions/{submission_id}"): "view",
    ("GET", "/items/{submission_id}/original/{number}.png"): "view",
    ("POST", "/items/{submission_id}/decision"): "decide",
    ("POST", "/api/submissions/{submission_id}/decision"): "decide",
    ("POST", "/items/{submission_id}/release"): "release",
    ("GET", "/upload"): "upload",
    ("PUT", "/upload"): "upload",
    ("GET", "/issues"): "view",
    ("GET", "/api/issues"): "view",
    ("POST", "/issues"): "compose",
    ("GET", "/issues/{year}/{number}"): "view",
    ("GET", "/issues/{year}/{number}/preview"): "view",
    ("POST", "/issues/{year}/{number}/move"): "compose",
    ("POST", "/issues/{year}/{number}/remove"): "compose",
    ("POST", "/issues/{year}/{number}/text"): "compose",
    ("POST", "/issues/{year}/{number}/fields"): "compose",
    ("POST", "/issues/{year}/{number}/sign"): "sign",
    ("POST", "/issues/{year}/{number}/reopen"): "compose",
    ("POST", "/issues/{year}/{number}/render"): "render",
    ("GET", "/issues/{year}/{number}/files/{name}"): "view",
    ("GET", "/track"): "view",
    ("POST", "/track"): "track",
    ("GET", "/stats"): "view",
    ("GET", "/api/stats"): "view",
    ("GET", "/stats/{year}/{kind}"): "view",
    ("GET", "/users"): "users",
    ("POST", "/users"): "users",
    ("POST", "/users/{name}/{action}"): "users",
}
ROLE_RIGHTS = {
    "信息员": {"view", "upload"},
    "编辑": {"view", "upload", "compose", "render", "track"},
    "审核": {"view", "upload", "compose", "render", "track", "decide", "release"},
    "签发": {"view", "upload", "compose", "render", "track", "decide", "release", "sign"},
    "管理员": {"view", "users"},
}
PARAMS = {"submission_id": "2026-0001", "number": "1", "year": "2026", "name": "小赵",
          "kind": "统计.xlsx", "action": "disable"}  # fmt: skip
HOSTILE = ["关于<script>alert(1)</script>整治占道经营的建议",
           "反映人：<img src=x onerror=alert(2)>县政协委员",
           "城区主干道占道经营问题突出，群众反映强烈。详情见<a href=\"javascript:alert(3)\">此处</a>。"
           "建议由城管部门牵头，划定临时摊点区域，规范经营时间，加强日常巡查。"]  # fmt: skip


def _path(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], template)


def _ask(client, method: str, path: str, **kw):  # type: ignore[no-untyped-def]
    return client.request(method, path, **kw)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = office(tmp_path_factory.mktemp("desk"), {"9-xss.docx": HOSTILE})
    with serving(folder) as running:
        yield running


def test_the_route_table_is_the_apps() -> None:
    assert set(iter_routes(create_app(Settings()))) == set(ROUTES)
    from minyi.accounts import RIGHTS

    assert {role.value: {r.value for r in rights} for role, rights in RIGHTS.items()} == ROLE_RIGHTS


def test_without_a_session_pages_redirect_and_the_api_answers_401(desk: Desk) -> None:
    client = desk.client()
    for (method, template), right in ROUTES.items():
        if right == PUBLIC:
            continue
        answer = _ask(client, method, _path(template))
        if template.startswith("/api/"):
            assert answer.status_code == 401, (method, template, answer.status_code)
            assert answer.json()["error"] == "未登录或登录已过期"
        else:
            assert answer.status_code == 303, (method, template, answer.status_code)
            assert answer.headers["location"].startswith("/login?next=")


def test_a_role_without_the_right_gets_403(desk: Desk) -> None:
    for role, rights in ROLE_RIGHTS.items():
        client = desk.client(role)
        headers = {"X-CSRF-Token": client.csrf}
        for (method, template), right in ROUTES.items():
            if right in (PUBLIC, ANY) or "logout" in template:
                continue
            if right in rights:
                if method == "GET":
                    answer = _ask(client, method, _path(template))
                    assert answer.status_code != 403, (role, template)
                continue
            answer = _ask(client, method, _path(template), headers=headers)
            assert answer.status_code == 403, (role, method, template, answer.status_code)
            if template.startswith("/api/"):
                assert "不能" in answer.json()["error"]
            else:
                assert "没有权限" in answer.text and f"（{role}）" in answer.text


def test_every_state_change_needs_the_csrf_header(desk: Desk) -> None:
    client = desk.client("签发")
    for (method, template), right in ROUTES.items():
        if method == "GET" or right == PUBLIC:
            continue
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            answer = _ask(client, method, _path(template), headers=headers, data={"x": "1"})
            assert answer.status_code == 403, (method, template, headers)
            assert "CSRF" in answer.text
    # The session survived all of that: the token was the only thing missing.
    assert client.get("/api/issues").status_code == 200


def test_hostile_text_is_inert_on_every_page(desk: Desk) -> None:
    client = desk.client("签发")
    hostile = next(i for i in client.get("/api/submissions").json()["items"]
                   if "占道经营" in (i["title"] or ""))  # fmt: skip
    sid = hostile["id"]
    assert "<script>" in hostile["title"]  # JSON carries the text as it came
    headers = {"X-CSRF-Token": client.csrf}
    decided = client.post(f"/api/submissions/{sid}/decision", json={"decision": "拟采用"},
                          headers=headers)  # fmt: skip
    assert decided.status_code == 200, decided.text
    pages = [
        "/queue?tab=all",
        "/queue?tab=all&q=占道",
        f"/items/{sid}",
        "/issues",
        "/stats",
        "/track",
    ]
    shown = {page: client.get(page) for page in pages}  # (/issues lists it to compose)
    composed = client.post("/issues", data={"items": [sid]}, headers=headers)
    assert composed.status_code == 204, composed.text
    for page in (composed.headers["hx-redirect"], composed.headers["hx-redirect"] + "/preview"):
        shown[page] = client.get(page)
    for page, answer in shown.items():
        assert answer.status_code == 200, (page, answer.text[:500])
        html = answer.text
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert 'href="javascript:' not in html, page
        if not page.startswith(("/stats", "/track")):  # (these show no titles of its kind)
            assert "&lt;script&gt;alert(1)" in html or "&lt;script&gt;" in html, page
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy or "default-src 'none'" in policy
    assert "HttpOnly" in client.post("/api/login", json=dict(
        zip(("username", "password"), USERS["签发"], strict=True))).headers["set-cookie"]  # fmt: skip


def test_the_frameworks_own_errors_are_chinese(desk: Desk) -> None:
    client = desk.client("编辑")
    for method, path, code, said in [("GET", "/no-such-page", 404, "找不到"),
                                     ("GET", "/issues/abc/1", 400, "应是数字"),
                                     ("GET", "/api/submissions/x/decision", 405, "请求方式"),
                                     ("GET", "/api/stats?year=x", 400, "应是数字")]:  # fmt: skip
        answer = client.request(method, path)
        assert answer.status_code == code and said in answer.text, (path, answer.text[:300])
        assert "Not Found" not in answer.text and "Method Not Allowed" not in answer.text
        assert "detail" not in answer.text


def test_path_traversal_is_refused(desk: Desk) -> None:
    client = desk.client("签发")
    for path in ["/issues/2026/1/files/..%2F..%2Fdata%2Fregistry.sqlite3",
                 "/issues/2026/1/files/%2E%2E%2Fminyi.toml",
                 "/items/..%2F..%2Fminyi.toml/original/1.png",
                 "/items/2026-0001/original/0.png", "/items/2026-0001/original/99.png",
                 "/stats/2026/..%2F..%2Fminyi.toml", "/static/..%2F..%2F..%2Fminyi.toml"]:  # fmt: skip
        answer = client.get(path)
        assert answer.status_code in (404, 400), (path, answer.status_code)
        assert "issue_unit" not in answer.text and "SQLite" not in answer.text


def test_a_hostile_upload_gets_the_inbox_rejection_and_is_kept(desk: Desk, tmp_path: Path) -> None:
    from minyi import samples

    whole = tmp_path / "whole.docx"
    samples.make_docx(whole, samples.SAMPLES[2].paragraphs())
    cut = whole.read_bytes()[: whole.stat().st_size // 2]
    client = desk.client("信息员")
    answer = client.put("/upload", content=cut, headers={
        "X-CSRF-Token": client.csrf, "X-File-Name": "..%2F..%2F%E6%88%AA%E6%96%AD.docx",
        "Accept": "application/json"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    line = answer.json()
    assert line["status"] == "rejected" and line["file"] == "截断.docx"
    # A hostile name is shown inert in the 回执 the page shows.
    page = client.put("/upload", content=cut + b"x", headers={
        "X-CSRF-Token": client.csrf, "X-File-Name": "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.docx"})  # fmt: skip
    assert "<img" not in page.text and "&lt;img src=x onerror=alert(1)&gt;.docx" in page.text
    # The same bytes through the inbox say the same.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "截断.docx").write_bytes(cut)
    minyi(tmp_path, "process", "in", "--report", "r.jsonl", code=3)  # 3: something refused
    inbox = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["error"] == inbox["error"] and "损坏" in line["error"]
    kept = list((desk.folder / "data" / "quarantine").rglob("*"))
    assert any(p.is_file() and p.read_bytes() == cut for p in kept)
    assert not any((desk.folder / "data" / "uploads").iterdir())  # the staging copy is gone


def test_an_oversized_upload_is_refused_before_it_is_read(desk: Desk) -> None:
    client = desk.client("信息员")
    host, port = desk.url.removeprefix("http://").split(":")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall((f"PUT /upload HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                   f"X-CSRF-Token: {client.csrf}\r\nContent-Length: {200 * 1024 * 1024}\r\n"
                   "Accept: application/json\r\n\r\n").encode())  # fmt: skip
        s.sendall(b"x" * 1024)  # 1 KB of the announced 200 MB: the answer comes anyway
        head = s.recv(4096).decode("utf-8", "replace")
    assert head.startswith("HTTP/1.1 413"), head
    assert "上限" in head.encode("latin-1", "replace").decode("utf-8", "replace") or "413" in head


def test_the_api_lists_as_the_cli_does(desk: Desk) -> None:
    client = desk.client("编辑")
    api = client.get("/api/submissions", params={"decision": "待审核"}).json()
    cli = [json.loads(x) for x in minyi(desk.folder, "list", "--decision", "待审核",
                                        "--json").splitlines()]  # fmt: skip
    assert [i["id"] for i in api["items"]] == [c["id"] for c in cli]
    assert set(api["items"][0]) == set(cli[0])
    one = client.get(f"/api/submissions/{cli[0]['id']}").json()
    assert {"structure", "findings", "duplicates", "history", "decision"} <= set(one)
    stats = client.get("/api/stats", params={"year": 2026}).json()
    assert stats["received"] >= 4 and len(stats["monthly"]) == 12


def test_personal_data_is_masked_and_quarantined_text_withheld(tmp_path: Path) -> None:
    folder = office(tmp_path, {
        "pii.docx": ["关于加强出租房屋管理的建议", "反映人：赵刚", "房东电话13812345678，"
                     "身份证110101199003074514，长期无人管理，建议加强登记。"],
        "secret.docx": ["秘密★1年", "关于某项工作的情况反映", "反映人：钱立新", "正文内容若干。"
                        "建议进一步加强统筹协调。"],
    })  # fmt: skip
    with serving(folder) as running:
        client = running.client("审核")
        items = {i["file"]: i for i in client.get("/api/submissions?limit=100").json()["items"]}
        pii, secret = items["pii.docx"], items["secret.docx"]
        page = client.get(f"/items/{pii['id']}").text
        assert "13812345678" not in page and "138****5678" in page
        assert "110101199003074514" not in page
        one = client.get(f"/api/submissions/{secret['id']}").json()
        assert one["text"] is None and one["text_withheld"] and one["title"] is None
        page = client.get(f"/items/{secret['id']}").text
        assert "正文内容若干" not in page and "不显示原件和正文" in page
        assert client.get(f"/items/{secret['id']}/original/1.png").status_code == 403
        assert "秘密★" not in client.get("/queue?tab=all").text


def test_sessions_end_at_logout_idle_and_password_change(tmp_path: Path) -> None:
    folder = office(tmp_path)
    with serving(folder) as running:
        client = running.client("编辑")
        stolen = dict(client.cookies)
        assert client.post("/api/logout", headers={"X-CSRF-Token": client.csrf}).status_code == 200
        thief = running.client()
        thief.cookies.update(stolen)
        assert thief.get("/api/issues").status_code == 401
        # Idle longer than desk_idle_minutes (30): the session is over.
        client = running.client("编辑")
        db = sqlite3.connect(folder / "data" / "registry.sqlite3")
        with db:
            db.execute("UPDATE sessions SET seen_at = seen_at - 31 * 60")
        assert client.get("/api/issues").status_code == 401
        # A changed password ends the user's sessions.
        client = running.client("编辑")
        minyi(folder, "user", "passwd", "王芳", "--password-stdin", input="another-pw-2\n")
        assert client.get("/api/issues").status_code == 401
        # Throttling: after five wrong passwords, even the right one waits.
        anyone = running.client()
        for _ in range(5):
            wrong = anyone.post("/api/login", json={"username": "小赵", "password": "wrong-pw-9"})
            assert wrong.status_code == 401 and "不对" in wrong.json()["error"]
        name, password = USERS["信息员"]
        late = anyone.post("/api/login", json={"username": name, "password": password})
        assert late.status_code == 429 and "秒后再试" in late.json()["error"]
        db.close()
        # No password in the server's log or in the registry (argon2 hashes only).
        written = running.log.read_bytes()
        for path in (folder / "data").glob("registry.sqlite3*"):
            written += path.read_bytes()
        for _, secret in [*USERS.values(), ("", "another-pw-2"), ("", "wrong-pw-9")]:
            assert secret.encode() not in written
        hashes = sqlite3.connect(folder / "data" / "registry.sqlite3").execute(
            "SELECT password FROM users").fetchall()  # fmt: skip
        assert all(h[0].startswith("$argon2id$") for h in hashes)


def test_user_commands_and_serve_refusals(tmp_path: Path) -> None:
    out = minyi(tmp_path, "serve", code=4)
    assert "还没有可用的用户" in out
    out = minyi(tmp_path, "user", "add", "甲", "--role", "主任", "--password-stdin",
                input="long-enough-1\n", code=4)  # fmt: skip
    assert "角色「主任」不对" in out
    out = minyi(tmp_path, "user", "add", "甲", "--role", "编辑", "--password-stdin",
                input="short\n", code=4)  # fmt: skip
    assert "密码太短" in out
    minyi(
        tmp_path, "user", "add", "甲", "--role", "编辑", "--password-stdin", input="long-enough-1\n"
    )
    assert "已存在" in minyi(tmp_path, "user", "add", "甲", "--role", "编辑", "--password-stdin",
                             input="long-enough-1\n", code=4)  # fmt: skip
    minyi(tmp_path, "user", "disable", "甲")
    listed = minyi(tmp_path, "user", "list")
    assert "甲" in listed and "已停用" in listed
    assert "还没有可用的用户" in minyi(tmp_path, "serve", code=4)
    log = minyi(tmp_path, "log")
    assert "添加用户" in log and "停用用户" in log


def test_follow_through_is_recorded_as_the_cli_records_it(tmp_path: Path) -> None:
    """The desk's 跟踪 form takes the CLI's own path: a whole issued issue at once, a 采用
    counted 单篇 unless said otherwise, the user as the recorder, the same checks."""
    from conftest import propose

    folder = office(tmp_path)
    propose(folder, "2026-0001", "2026-0002", "2026-0003")
    minyi(folder, "issue", "new", "--items", "2026-0001", "2026-0002")
    headers = {"HX-Request": "true"}
    with serving(folder) as running:
        client = running.client("编辑")
        headers["X-CSRF-Token"] = client.csrf
        draft = client.post("/track", data={"issue": "2026-1", "kind": "报送"}, headers=headers)
        assert "尚未印发" in draft.text
        minyi(folder, "issue", "sign", "1", "--by", "张主任")
        minyi(folder, "issue", "render", "1", "--no-pdf")
        whole = client.post("/track", data={"issue": "2026-1", "kind": "报送", "level": "市"},
                            headers=headers)  # fmt: skip
        assert "已记录 2 条“报送”" in whole.text, whole.text
        adopted = client.post("/track", data={"ids": "2026-0001", "kind": "采用",
                                              "level": "市"}, headers=headers)  # fmt: skip
        assert "已记录 1 条“采用”" in adopted.text, adopted.text
        wrong = client.post("/track", data={"ids": "2026-0001", "kind": "采用"}, headers=headers)
        assert "level" in wrong.text or "层级" in wrong.text
    shown = minyi(folder, "track", "show", "2026-0001")
    assert "报送" in shown and "单篇" in shown and "王芳" in shown
