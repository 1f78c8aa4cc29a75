"""The review desk: the office's daily work in a browser, a thin layer over the registry.

Pages are rendered on the server from the desk's Jinja2 templates (autoescape on)
and updated in place with htmx; charts are drawn by ECharts. Both are vendored
under ``static/vendor`` (the office network is closed: no CDN, no build step).

Every route but the login page and the static files needs a session (pages
redirect to the login page, ``/api/…`` answers 401); every right is asked of
``minyi.accounts.may`` (403 without it); every state-changing request carries
the session's CSRF token in a header (403 without it). What a page or an API
answer shows passes the one screening gate: texts come masked, quarantined text
is withheld, and the finished page is inspected before it is sent — a 密级 mark
or unmasked personal data stops it with a 500 naming the problem.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from common.errors import InputError, MinyiError
from formatter.issue import Issue
from ingest import search
from ingest.record import Record, Status
from ingest.registry import Registry
from ingest.registry_search import Filters
from ingest.review import LABELS, Decision, parse_decision
from ingest.screening.gate import Allowance, Gate
from ingest.screening.labels import category_label
from minyi import issues as flow
from minyi import progress, tracking
from minyi.accounts import RIGHT_LABELS, Right, Role, add_account, change_account, hash_password
from minyi.cli import release_item
from minyi.desk import auth, previews
from minyi.desk.auth import COOKIE, CSRF_HEADER, Throttle, User
from minyi.settings import Settings

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
PAGE_SIZE = 50
STATUS_LABELS = {s.value: s.label for s in Status}
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'")  # fmt: skip
_PUBLIC = ("/login", "/api/login", "/static/")
# What the framework says in English, said for the clerk.
_FRAMEWORK = {404: "找不到这个页面或文件", 405: "这个地址不接受这种请求方式",
              413: "请求内容太大", 400: "请求的格式不对"}  # fmt: skip


class Desk:
    """What every request shares: settings, the gate, templates, the login throttle and one
    registry connection per server thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.options = settings.ingest_options()
        self.gate = Gate.for_options(self.options)
        self.throttle = Throttle()
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
        self.env.globals.update(decision_labels=LABELS, status_labels=STATUS_LABELS,
                                right=Right, category_label=category_label)  # fmt: skip
        self._local = threading.local()

    def registry(self) -> Registry:
        found: Registry | None = getattr(self._local, "registry", None)
        if found is None:
            found = Registry.open(self.settings.registry_path)
            self._local.registry = found
        return found

    def acting(self, user: User) -> Settings:
        """The settings with the signed-in user as the clerk: audit entries name them."""
        return replace(self.settings, clerk=user.name)

    @property
    def idle(self) -> float:
        return max(1, self.settings.desk_idle_minutes) * 60.0


