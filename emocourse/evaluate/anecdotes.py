"""What the papers saw in a handful of errors, beside what chapter 5 measures over a whole test set.

The papers' anecdotes are written here once; the chapter's introduction quotes the same ones.
Book: chapter 5, *Error analysis*, §Their anecdotes beside our measurements.
"""

from __future__ import annotations

import pandas as pd

ANECDOTES = pd.DataFrame(
    [
        (
            "black-and-white images called sadness",
            "11 of 16 anger → sadness errors were black-and-white",
            "Sreenivas & Zhao",
        ),
        ("red close-ups called anger", "3 sadness → anger errors were close-ups in warm red tones", "Sreenivas & Zhao"),
        (
            "errors are the raters' doubts",
            "11 of the same 16 anger → sadness errors had a non-unanimous vote",
            "Sreenivas & Zhao",
        ),
        ("fear is called sadness", "fear's most frequent confusion", "Carroll et al."),
    ],
    columns=["finding", "what they saw", "source"],
)


def _points(row: pd.Series | None, towards: str, interval: bool = True) -> str:
    if row is None:
        return "—"
    shown = f"{100 * row['shift']:+.1f} points to {towards}"
    return shown + (f" ({100 * row['low']:+.1f} to {100 * row['high']:+.1f})" if interval else "")


def beside_anecdotes(
    grey: pd.Series | None = None,
    red: pd.Series | None = None,
    doubted: tuple[float, float] | None = None,
    fear_called: list[str] | None = None,
) -> pd.DataFrame:
    """:data:`ANECDOTES` with a column of what we measured: the ``grey`` and ``red`` probes' rows
    (:func:`emocourse.evaluate.probes.probe_table`), ``doubted`` (the share of the errors with a
    non-unanimous vote, and of all test images) and ``fear_called`` (what fear is called, most often
    first); "—" where this dataset could not measure it."""
    measured = [
        "grey probe: " + _points(grey, "sadness + fear") if grey is not None else "—",
        "red probe: " + _points(red, "anger", interval=False) if red is not None else "—",
        f"{doubted[0]:.0%} of our errors had one ({doubted[1]:.0%} of all test images)" if doubted else "—",
        f"fear → {fear_called[0]}" if fear_called else "—",
    ]
    return ANECDOTES.assign(**{"what we measured": measured})
