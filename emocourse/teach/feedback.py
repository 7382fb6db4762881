"""A student's feedback page: the points per exercise, what happened, and the student's own answer
cells with what they printed. It never shows the reference answer."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..fileio import atomic_write

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .8rem; text-align: left; vertical-align: top; }
.correct { color: #1a7f37; } .wrong, .error, .missing, .timeout, .memory, .crashed, .invalid { color: #b42318; }
pre { background: #f6f8fa; padding: .6rem; white-space: pre-wrap; font-size: .85rem; }
"""


def write_feedback(path: Path, chapter: str, student, rows: list[dict], run) -> None:
    """Write the page for ``student`` (id, parameters) from its grade ``rows`` and its ``run``."""
    total, most = sum(row["points"] for row in rows), sum(row["max_points"] for row in rows)
    parameters = ", ".join(f"{escape(name)} = {escape(repr(value))}" for name, value in student.parameters.items())
    lines = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(chapter)}: feedback for {escape(student.id)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(chapter)}</h1>",
        f"<p>Feedback for <strong>{escape(student.id)}</strong>, graded with your parameters: {parameters}.</p>",
        f"<p><strong>{total:g} of {most:g} points.</strong></p>",
        "<table><tr><th>exercise</th><th>points</th><th>result</th><th>why</th></tr>",
    ]
    for row in rows:
        lines.append(
            f"<tr><td>{escape(row['exercise'])}</td><td>{row['points']:g} / {row['max_points']:g}</td>"
            f'<td class="{escape(row["status"])}">{escape(row["status"])}</td><td>{escape(row["message"])}</td></tr>'
        )
    lines.append("</table>")
    for grade_id, cells in run.exercise_cells().items():
        lines.append(f"<h2>Your answer to {escape(grade_id)}</h2>")
        for cell in cells:
            lines.append(f"<pre><code>{escape(_text(cell['source']))}</code></pre>")
            printed = "".join(_output_text(output) for output in cell.get("outputs", []))
            if printed.strip():
                lines.append(f"<p>It printed:</p><pre>{escape(printed)}</pre>")
    lines.append("</body></html>")
    with atomic_write(path) as f:
        f.write("\n".join(lines).encode())


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return _text(output.get("text", ""))
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}\n"
    return _text(output.get("data", {}).get("text/plain", "")) + "\n"
