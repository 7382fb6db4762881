"""A chapter's results table: one row per model, in the columns :func:`beside_published` reads."""

from __future__ import annotations

import pandas as pd

from .literature import CARROLL_VALENCE_ERROR, beside_published


class Results:
    """The models a chapter measured on one dataset, in the order it measured them.

    ``results.add("frozen body, linear head", "linear head", 0.43)`` records a test accuracy (a
    fraction; shown in %), and ``results.beside_published()`` shows the rows next to the papers'.
    """

    def __init__(self, measured_on: str):
        self.measured_on = measured_on
        self.rows: list[dict] = []

    def add(self, rung: str, method: str, accuracy: float) -> float:
        """Record ``method``'s test ``accuracy`` (a fraction) under ``rung``; returns ``accuracy``."""
        if not 0 <= accuracy <= 1:
            raise ValueError(f"{method}: accuracy {accuracy!r} must be a fraction between 0 and 1")
        row = {"rung": rung, "method": method, "accuracy": round(100 * accuracy, 1)}
        self.rows.append({**row, "measured on": self.measured_on})
        return accuracy

    def table(self) -> pd.DataFrame:
        """The recorded rows (columns rung, method, accuracy in %, measured on)."""
        return pd.DataFrame(self.rows, columns=["rung", "method", "accuracy", "measured on"])

    def beside_published(self, also: tuple[str, ...] = ()) -> pd.DataFrame:
        """The rows, each rung followed by the published numbers for it (see :func:`beside_published`)."""
        return ladder(self, also=also)


def ladder(*results: Results, also: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of several :class:`Results` (one per dataset), each rung followed by the published
    numbers for it, then the published rungs in ``also`` (see :func:`beside_published`)."""
    return beside_published(pd.concat([r.table() for r in results], ignore_index=True), also=tuple(also))


def accuracy_by_group(true, predictions: dict, groups: pd.Series) -> pd.DataFrame:
    """Test accuracy (%) of each model in ``predictions`` (name → predicted classes) within each
    group of images: one row per value of ``groups`` (aligned with ``true``), labelled with its size."""
    true, groups = pd.Series(true), pd.Series(groups).reset_index(drop=True)
    sizes = groups.value_counts(sort=False)
    rows = {
        f"{group} ({sizes[group]} images)": {
            name: round(100 * float((pd.Series(predicted)[groups == group] == true[groups == group]).mean()), 1)
            for name, predicted in predictions.items()
        }
        for group in sizes.index
    }
    return pd.DataFrame(rows).T


def styled(table: pd.DataFrame):
    """``table`` (from :func:`beside_published`) for display: this book's rows in bold, no index."""
    return (
        table.style.hide(axis="index")
        .format({"accuracy": "{:.1f}"})
        .apply(lambda row: ["font-weight: bold" if row["source"] == "this book" else ""] * len(row), axis=1)
    )


def valence_errors(true, predicted, classes: list[str]) -> pd.DataFrame:
    """Chapter 3's valence table: test images and error (%) per valence, beside the errors
    Carroll et al. measured on FI (7 % on positive, 20 % on negative images)."""
    from .metrics import per_class_tpr

    counts = pd.Series(true).map(dict(enumerate(classes))).value_counts()
    return pd.DataFrame(
        {
            "test images": counts,
            "error (%)": (100 * (1 - per_class_tpr(true, predicted, classes))).round(1),
            "Carroll et al. (%)": (100 * pd.Series(CARROLL_VALENCE_ERROR)).round(1),
        }
    )
