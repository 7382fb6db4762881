"""A student's feedback page: the points per exercise, what happened, and the student's own answer
cells with what they printed. It never shows the reference answer, and it stays under
:data:`MAX_PAGE_BYTES` whatever the notebook printed: each text is cut to :data:`MAX_LINES` lines."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..fileio import atomic_write

#: what a page may weigh; answer cells past it are counted, not shown
MAX_PAGE_BYTES = 1_000_000
#: lines (of at most :data:`MAX_LINE_CHARS` characters) shown of one cell's source or of what it printed
MAX_LINES, MAX_LINE_CHARS = 200, 200

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
    size, hidden = sum(len(line.encode()) for line in lines), 0
    for grade_id, cells in run.exercise_cells().items():
        for n, cell in enumerate(cells):
            shown = [f"<h2>Your answer to {escape(grade_id)}</h2>"] if n == 0 else []
            shown.append(f"<pre><code>{escape(clipped(_text(cell['source'])))}</code></pre>")
            printed = "".join(_output_text(output) for output in cell.get("outputs", []))
            if printed.strip():
                shown.append(f"<p>It printed:</p><pre>{escape(clipped(printed))}</pre>")
            size += sum(len(line.encode()) for line in shown)
            if hidden or size > MAX_PAGE_BYTES - 10_000:
                hidden += 1
                continue
            lines += shown
    if hidden:
        lines.append(f"<p>… {hidden:,} more answer cells not shown (a page keeps under {MAX_PAGE_BYTES:,} bytes).</p>")
    lines.append("</body></html>")
    with atomic_write(path) as f:
        f.write("\n".join(lines).encode())


def clipped(text: str) -> str:
    """``text`` cut to :data:`MAX_LINES` lines of at most :data:`MAX_LINE_CHARS` characters, with a
    last line saying how many lines were cut or shortened."""
    lines = text.splitlines()
    kept = [line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …" for line in lines[:MAX_LINES]]
    cut, shortened = len(lines) - len(kept), sum(len(line) > MAX_LINE_CHARS for line in lines[:MAX_LINES])
    if not (cut or shortened):
        return "\n".join(kept)
    return "\n".join([*kept, f"… {cut:,} lines cut, {shortened:,} shortened to {MAX_LINE_CHARS} characters"])


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return _text(output.get("text", ""))
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}\n"
    return _text(output.get("data", {}).get("text/plain", "")) + "\n"
