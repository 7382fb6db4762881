"""Putting images into a dataset folder: checked, repaired where possible, written atomically."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path, PurePosixPath

from PIL import Image

from ..fileio import atomic_write
from .images import ImageProblem, read_image
from .report import ImportReport


def save_png(image: Image.Image, path: Path) -> None:
    """Write ``image`` as PNG, atomically (same pixels, same bytes)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    with atomic_write(path) as f:
        f.write(buffer.getvalue())


def copy_file(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` when both are on one file system, else copy; atomically."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.link")
    try:
        tmp.unlink(missing_ok=True)
        os.link(src, tmp)
        os.replace(tmp, dst)
        return
    except OSError:
        tmp.unlink(missing_ok=True)
    with open(src, "rb") as source, atomic_write(dst) as target:
        shutil.copyfileobj(source, target)


def place_image(
    src: Path, root: Path, rel: str, report: ImportReport, mode: str = "RGB", where: str | None = None
) -> str | None:
    """Check ``src`` and put it at ``root/rel``; return the relative path used, or ``None``.

    A readable, plain image is linked or copied unchanged. One that needed a repair (EXIF
    rotation, CMYK, palette, 16-bit) is written as a normalised PNG and reported as fixed. An
    unreadable one (corrupt, truncated, too large) is reported as skipped. ``where`` names the
    file in the report (default: its path).
    """
    where = where or str(src)
    fixes: list[str] = []
    try:
        image = read_image(src, mode, fixes)
    except ImageProblem as err:
        report.skip(where, str(err).removeprefix(f"{src}: "))
        return None
    if fixes:
        rel = str(PurePosixPath(rel).with_suffix(".png"))
        save_png(image, root / rel)
        report.fix(where, "; ".join(fixes))
    else:
        copy_file(src, root / rel)
    return rel
