"""The built book as readers see it, in a real browser: Debian's Chromium driven by Playwright.

Serves ``_build/html`` on 127.0.0.1 and opens every page of ``_toc.yml``. Needs Chromium
(``apt-get install chromium``, or ``EMOCOURSE_CHROMIUM=/path/to/chrome``); without it these tests
are skipped and say so. Screenshots of every page land in ``_build/screenshots/``.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from test_pages import HTML, PAGES, ROOT

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install playwright"
)

CHROMIUM = os.environ.get("EMOCOURSE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip(
        "browser test skipped: no Chromium found (apt-get install chromium, or set EMOCOURSE_CHROMIUM)",
        allow_module_level=True,
    )

SCREENSHOTS = ROOT / "_build" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}  # the width the chapters' 88 columns are set for
PHONE = {"width": 390, "height": 844}
REPOSITORY = "emocourse/emocourse"


@pytest.fixture(scope="module")
def site():
    """The built book on a local HTTP server: its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _open(browser, site, page, viewport):
    """A loaded page, with the console errors and failed requests to the local server it produced.
    Requests to other hosts (CDNs, launch services) are blocked: the book must read offline."""
    tab = browser.new_page(viewport=viewport)
    problems = []
    tab.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())

    def on_console(message):  # a blocked request to another host logs net::ERR_FAILED: not the book's fault
        if message.type == "error" and "ERR_FAILED" not in message.text:
            problems.append(f"console: {message.text}")

    tab.on("console", on_console)
    tab.on("requestfailed", lambda r: r.url.startswith(site) and problems.append(f"request failed: {r.url}"))
    tab.on("response", lambda r: r.url.startswith(site) and r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    tab.goto(f"{site}/{page}.html", wait_until="load")
    return tab, problems


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly_with_described_images_and_unclipped_code(browser, site, page):
    tab, problems = _open(browser, site, page, DESKTOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{page.replace('/', '__')}.png"), full_page=True)
    assert not problems, f"{page}: " + "; ".join(problems)
    images = tab.eval_on_selector_all(
        "article img", "els => els.map(e => [e.getAttribute('src'), e.naturalWidth, e.getAttribute('alt') || ''])"
    )
    for src, width, alt in images:
        assert width > 0, f"{page}: image {src} did not load"
        assert alt.strip() and not re.search(r"\.(png|jpe?g|svg|gif)$", alt), (
            f"{page}: image {src} has no alternative text (give its cell mystnb.image.alt metadata)"
        )
    clipped = tab.eval_on_selector_all(  # code cells, what they print, and the pages' code blocks
        "article pre",
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''))",
    )
    assert not clipped, f"{page}: code scrolls sideways at {DESKTOP['width']} px; longest lines: {clipped}"
    tab.close()


@pytest.mark.parametrize("page", PAGES)
def test_prose_fits_a_phone(browser, site, page):
    tab, _ = _open(browser, site, page, PHONE)
    overflowing = tab.eval_on_selector_all(  # tables and code scroll inside their own boxes
        "article p, article li, article h1, article h2, article h3",
        f"els => els.filter(e => !e.closest('table') && e.getBoundingClientRect().right > {PHONE['width']} + 1)"
        ".map(e => e.innerText.slice(0, 60))",
    )
    assert not overflowing, f"{page}: prose runs past a {PHONE['width']}-px screen: {overflowing[:3]}"
    assert tab.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], f"{page} scrolls sideways"
    tab.close()


def _ids(path: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', path.read_text()))


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_and_anchors_resolve(page):
    path = HTML / f"{page}.html"
    broken = []
    for href in set(re.findall(r'<a [^>]*href="([^"]+)"', path.read_text())):
        url = urlparse(href)
        if url.scheme or href.startswith("mailto:"):
            continue
        target = (path.parent / unquote(url.path)).resolve() if url.path else path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(href)
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in _ids(target):
            broken.append(href)
    assert not broken, f"{page}: links that lead nowhere: {sorted(broken)}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("notebooks/")])
def test_launch_buttons_open_this_notebook(browser, site, page):
    tab, _ = _open(browser, site, page, DESKTOP)
    links = tab.eval_on_selector_all("a", "els => els.map(e => e.href)")
    notebook = f"{page}.ipynb"
    assert f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/{notebook}" in links
    assert any(
        link.startswith(f"https://mybinder.org/v2/gh/{REPOSITORY}/main") and notebook in unquote(link) for link in links
    ), f"{page}: no Binder link to {notebook}"
    tab.close()


def test_search_finds_valence(browser, site):
    tab, problems = _open(browser, site, "search", DESKTOP)
    tab.goto(f"{site}/search.html?q=valence", wait_until="load")
    tab.wait_for_selector("#search-results ul.search li", timeout=15_000)
    assert tab.locator("#search-results ul.search li").count() > 0
    assert not problems, "; ".join(problems)
    tab.close()


@pytest.mark.parametrize("model, viewport", [("faces", PHONE), ("affect", DESKTOP)])
def test_try_it_answers_in_the_browser_what_onnxruntime_answers(browser, site, model, viewport, tmp_path):
    """The Try it page: a photo of the model's input size (no resizing, so the pixels are the same
    in both) is read by the page's own model file in Chromium; its top class and every probability
    match onnxruntime in Python on that file, with no console error and no request outside the site."""
    import json
    import time

    import numpy as np
    import onnxruntime
    from PIL import Image
    from skimage.data import astronaut

    demo = HTML / "_static" / "demo" / model
    description = json.loads((demo / "model.json").read_text())
    _, _, side, _ = description["onnx"]["input"]["shape"]
    photo = Image.fromarray(astronaut())
    photo = photo.crop((161, 57, 278, 174)) if description["onnx"]["input"]["colour"] == "L" else photo
    photo = photo.convert(description["onnx"]["input"]["colour"]).resize((side, side))
    photo.save(tmp_path / "photo.png")
    pixels = np.asarray(photo, dtype=np.float32)
    pixels = pixels[None, None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)[None]
    expected = onnxruntime.InferenceSession(str(demo / "model.onnx")).run(None, {"pixels": pixels})[0][0]

    tab, problems = _open(browser, site, "book/try_it", viewport)
    elsewhere = []  # what the page asks for once it has a photo: only its own site's files
    tab.on("request", lambda r: r.url.startswith((site, "blob:", "data:")) or elsewhere.append(r.url))
    tab.select_option("#emocourse-demo-model", model)
    start = time.perf_counter()
    tab.set_input_files("#emocourse-demo-file", str(tmp_path / "photo.png"))
    tab.wait_for_selector("#emocourse-demo-result li", timeout=60_000)
    seconds = time.perf_counter() - start
    rows = tab.eval_on_selector_all(
        "#emocourse-demo-result li", "els => els.map(e => [e.dataset.class, +e.dataset.probability, e.innerText])"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"try_it-{model}-{viewport['width']}px.png"), full_page=True)
    print(f"Try it, {model} model at {viewport['width']} px: the answer {seconds:.1f} s after the photo")
    classes = description["classes"]
    assert [c for c, _, _ in rows] == sorted(classes, key=lambda c: -expected[classes.index(c)])
    assert all(abs(p - expected[classes.index(c)]) < 1e-3 for c, p, _ in rows)
    assert all(re.fullmatch(rf"{re.escape(c)}\s+{100 * p:.1f} %", text.strip()) for c, p, text in rows)
    assert not problems and not elsewhere, "; ".join(problems + elsewhere)
    assert tab.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    tab.close()
