"""The book's configuration: offline Jupyter Book 1, cached execution, launch buttons, citations."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_notebooks_execute_at_build_with_cache_and_a_training_sized_timeout():
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert CONFIG["execute"]["timeout"] >= 600
    assert CONFIG["execute"]["allow_errors"] is False


def test_launch_buttons_and_repository_link():
    assert CONFIG["launch_buttons"]["colab_url"].startswith("https://colab.research.google.com")
    assert CONFIG["launch_buttons"]["binderhub_url"].startswith("https://")
    assert CONFIG["html"]["use_repository_button"] is True


def test_build_gate_fails_on_warnings():
    recipe = (ROOT / "Makefile").read_text()
    assert re.search(r"jupyter-book build \. --all -W", recipe)
    assert re.search(r"^test: .*\bbook pages\b", recipe, flags=re.M)  # then the built pages are checked
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_bibliography_has_the_books_sources():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text()))
    required = {
        "you2016building",
        "carrollLearningToFeel",
        "kowalskiPictureWorth",
        "sreenivasPredicting",
        "amin2017touchy",
        "goodfellow2013challenges",
        "barsoum2016training",
        "yang2023emoset",
        "howard2020fastai",
        "wightman2019timm",
        "tan2019efficientnet",
        "valdez1994effects",
    }
    assert required <= keys
    cited = set()
    for page in [*ROOT.glob("book/*.md"), *ROOT.glob("notebooks/*.ipynb")]:
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page.read_text()):
            cited.update(k.strip() for k in group.split(","))
    assert cited and cited <= keys, f"cited but not in references.bib: {cited - keys}"
