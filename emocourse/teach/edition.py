"""The student edition of a chapter: every cell tagged ``solution`` becomes an empty cell with a short
prompt; the prose, figures' code and lesson checks stay as they are."""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..fileio import atomic_write

PROMPT = "# Your solution to the exercise above.\n"


def student_edition(chapter: Path) -> nbformat.NotebookNode:
    """``chapter`` with its solutions replaced by answer cells (tagged ``answer``)."""
    nb = nbformat.read(chapter, as_version=4)
    solutions = [i for i, cell in enumerate(nb.cells) if "solution" in cell.metadata.get("tags", [])]
    if not solutions:
        raise ValueError(f"{chapter}: no cell is tagged 'solution', so there is nothing to take out")
    for i in solutions:
        nb.cells[i] = nbformat.v4.new_code_cell(PROMPT, metadata={"tags": ["answer"]})
    return nb


def write_student_editions(chapters: list[Path], out: Path) -> list[Path]:
    """Write each chapter's student edition into ``out`` under the chapter's file name."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters:
        path = out / chapter.name
        with atomic_write(path) as f:
            f.write(nbformat.writes(student_edition(chapter)).encode())
        written.append(path)
    return written