def create_app(settings: Settings) -> FastAPI:
    desk = Desk(settings)
    app = FastAPI(title="minyi 网页工作台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = desk
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Response:
        """Who is asking, whether they may, and the headers every answer carries."""
        path = request.url.path
        if not path.startswith(_PUBLIC):
            registry = desk.registry()
            user = auth.current_user(registry, request.cookies.get(COOKIE), desk.idle)
            if user is None:
                if path.startswith("/api/"):
                    return _headers(JSONResponse({"error": "未登录或登录已过期"}, 401))
                target = quote(path + (f"?{request.url.query}" if request.url.query else ""))
                return _headers(RedirectResponse(f"/login?next={target}", 303))
            if request.method not in ("GET", "HEAD", "OPTIONS") and not auth.csrf_ok(
                user, request.headers.get(CSRF_HEADER)
            ):
                return _error(request, 403, "请求缺少有效的安全令牌（CSRF），请刷新页面后重试")
            request.state.user = user
        try:
            response: Response = await call_next(request)
        except Exception as exc:  # the clerk gets a page; the log gets the traceback
            log.exception("工作台处理 %s 时出错", path)
            return _error(request, 500, f"服务器内部错误（{type(exc).__name__}），已记入日志；"
                                        "请重试或联系管理员")  # fmt: skip
        return _headers(response)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail)
        if detail == HTTPStatus(exc.status_code).phrase:  # the framework's own English words
            detail = _FRAMEWORK.get(exc.status_code, f"请求无法处理（{exc.status_code}）")
        return _error(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, "地址或参数不对（如编号、年份、期号应是数字）")

    @app.exception_handler(MinyiError)
    async def minyi_error(request: Request, exc: MinyiError) -> Response:
        return _error(request, 400, str(exc))

    def _error(request: Request, code: int, message: str) -> Response:
        if request.url.path.startswith("/api/") or request.headers.get("HX-Request"):
            if request.url.path.startswith("/api/"):
                return _headers(JSONResponse({"error": message}, code))
            html = desk.env.get_template("_message.html").render(message=message, error=True)
            # htmx swaps only 2xx answers: an error is shown in the page's message area.
            return _headers(HTMLResponse(html, 200, headers={"HX-Retarget": "#messages",
                                                              "HX-Reswap": "innerHTML"}))  # fmt: skip
        user = getattr(request.state, "user", None)
        html = desk.env.get_template("error.html").render(
            message=message,
            code=code,
            user=user,
            csrf=user.csrf if user else "",
            path=request.url.path,
        )
        return _headers(HTMLResponse(html, code))

    def page(request: Request, name: str, allow: Allowance | None = None,
             **context: Any) -> HTMLResponse:  # fmt: skip
        """A template rendered for the signed-in user, inspected by the gate before it goes."""
        user: User | None = getattr(request.state, "user", None)
        html = desk.env.get_template(name).render(
            user=user, csrf=user.csrf if user else "", path=request.url.path,
            rights=RIGHT_LABELS, **context,
        )  # fmt: skip
        leaks = desk.gate.inspect_text(html, "网页", allow or Allowance())
        if leaks:
            described = "；".join(leak.describe() for leak in leaks[:5])
            return _error(request, 500, f"页面含不应显示的内容，已拦截：{described}")  # type: ignore[return-value]
        return HTMLResponse(html)

    def need(request: Request, right: Right) -> User:
        user: User = request.state.user
        if not user.may(right):
            raise HTTPException(403, f"您的角色（{user.role}）不能{RIGHT_LABELS[right]}")
        return user

    def api(data: Any, code: int = 200) -> JSONResponse:
        return JSONResponse(desk.gate.redact_all(data), code)

    # -- signing in ------------------------------------------------------------------------

    @app.get("/login")
    def login_page(request: Request, next: str = "/queue") -> HTMLResponse:
        return page(request, "login.html", next=_local_target(next), message="")

    @app.post("/login")
    async def login_form(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("username", "")), str(form.get("password", ""))
        target = _local_target(str(form.get("next", "/queue")))
        token, message, code = _sign_in(request, name, password)
        if token is None:
            html = page(request, "login.html", next=target, message=message, username=name)
            html.status_code = code
            return html
        response = RedirectResponse(target, 303)
        _set_cookie(response, token[0])
        return response

    @app.post("/api/login")
    async def api_login(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "请以 JSON 提交 username 和 password"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "请以 JSON 提交 username 和 password"}, 400)
        token, message, code = _sign_in(
            request, str(body.get("username", "")), str(body.get("password", ""))
        )
        if token is None:
            return JSONResponse({"error": message}, code)
        registry = desk.registry()
        user = auth.current_user(registry, token[0], desk.idle)
        assert user is not None
        response = JSONResponse({"user": user.name, "role": user.role, "csrf": token[1]})
        _set_cookie(response, token[0])
        return response

    def _sign_in(request: Request, name: str, password: str) -> tuple[tuple[str, str] | None, str, int]:  # fmt: skip
        client = request.client.host if request.client else "?"
        keys = (f"user:{name}", f"addr:{client}")
        wait = desk.throttle.wait(*keys)
        if wait > 0:
            return None, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试", 429
        registry = desk.registry()
        role = auth.check_password(registry, name, password)
        if role is None:
            desk.throttle.failed(*keys)
            return None, "用户名或密码不对（或该用户已停用）", 401
        desk.throttle.succeeded(*keys)
        with registry.batch():
            registry.close_idle_sessions(time.time() - desk.idle)
            when = tracking.now()
            token = auth.open_session(registry, name, when)
            registry.audit("desk.login", name, when, detail={"from": client})
        return token, "", 200

    @app.post("/logout")
    @app.post("/api/logout")
    def logout(request: Request) -> Response:
        user: User = request.state.user
        registry = desk.registry()
        with registry.batch():
            registry.close_session(user.token_hash)
            registry.audit("desk.logout", user.name, tracking.now())
        target = "/login"
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse({"ok": True})
        elif request.headers.get("HX-Request"):
            response = Response(status_code=204, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- the queue -------------------------------------------------------------------------

    @app.get("/")
    def home(request: Request) -> Response:
        return RedirectResponse("/queue", 303)

    @app.get("/queue")
    def queue(request: Request, q: str = "", tab: str = "queue", status: str = "",
              page_no: int = 1, unit: str = "", since: str = "", until: str = "") -> Response:  # fmt: skip
        need(request, Right.VIEW)
        found = _find(q, tab, status, unit, since, until, page_no)
        name = "_queue_rows.html" if request.headers.get("HX-Request") else "queue.html"
        return page(request, name, q=q, tab=tab, status=status, unit=unit, since=since,
                    until=until, tabs=_tabs(q, status, unit, since, until), **found)  # fmt: skip

    def _filters(tab: str, status: str, unit: str, since: str, until: str) -> Filters:
        decision = None if tab in ("queue", "all") else parse_decision(tab, chosen=False).value
        return Filters(status=status or None, decision=decision, unit=unit or None,
                       since=since or None, until=until or None, queue=tab == "queue")  # fmt: skip

    def _search(q: str, filters: Filters, limit: int, page_no: int) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
        """One page of a list or search as ``minyi list --json`` gives it (through the gate),
        and how many in all; the queue page and ``GET /api/submissions`` both ask here."""
        from minyi.review_cli import hit_line

        registry = desk.registry()
        parsed = search.parse(q) if q.strip() else None
        if parsed is not None and registry.search_stale():
            registry.rebuild_search()
        hits, total = registry.find(parsed, filters, limit, (max(1, page_no) - 1) * limit)
        return [hit_line(hit, desk.gate) for hit in hits], total

    def _find(q: str, tab: str, status: str, unit: str, since: str, until: str,
              page_no: int) -> dict[str, Any]:  # fmt: skip
        page_no = max(1, page_no)
        rows, total = _search(q, _filters(tab, status, unit, since, until), PAGE_SIZE, page_no)
        for row in rows:
            row["received"] = progress.local_time(row["received_at"])
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        return {"rows": rows, "total": total, "page_no": page_no, "pages": pages}

    def _tabs(q: str, status: str, unit: str, since: str, until: str) -> list[dict[str, Any]]:
        registry = desk.registry()
        base = Filters(status=status or None, unit=unit or None, since=since or None,
                       until=until or None)  # fmt: skip
        counts, waiting = registry.decision_counts(base)
        tabs = [{"key": "queue", "label": "待审核", "count": waiting}]
        for decision in (Decision.PROPOSED, Decision.RETURNED, Decision.DECLINED, Decision.VOID):
            tabs.append({"key": decision.value, "label": decision.label,
                         "count": counts.get(decision.value, 0)})  # fmt: skip
        tabs.append({"key": "all", "label": "全部", "count": sum(counts.values())})
        return tabs

    @app.get("/api/submissions")
    def api_submissions(request: Request, q: str = "", status: str = "", decision: str = "",
                        page: int = 1, limit: int = PAGE_SIZE) -> Response:  # fmt: skip
        need(request, Right.VIEW)
        chosen = parse_decision(decision, chosen=False).value if decision else None
        rows, total = _search(q, Filters(status=status or None, decision=chosen),
                              max(1, min(limit, 500)), page)  # fmt: skip
        return api({"total": total, "page": page, "items": rows})

    # -- one submission --------------------------------------------------------------------

    def _record(submission_id: str) -> Record:
        record = desk.registry().get(submission_id)
        if record is None:
            raise HTTPException(404, f"没有编号为 {submission_id} 的信息")
        return record

    def _item(record: Record) -> dict[str, Any]:
        """Everything the item page and ``GET /api/submissions/{id}`` show, masked."""
        registry = desk.registry()
        assert record.id is not None
        state = registry.review_state(record.id)
        withheld = record.status is Status.QUARANTINED
        text = "" if withheld else record.masked_text()
        findings = []
        for f in record.findings:
            findings.append({"kind": f.kind, "category": f.category,
                             "label": category_label(f.category) if f.kind == "sensitive" else "",
                             "text": "" if withheld and f.kind != "sensitive" else desk.gate.redact(f.text),
                             "start": f.start, "end": f.end})  # fmt: skip
        duplicates = []
        for f in record.findings:
            if f.kind != "duplicate" or withheld:
                continue
            other = registry.get(str(f.detail.get("id")))
            if other is None:
                continue
            other_text = "" if other.status is Status.QUARANTINED else other.masked_text()
            passages = [(text[p["start"]:p["end"]], other_text[p["other_start"]:p["other_end"]])
                        for p in f.detail.get("passages", [])[:8]]  # fmt: skip
            duplicates.append({"id": other.id, "title": other.title, "file": other.original_name,
                               "similarity": f.detail.get("similarity", 0),
                               "relation": f.detail.get("relation", ""), "passages": passages})  # fmt: skip
        structure = None
        if record.structure is not None and not withheld:
            s = record.structure
            structure = {
                "title": s.title.text if s.title else None,
                "bylines": [p.text for p in s.bylines],
                "body": [{"kind": p.kind, "text": record.masked(p.text)} for p in s.body],
                "furniture": [{"kind": p.kind, "text": record.masked(p.text)}
                              for p in s.furniture],
            }  # fmt: skip
        submitter = record.submitter
        return {
            "id": record.id, "title": None if withheld else record.title,
            "file": record.original_name, "format": record.format.value,
            "pages": record.page_count, "received_at": record.received_at,
            "received": progress.local_time(record.received_at),
            "status": record.status.value, "status_label": record.status.label,
            "decision": state.decision.value, "decision_label": state.decision.label,
            "decided_by": state.decided_by, "decided_at": progress.local_time(state.decided_at),
            "replaces": state.replaces, "superseded_by": state.superseded_by,
            "submitter": submitter.as_dict() if submitter and not withheld else None,
            "text": None if withheld else text, "text_withheld": withheld,
            "segments": [] if withheld else _segments(text, record),
            "findings": findings, "duplicates": duplicates, "structure": structure,
            "history": [{"date": s.date, "stage": s.stage, "label": s.label}
                        for s in progress.steps(registry, record)],
            "audit": [_audit_line(e) for e in registry.audit_log(record.id)],
            "preview_pages": 0 if withheld else previews.page_count(record),
        }  # fmt: skip

    @app.get("/items/{submission_id}")
    def item_page(request: Request, submission_id: str) -> Response:
        need(request, Right.VIEW)
        record = _record(submission_id)
        data = _item(record)
        return page(request, "item.html", item=data, decisions=_decision_choices(),
                    allow=_allow(record))  # fmt: skip

    @app.get("/api/submissions/{submission_id}")
    def api_item(request: Request, submission_id: str) -> Response:
        need(request, Right.VIEW)
        data = _item(_record(submission_id))
        data.pop("segments")
        return api(data)

    @app.get("/items/{submission_id}/original/{number}.png")
    def original_page(request: Request, submission_id: str, number: int) -> Response:
        need(request, Right.VIEW)
        record = _record(submission_id)
        if record.status is Status.QUARANTINED:
            raise HTTPException(403, "已隔离的信息不显示原件")
        png = previews.preview(desk.settings.data_dir, record, number, desk.options)
        if png is None:
            raise HTTPException(404, f"第 {number} 页无法显示")
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip

    def _decide(user: User, submission_id: str, decision: str, reason: str) -> str:
        _record(submission_id)  # (404 for an unknown number)
        chosen = parse_decision(decision)
        before = desk.registry().decide(submission_id, chosen, reason.strip(), user.name,
                                        tracking.now())  # fmt: skip
        return f"{submission_id}：{before.label} → {chosen.label}（{user.name}）"

    @app.post("/items/{submission_id}/decision")
    async def decide_form(request: Request, submission_id: str) -> Response:
        user = need(request, Right.DECIDE)
        form = await request.form()

        def work() -> Response:
            said = _decide(user, submission_id, str(form.get("decision", "")),
                           str(form.get("reason", "")))  # fmt: skip
            record = _record(submission_id)
            return page(request, "_decision.html", item=_item(record),
                        decisions=_decision_choices(), message=said, allow=_allow(record))  # fmt: skip

        result: Response = await run_in_threadpool(work)
        return result

    @app.post("/api/submissions/{submission_id}/decision")
    async def api_decide(request: Request, submission_id: str) -> Response:
        user = need(request, Right.DECIDE)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse({"error": "请以 JSON 提交 decision 和 reason"}, 400)
        said = _decide(user, submission_id, str(body.get("decision", "")),
                       str(body.get("reason", "")))  # fmt: skip
        state = desk.registry().review_state(submission_id)
        return api({"id": submission_id, "decision": state.decision.value,
                    "decision_label": state.decision.label, "message": said})  # fmt: skip

    @app.post("/items/{submission_id}/release")
    async def release(request: Request, submission_id: str) -> Response:
        user = need(request, Right.RELEASE)
        form = await request.form()
        _record(submission_id)
        release_item(desk.registry(), submission_id, str(form.get("reason", "")), user.name)
        return Response(status_code=204, headers={"HX-Redirect": f"/items/{submission_id}"})

    # -- upload ----------------------------------------------------------------------------

    @app.get("/upload")
    def upload_page(request: Request) -> Response:
        need(request, Right.UPLOAD)
        limit_mb = desk.settings.max_file_mb
        return page(request, "upload.html", limit_mb=limit_mb)

    @app.put("/upload")
    async def upload(request: Request) -> Response:
        from minyi.desk.intake import receive

        user = need(request, Right.UPLOAD)
        limit = desk.settings.max_file_mb * 1024 * 1024
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            raise HTTPException(411, "上传须注明文件大小（Content-Length）")
        if int(declared) > limit:
            raise HTTPException(413, f"文件超过 {desk.settings.max_file_mb} MB 的上限，未接收")
        name = unquote(request.headers.get("X-File-Name", ""))
        line = await receive(desk.settings, desk.gate, request.stream(), name, limit, user.name)
        line["status_label"] = _receipt_label(line)
        if request.headers.get("Accept", "").startswith("application/json"):
            return api(line)
        return page(request, "_receipt.html", line=line)

    # -- issues ----------------------------------------------------------------------------

    def _issue_rows() -> list[dict[str, Any]]:
        registry = desk.registry()
        rows = []
        for data in registry.issues():
            entry = Issue.from_dict(data)
            state = flow.life(registry, entry)
            rows.append({"year": entry.year, "number": entry.number, "label": entry.label,
                         "series": entry.series.value, "state": state["state"].value,
                         "state_label": state["state"].label, "items": len(entry.items),
                         "issued": entry.issued.isoformat() if entry.issued else "",
                         "signed_by": state["signed_by"], "version": state["version"],
                         "void_reason": state["void_reason"]})  # fmt: skip
        return rows

    @app.get("/issues")
    def issues_page(request: Request) -> Response:
        need(request, Right.VIEW)
        registry = desk.registry()
        from minyi.review_cli import hit_line

        hits, _ = registry.find(None, Filters(decision="proposed", published=False), 200, 0)
        proposed = [hit_line(h, desk.gate) for h in hits]
        return page(request, "issues.html", rows=_issue_rows(), proposed=proposed)

    @app.get("/api/issues")
    def api_issues(request: Request) -> Response:
        need(request, Right.VIEW)
        return api({"issues": _issue_rows()})

    @app.post("/issues")
    async def new_issue(request: Request) -> Response:
        user = need(request, Right.COMPOSE)
        form = await request.form()
        ids = [str(v) for v in form.getlist("items")]
        created = flow.create(desk.registry(), desk.acting(user), ids)
        return Response(status_code=204, headers={
            "HX-Redirect": f"/issues/{created.year}/{created.number}"})  # fmt: skip

    def _issue(year: int, number: int) -> Issue:
        try:
            return flow.load(desk.registry(), number, year)
        except InputError as exc:
            raise HTTPException(404, str(exc)) from None

    def _issue_view(entry: Issue) -> dict[str, Any]:
        registry = desk.registry()
        settings = desk.settings
        state = flow.life(registry, entry)
        checkpoint_allow = flow.allowance(registry, settings, entry)
        items = []
        for n, item in enumerate(entry.items, 1):
            diff = flow.diff(registry, settings, entry, n - 1)  # (empty: not edited)
            items.append({"n": n, "id": item.submission_id, "title": item.title,
                          "submitter": item.submitter, "body": item.body,
                          "edited": bool(diff), "diff": diff})  # fmt: skip
        files = _files(state)
        return {"year": entry.year, "number": entry.number, "label": entry.label,
                "state": state["state"].value, "state_label": state["state"].label,
                "signed_by": state["signed_by"], "signed_at": progress.local_time(state["signed_at"]),
                "version": state["version"], "foreword": entry.foreword, "entries": items,
                "unit": entry.unit, "issued": entry.issued.isoformat() if entry.issued else "",
                "concerns": [str(c) for c in flow.issue_concerns(registry, settings, entry)],
                "blocking": flow.blocking(registry, settings, entry),
                "files": files, "allow": checkpoint_allow}  # fmt: skip

    def _files(state: dict[str, Any]) -> list[str]:
        folder = Path(state["rendered_to"]) if state.get("rendered_to") else None
        if folder is None or not folder.is_dir():
            return []
        return sorted(
            p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
        )

    @app.get("/issues/{year}/{number}")
    def issue_page(request: Request, year: int, number: int) -> Response:
        need(request, Right.VIEW)
        view = _issue_view(_issue(year, number))
        allow = view.pop("allow")
        return page(request, "issue.html", issue=view, allow=allow)

    @app.get("/issues/{year}/{number}/preview")
    def issue_preview(request: Request, year: int, number: int) -> Response:
        need(request, Right.VIEW)
        from formatter.preview import render_preview
        from ingest.screening.gate import Checkpoint

        registry = desk.registry()
        entry = _issue(year, number)
        allow = flow.allowance(registry, desk.settings, entry)
        shown = flow.masked(entry, Checkpoint(desk.gate, allow))
        html = render_preview(shown, flow.template(desk.settings),
                              flow.render_plan(desk.settings).local)  # fmt: skip
        leaks = desk.gate.inspect_text(html, "预览", allow)
        if leaks:
            raise HTTPException(500, "预览含不应显示的内容，已拦截")
        # The office's template is sandboxed Jinja2; the page may not run anything.
        return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; "
                                           "style-src 'unsafe-inline'; img-src data:; "
                                           "frame-ancestors 'self'"})  # fmt: skip

    async def _issue_change(request: Request, year: int, number: int, right: Right,
                            change: Callable[[Issue, Any, User], str]) -> Response:  # fmt: skip
        user = need(request, right)
        form = await request.form()

        def work() -> Response:  # in a worker thread: rendering may take LibreOffice a while
            said = change(_issue(year, number), form, user)
            view = _issue_view(_issue(year, number))
            allow = view.pop("allow")
            return page(request, "_issue_body.html", issue=view, message=said, allow=allow)

        result: Response = await run_in_threadpool(work)
        return result

    @app.post("/issues/{year}/{number}/move")
    async def move(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            moved = flow.move_item(entry, str(form.get("item", "")), _int(form.get("to")))
            flow.save(desk.registry(), desk.acting(user), moved, what="调整顺序")
            return "已调整顺序"

        return await _issue_change(request, year, number, Right.COMPOSE, change)

    @app.post("/issues/{year}/{number}/remove")
    async def remove(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            which = str(form.get("item", ""))
            flow.save(desk.registry(), desk.acting(user), flow.remove_items(entry, [which]),
                      items=[which], what="移出稿件")  # fmt: skip
            return f"已移出 {which}"

        return await _issue_change(request, year, number, Right.COMPOSE, change)

    @app.post("/issues/{year}/{number}/text")
    async def edit_text(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            which = str(form.get("item", ""))
            position = flow.item_position(entry, which)
            edited = flow.set_item(entry, position, title=str(form.get("title", "")).strip(),
                                   submitter=str(form.get("submitter", "")).strip(),
                                   body=str(form.get("body", "")).replace("\r\n", "\n").strip())  # fmt: skip
            if not edited.items[position].title or not edited.items[position].body:
                raise InputError("标题和正文不能为空")
            settings = desk.acting(user)
            flow.save(desk.registry(), settings, edited, "issue.text", [which], "编辑稿件文字")
            if edited.items[position].submitter != entry.items[position].submitter:
                flow.credit_corrected(desk.registry(), settings, which,
                                      edited.items[position].submitter)  # fmt: skip
            return f"已保存 {which} 的修改"

        return await _issue_change(request, year, number, Right.COMPOSE, change)

    @app.post("/issues/{year}/{number}/fields")
    async def fields(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            text = str(form.get("foreword", "")).replace("\r\n", "\n").strip()
            unit = str(form.get("unit", entry.unit)).strip()
            try:
                day = dt.date.fromisoformat(str(form.get("issued") or entry.issued))
            except ValueError:
                raise InputError("日期写作 2026-03-05") from None
            changed = replace(entry, foreword=text, unit=unit, issued=day)
            flow.save(desk.registry(), desk.acting(user), changed, what="编发单位、日期、编者按")
            return "已保存"

        return await _issue_change(request, year, number, Right.COMPOSE, change)

    @app.post("/issues/{year}/{number}/sign")
    async def sign(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            flow.sign(desk.registry(), desk.acting(user), entry, user.name)
            return f"已签发（{user.name}）"

        return await _issue_change(request, year, number, Right.SIGN, change)

    @app.post("/issues/{year}/{number}/reopen")
    async def reopen(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            before = flow.reopen(desk.registry(), desk.acting(user), entry,
                                 str(form.get("reason", "")))  # fmt: skip
            return f"已由{before.label}改回草稿"

        return await _issue_change(request, year, number, Right.COMPOSE, change)

    @app.post("/issues/{year}/{number}/render")
    async def render(request: Request, year: int, number: int) -> Response:
        def change(entry: Issue, form: Any, user: User) -> str:
            from minyi.issue_cli import _converter

            settings = desk.acting(user)
            with _converter(settings, True) as converter:
                result = flow.render(desk.registry(), settings, entry, settings.outbox,
                                     converter, pdf=converter is not None)  # fmt: skip
            return f"已生成到 {result.folder.name}"

        return await _issue_change(request, year, number, Right.RENDER, change)

    @app.get("/issues/{year}/{number}/files/{name}")
    def download(request: Request, year: int, number: int, name: str) -> Response:
        need(request, Right.VIEW)
        entry = _issue(year, number)
        state = flow.life(desk.registry(), entry)
        if name not in _files(state):  # only a file of this issue's folder, by its exact name
            raise HTTPException(404, "没有这个文件")
        path = Path(state["rendered_to"]) / name
        return FileResponse(path, headers={"Content-Disposition":
                                           f"attachment; filename*=UTF-8''{quote(name)}"})  # fmt: skip

    # -- follow-through, figures, users ------------------------------------------------------

    @app.get("/track")
    def track_page(request: Request, days: int = 30) -> Response:
        need(request, Right.VIEW)
        from minyi.track_cli import KINDS, LEVELS

        due = tracking.waiting(desk.registry(), max(0, days))
        rows = [{"id": w.submission_id, "title": w.title, "reason": w.reason,
                 "since": w.since.isoformat(), "days": w.days} for w in due]  # fmt: skip
        issued = [r for r in _issue_rows() if r["state"] == "issued" and r["series"] == "regular"]
        return page(request, "track.html", rows=rows, kinds=KINDS, levels=LEVELS, days=days,
                    issued=issued, today=dt.date.today().isoformat())  # fmt: skip

    @app.post("/track")
    async def track_add(request: Request) -> Response:
        from minyi.track_cli import KINDS, LEVELS, _events, _issue_items

        user = need(request, Right.TRACK)
        form = await request.form()
        ids = [x for x in str(form.get("ids", "")).replace("，", " ").split() if x]
        values: dict[str, Any] = {
            name: str(form.get(name, "")) for name in ("body", "leader", "text", "note")
        }
        values.update(kind=str(form.get("kind", "")), level=str(form.get("level", "")) or None,
                      day=str(form.get("date", "")) or None, principal=bool(form.get("principal")),
                      adoption=None, how="", handler="", document=None, by=user.name)  # fmt: skip
        if values["kind"] not in KINDS or (values["level"] and values["level"] not in LEVELS):
            raise InputError("事项或层级不对")

        def work() -> int:
            registry = desk.registry()
            chosen = list(ids)
            if form.get("issue"):  # the same rule as minyi track add --issue: issued only
                year, _, number = str(form.get("issue")).partition("-")
                chosen += _issue_items(registry, _int(number), _int(year))
            if not chosen:
                raise InputError("请写出稿件编号，或选择一期")
            events = _events(list(dict.fromkeys(chosen)), values, desk.acting(user))
            tracking.record(registry, events)
            return len(events)

        count = await run_in_threadpool(work)
        html = desk.env.get_template("_message.html").render(
            message=f"已记录 {count} 条“{values['kind']}”", error=False
        )
        return HTMLResponse(html)

    def _stats(year: int) -> dict[str, Any]:
        from followup.stats import Period

        figures = tracking.statistics(desk.registry(), desk.settings, Period.year(year))
        data = {
            "year": year, "sentence": figures.sentence(),
            "received": figures.received, "published": figures.published,
            "forwarded": figures.forwarded,
            "adopted": {level.value: n for level, n in figures.adopted.items()},
            "adoption_rate": figures.adoption_rate,
            "monthly": [list(m) for m in figures.monthly],
            "persons": [vars(r) for r in figures.persons[:20]],
            "units": [vars(r) for r in figures.units[:20]],
            "sectors": [vars(r) for r in figures.sectors],
            "parties": [vars(r) for r in figures.parties],
        }  # fmt: skip
        redacted: dict[str, Any] = desk.gate.redact_all(data)
        return redacted

    @app.get("/stats")
    def stats_page(request: Request, year: int | None = None) -> Response:
        need(request, Right.VIEW)
        data = _stats(year or dt.date.today().year)
        charts = {
            "monthly": {"months": [f"{int(m[0][5:])}月" for m in data["monthly"]],
                        "received": [m[1] for m in data["monthly"]],
                        "adopted": [m[2] for m in data["monthly"]]},
            "levels": [{"name": k + "政协采用", "value": v} for k, v in data["adopted"].items()],
            "units": {"names": [u["name"] for u in data["units"][:10]][::-1],
                      "points": [u["points"] for u in data["units"][:10]][::-1]},
        }  # fmt: skip
        return page(
            request, "stats.html", stats=data, charts=json.dumps(charts, ensure_ascii=False)
        )

    @app.get("/api/stats")
    def api_stats(request: Request, year: int | None = None) -> Response:
        need(request, Right.VIEW)
        return api(_stats(year or dt.date.today().year))

    @app.get("/stats/{year}/{kind}")
    def stats_file(request: Request, year: int, kind: str) -> Response:
        need(request, Right.VIEW)
        from minyi.desk.intake import stats_file as build

        if kind not in ("统计.xlsx", "通报.docx"):
            raise HTTPException(404, "没有这个文件")
        content = build(desk.registry(), desk.settings, desk.gate, year, kind)
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                 if kind.endswith(".xlsx") else
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")  # fmt: skip
        name = f"{year}年{kind}"
        return Response(content, media_type=media, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})  # fmt: skip

    @app.get("/users")
    def users_page(request: Request) -> Response:
        need(request, Right.USERS)
        rows = [{"name": u.name, "role": u.role, "disabled": u.disabled,
                 "created": progress.local_time(u.created_at)} for u in desk.registry().users()]  # fmt: skip
        return page(request, "users.html", rows=rows, roles=[r.value for r in Role])

    @app.post("/users")
    async def users_add(request: Request) -> Response:
        user = need(request, Right.USERS)
        form = await request.form()
        add_account(desk.registry(), str(form.get("name", "")), str(form.get("role", "")),
                    str(form.get("password", "")), user.name)  # fmt: skip
        return Response(status_code=204, headers={"HX-Redirect": "/users"})

    @app.post("/users/{name}/{action}")
    async def users_change(request: Request, name: str, action: str) -> Response:
        user = need(request, Right.USERS)
        form = await request.form()
        changes: dict[str, Any]
        if action == "disable":
            if name == user.name:
                raise InputError("不能停用自己")
            changes = {"disabled": True}
        elif action == "enable":
            changes = {"disabled": False}
        elif action == "passwd":
            changes = {"password": hash_password(str(form.get("password", "")))}
        else:
            raise HTTPException(404, "没有这个操作")
        change_account(desk.registry(), name, f"user.{action}", user.name, **changes)
        return Response(status_code=204, headers={"HX-Redirect": "/users"})

    def _allow(record: Record) -> Allowance:
        """A released item's own marks may show on its page (the clerk released them)."""
        from ingest.screening.policy import SECRET

        if record.status is Status.QUARANTINED:
            return Allowance()
        return Allowance.of(f.text for f in record.findings if f.category == SECRET)

    return app


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _set_cookie(response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")


def _local_target(target: str) -> str:
    """Where to go after signing in: a path of this desk only (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError(f"「{value}」不是数字") from None


def _decision_choices() -> list[tuple[str, str]]:
    return [(d.value, d.label) for d in (Decision.PROPOSED, Decision.RETURNED, Decision.DECLINED,
                                         Decision.VOID, Decision.PENDING)]  # fmt: skip


def _segments(text: str, record: Record) -> list[tuple[str, str]]:
    """The text cut where sensitive findings stand: (piece, category or '')."""
    spans = sorted((f.start, f.end, f.category) for f in record.findings
                   if f.kind == "sensitive" and f.start is not None and f.end is not None)  # fmt: skip
    out: list[tuple[str, str]] = []
    at = 0
    for start, end, category in spans:
        if start < at or end > len(text):
            continue
        out += [(text[at:start], ""), (text[start:end], category)]
        at = end
    out.append((text[at:], ""))
    return [(piece, category) for piece, category in out if piece]


def _audit_line(entry: dict[str, Any]) -> dict[str, Any]:
    from minyi.review_cli import ACTION_LABELS

    return {"at": progress.local_time(entry["at"]), "actor": entry["actor"],
            "action": ACTION_LABELS.get(entry["action"], entry["action"]),
            "reason": entry["reason"] or ""}  # fmt: skip


def _receipt_label(line: dict[str, Any]) -> str:
    """The 回执's verdict in words, from the report line's status and screening."""
    if line.get("status") == "rejected":
        return "拒收"
    if line.get("status") == "ignored":
        return "忽略（不是要处理的文件）"
    if any(d.get("kind") == "exact" for d in line.get("duplicates") or []):
        return "重复：与已收到的文件完全相同，未再登记"
    return {"accepted": "已接收", "flagged": "已接收（有提示，请审核时留意）",
            "quarantined": "已接收并隔离（含密级标志，须核实）"}.get(
        str(line.get("screening")), "已接收")  # fmt: skip


def iter_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route the desk answers (for the tests' enumeration)."""
    for route in app.routes:
        methods = getattr(route, "methods", None) or set()
        for method in sorted(methods - {"HEAD"}):
            yield method, str(getattr(route, "path", ""))


__all__ = ["create_app", "iter_routes"]
