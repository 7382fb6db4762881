"""The student edition of a chapter: every cell tagged ``solution`` becomes an answer cell with a
short prompt (naming the variable to assign, for a gradable exercise; a markdown cell to write in,
for a prediction or an explanation); the prose, the figures' code and the lesson checks stay as
they are."""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..fileio import atomic_write

PROMPT = "# Your solution to the exercise above.\n"
GRADED_PROMPT = "# Your solution to the exercise above: assign your answer to `{answer}`.\n"
WRITTEN_PROMPT = {
    "predict": "*Your prediction, written before you run the next cell:* …",
    "explain": "*Your answer, in a few sentences:* …",
}
_SHOWN = ("kind", "grade_id", "answer", "points")  # what the student may see of an exercise's metadata


def student_edition(chapter: Path) -> nbformat.NotebookNode:
    """``chapter`` with its solutions replaced by answer cells (tagged ``answer``, same cell ids)."""
    nb = nbformat.read(chapter, as_version=4)
    solutions = [i for i, cell in enumerate(nb.cells) if "solution" in cell.metadata.get("tags", [])]
    if not solutions:
        raise ValueError(f"{chapter}: no cell is tagged 'solution', so there is nothing to take out")
    for i in solutions:
        exercise = {k: v for k, v in nb.cells[i].metadata.get("emocourse", {}).items() if k in _SHOWN}
        metadata = {"tags": ["answer"], **({"emocourse": exercise} if exercise else {})}
        same_id = {"id": nb.cells[i].id} if "id" in nb.cells[i] else {}
        if nb.cells[i].cell_type == "markdown":
            prompt = WRITTEN_PROMPT.get(exercise.get("kind"), WRITTEN_PROMPT["explain"])
            nb.cells[i] = nbformat.v4.new_markdown_cell(prompt, metadata=metadata, **same_id)
        else:
            prompt = GRADED_PROMPT.format(**exercise) if "answer" in exercise else PROMPT
            nb.cells[i] = nbformat.v4.new_code_cell(prompt, metadata=metadata, **same_id)
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
