"""What an import kept, fixed and skipped, by file or row: nothing is dropped silently."""

from __future__ import annotations

import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..fileio import atomic_write


@dataclass
class ImportReport:
    """Problems met while importing a dataset, one entry per file or row."""

    source: str
    kept: int = 0
    entries: list[dict] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        """Record an item that was left out, and why."""
        self.entries.append({"where": where, "action": "skipped", "reason": reason})

    def fix(self, where: str, reason: str) -> None:
        """Record an item that was kept after a repair (rotation, colour mode, bit depth)."""
        self.entries.append({"where": where, "action": "fixed", "reason": reason})

    @property
    def skipped(self) -> int:
        return sum(e["action"] == "skipped" for e in self.entries)

    def summary(self) -> str:
        """A few lines for the terminal: totals, then the commonest reasons."""
        reasons = Counter((e["action"], e["reason"].split(" (")[0]) for e in self.entries)
        lines = [f"{self.source}: kept {self.kept}, skipped {self.skipped}, fixed {len(self.entries) - self.skipped}"]
        lines += [f"  {n:6d} {action}: {reason}" for (action, reason), n in reasons.most_common(8)]
        return "\n".join(lines)

    def write(self, path: str | os.PathLike) -> Path:
        """Save every entry as CSV (``where,action,reason``)."""
        buffer = io.StringIO()
        pd.DataFrame(self.entries, columns=["where", "action", "reason"]).to_csv(buffer, index=False)
        with atomic_write(path) as f:
            f.write(buffer.getvalue().encode())
        return Path(path)


@dataclass
class NotedReport(ImportReport):
    """An import report whose summary ends with notes on the release as a whole."""

    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join([super().summary(), *(f"  note: {note}" for note in self.notes)])
