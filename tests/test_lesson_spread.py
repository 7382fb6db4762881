"""tools/lesson_spread.py: the summary of claims measured across seeds and thread counts."""

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lesson_spread", ROOT / "tools" / "lesson_spread.py")
lesson_spread = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lesson_spread)


def test_summary_counts_the_runs_each_claim_held_in():
    claims = pd.DataFrame(
        [
            {"chapter": "06_faces", "check": 0, "claim": "a < b", "seed": s, "threads": t, "holds": h, "measured": m}
            for s, t, h, m in [(0, 1, True, "1 < 2"), (1, 1, False, "3 < 2"), (0, 2, True, "1 < 3")]
        ]
    )
    summary = lesson_spread.summarise(claims)
    assert "| 06_faces | a < b | 2 of 3 | 0/1: 1 < 2<br>1/1: 3 < 2<br>0/2: 1 < 3 |" in summary


def test_chapters_with_and_without_a_seed():
    assert lesson_spread._takes_seed(ROOT / "notebooks" / "06_faces.ipynb")
    assert not lesson_spread._takes_seed(ROOT / "notebooks" / "00_first_look.ipynb")
