"""The built book shows readers only what its chapters mean to show: no tracebacks, no stray stderr.

Runs after `make book` (``make pages``); the `-W` gate of the build does not see stderr output.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [ch["file"] for part in TOC["parts"] for ch in part["chapters"]]

#: Pages that mean to show stderr output, and how many blocks of it (none do today).
ALLOWED_STDERR: dict[str, int] = {}


def test_the_book_was_built():
    assert (HTML / "index.html").is_file(), "run `make book` first"


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_no_traceback_and_no_stray_stderr(page):
    path = HTML / f"{page}.html"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make book`")
    html = path.read_text()
    assert "Traceback (most recent call last)" not in html and not re.search(r'class="[^"]*\btraceback\b', html)
    blocks = re.findall(r'<div class="[^"]*\bstderr\b[^"]*">(.*?)</div>', html, flags=re.S)
    shown = "\n---\n".join(re.sub(r"<[^>]+>", "", b)[:300] for b in blocks)
    assert len(blocks) == ALLOWED_STDERR.get(page, 0), f"{page} shows stderr output:\n{shown}"


@pytest.mark.parametrize("page", PAGES)
def test_citations_never_read_no_date(page):
    html = (HTML / f"{page}.html").read_text()
    assert not re.search(r"\bn\.d\.", html)
