"""The desk's main flows in a real browser: Debian's Chromium driven by Playwright for Python
(``executable_path``: no browser is ever downloaded). Each page is photographed into the
test's folder, and the assertions are on what is visible."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import UNDER_CI, minyi
from desk_server import TOML, USERS, Desk, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if UNDER_CI:
            pytest.fail("Debian's chromium is installed under CI (scripts/setup.sh)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """The demo's samples (a Word file, a text PDF, a text file) registered, users added."""
    minyi(tmp_path, "sample", "inbox")
    (tmp_path / "minyi.toml").write_text(TOML, encoding="utf-8")
    minyi(tmp_path, "process", "inbox", code=3)  # (the samples include a broken file)
    for role, (name, password) in USERS.items():
        minyi(tmp_path, "user", "add", name, "--role", role, "--password-stdin",
              input=password + "\n")  # fmt: skip
    with serving(tmp_path) as running:
        yield running


def test_log_in_find_decide_compose_sign_render_and_download(browser, desk: Desk,
                                                             tmp_path: Path) -> None:  # fmt: skip
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                                  locale="zh-CN")  # fmt: skip
    page = context.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message) if d.type == "alert" else None,
                                 d.accept()))  # fmt: skip
    shots = tmp_path / "shots"
    shots.mkdir()

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    # Not signed in: any page leads to the login page.
    page.goto(desk.url + "/queue")
    assert page.url.startswith(desk.url + "/login")
    name, password = USERS["签发"]
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不对")
    page.get_by_label("密码").fill(password)
    shot("1-login")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/queue")
    rows = page.locator("tr.row")
    assert rows.count() == 3
    assert "待审核 3" in page.locator("nav.tabs").inner_text().replace("\n", " ")
    assert page.locator(".who").inner_text() == f"{name}（签发）"
    shot("2-queue")

    # Search: the rows narrow as the clerk types; the hit is marked in the snippet.
    page.locator("#q").fill("交通")
    expect(rows).to_have_count(1)
    assert "学校周边" in rows.first.inner_text()
    assert page.locator("td.snippet mark").first.inner_text() == "交通"
    shot("3-search")

    # The keyboard: J selects the row, Enter opens it; the original beside the text.
    page.keyboard.press("Escape")  # out of the search box
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/*")
    picture = page.locator("section.original img").first
    picture.wait_for()
    expect(picture).to_be_visible()
    for _ in range(100):  # the page picture is drawn on first request (then cached)
        if picture.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert picture.evaluate("img => img.naturalWidth") > 300
    text = page.locator("#fulltext")
    assert "学校" in text.inner_text()
    left, right = picture.bounding_box(), text.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"] + 1  # side by side
    assert left["y"] < 768 and right["y"] < 768  # both in the first screen
    shot("4-item")
    page.keyboard.press("1")  # 1: 拟采用
    expect(page.locator("#current-decision")).to_have_text("拟采用")
    shot("5-decided")

    # The other two, from the queue's first tab.
    for _ in range(2):
        page.goto(desk.url + "/queue")
        page.locator("tr.row a").first.click()
        page.wait_for_url("**/items/*")
        page.get_by_role("button", name="1 拟采用").click()
        expect(page.locator("#current-decision")).to_have_text("拟采用")
    page.goto(desk.url + "/queue")
    assert page.locator("tr.row").count() == 0 and "没有符合条件" in page.inner_text("main")

    # Compose an issue of the three, reorder, sign and render it.
    page.goto(desk.url + "/issues")
    boxes = page.locator("form#compose input[type=checkbox]")
    assert boxes.count() == 3
    for i in range(3):
        boxes.nth(i).check()
    page.get_by_role("button", name="编入新的一期").click()
    page.wait_for_url("**/issues/*/1")
    titles = page.locator("li.issue-item strong")
    first = titles.nth(0).inner_text()
    page.get_by_role("button", name="下移").first.click()
    expect(titles.nth(1)).to_have_text(first)
    # The signer sees what will print: the preview holds the three titles, in the new order.
    preview = page.frame_locator("iframe.preview")
    expect(preview.locator("body")).to_contain_text(first)
    printed_order = preview.locator("body").inner_text()
    assert printed_order.index(titles.nth(0).inner_text()[:8]) < printed_order.index(first[:8])
    shot("6-issue")
    page.locator("#sign").click()  # (the confirmation is accepted)
    expect(page.locator("#issue-state")).to_have_text("已签发", timeout=30_000)
    page.locator("#render").click()
    page.locator("p.files a").first.wait_for(timeout=240_000)
    assert page.locator("#issue-state").inner_text() == "已印发"
    shot("7-issued")
    expect(page.frame_locator("iframe.preview").locator("body")).to_contain_text(first)
    issue_url = page.url
    pdf_link = page.locator("p.files a", has_text=".pdf").first
    with page.expect_download() as caught:
        pdf_link.click()
    saved = tmp_path / "issue.pdf"
    caught.value.save_as(saved)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(saved))
    printed = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    printed = printed.replace("\r\n", "").replace(" ", "")
    for i in range(3):
        assert titles.nth(i).inner_text().replace(" ", "")[:10] in printed

    # Figures: the charts are drawn.
    page.goto(desk.url + "/stats")
    page.wait_for_selector(".chart[data-drawn] canvas")
    assert "共收到社情民意信息3篇" in page.locator("#sentence").inner_text()
    shot("8-stats")

    # Upload: a file chosen in the page comes back with its 回执.
    from minyi import samples

    upload = tmp_path / "新稿.docx"
    samples.make_docx(upload, ["关于加强城区停车管理的建议", "反映人：县政协委员 周明",
                               "城区停车位不足，占道停车严重。建议建设立体停车场，完善收费办法。"])  # fmt: skip
    page.goto(desk.url + "/upload")
    page.locator("#file-input").set_input_files(str(upload))
    receipt = page.locator("article.receipt h3")
    receipt.wait_for(timeout=120_000)
    assert "新稿.docx" in receipt.inner_text()
    assert "已接收" in page.locator("article.receipt").inner_text()
    shot("9-upload")
    assert alerts == []  # nothing on any page ran a script of its own
    page.goto(issue_url + "/preview")  # (a sandboxed frame is not in a page's screenshot)
    page.screenshot(path=str(shots / "7b-preview.png"))
    if os.environ.get("DESK_SHOTS_DIR"):  # the README's picture: DESK_SHOTS_DIR=docs
        target = Path(os.environ["DESK_SHOTS_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shots / "4-item.png", target / "desk-item.png")
        shutil.copy(shots / "2-queue.png", target / "desk-queue.png")
        shutil.copy(shots / "7b-preview.png", target / "desk-preview.png")
    context.close()
