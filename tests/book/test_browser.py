"""A real browser opens every page of the rendered book, offline.

Playwright drives Debian's Chromium (/usr/bin/chromium) against _build/html served on 127.0.0.1.
Every page must load without console errors and without any request leaving localhost; figures must
load, math must be typeset by the bundled MathJax, glued numbers must show, and exercise solutions
must stay hidden until their toggle is clicked.

Without Chromium the test skips loudly, unless REQUIRE_BROWSER=1 (as in CI), where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import EXECUTED
from html_pages import glued_values, pages

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _require_browser():
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}: the real-browser test of the book did NOT run"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (REQUIRE_BROWSER=1)")
    print("\n" + "!" * 80 + "\n" + message + "\n" + "!" * 80)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _new_page(browser):
    """A page that records console errors and requests that tried to leave localhost (those are aborted)."""
    page = browser.new_context().new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        host = urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page, errors, outside


def _goto(page, url):
    page.goto(url, wait_until="load")
    # the page's main content is there (a redirect page, the root index, is followed to its target) and that
    # document has loaded: its scripts ran and its images are in; MathJax is awaited where a test needs it
    page.wait_for_selector("main", state="attached")
    page.wait_for_load_state("load")


def _open(browser, url):
    """Open url in a fresh page; return (page, console errors, requests that tried to leave localhost)."""
    page, errors, outside = _new_page(browser)
    _goto(page, url)
    return page, errors, outside


def test_every_page_loads_offline_with_figures_and_math(browser, server, html_dir):
    # one tab visits every page, as a reader clicking through does (a fresh tab per page costs Chromium a new
    # renderer process each time: three times the CPU); what a page logs is reset before the next one loads
    page, errors, outside = _new_page(browser)
    failures = []
    for path in pages(html_dir):
        rel = path.relative_to(html_dir).as_posix()
        errors.clear()
        outside.clear()
        _goto(page, f"{server}/{rel}")
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        if broken:
            failures.append(f"{rel}: images not loaded {broken[:3]}")
        if page.locator(".math").count():
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
            page.evaluate("() => MathJax.startup.promise")
            typeset = page.locator("mjx-container").count()
            if typeset == 0:
                failures.append(f"{rel}: math present but not typeset by MathJax")
        if errors:
            failures.append(f"{rel}: console errors {errors[:3]}")
        if outside:
            failures.append(f"{rel}: requests leaving localhost {outside[:3]}")
    page.context.close()
    assert not failures, "\n".join(failures)


def test_figures_and_glued_numbers_show_in_the_real_data_chapter(browser, server):
    page, errors, _ = _open(browser, f"{server}/notebooks/did_real_data.html")
    assert page.locator("img").count() >= 2
    text = page.inner_text("main")
    expected = glued_values(EXECUTED / "did_real_data.ipynb")
    assert expected, "the chapter glues its numbers"
    missing = [(k, v) for k, v in expected if v not in text]
    assert not missing, f"glued numbers not visible: {missing[:5]}"
    page.context.close()


def test_exercise_solution_hidden_until_toggle_clicked(browser, server):
    page, _, _ = _open(browser, f"{server}/notebooks/did_real_data.html")
    solution = page.locator("div.solution").first
    body = solution.locator("section").first
    assert solution.count() == 1 and not body.is_visible(), "solution should start hidden"
    solution.locator(".admonition-title").first.click()
    body.wait_for(state="visible", timeout=5000)
    assert body.is_visible()
    page.context.close()


def test_chinese_edition_shows_cjk_text_chinese_figures_and_links_to_its_twin(browser, server):
    page, errors, outside = _open(browser, f"{server}/zh/notebooks/did_real_data.html")
    assert not errors and not outside, (errors[:3], outside[:3])
    assert page.evaluate("() => document.documentElement.lang").startswith("zh")
    text = page.inner_text("main")
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 500, "the chapter's prose is in Chinese"
    loaded = page.evaluate(
        "async () => { await document.fonts.ready;"
        " return (await document.fonts.load('16px \"Book CJK SC\"', '双重差分')).length; }"
    )
    assert loaded > 0, "the bundled CJK web font is used for the Chinese text"
    images = page.evaluate("() => Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert len(images) >= 2 and all(images), "the Chinese figures load"
    page.click("a.edition-link")
    page.wait_for_load_state("load")
    assert page.url.endswith("/notebooks/did_real_data.html") and "/zh/" not in page.url
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.click("a.edition-link")
    page.wait_for_load_state("load")
    assert page.url.endswith("/zh/notebooks/did_real_data.html")
    page.context.close()
