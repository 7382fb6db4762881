"""Builders for test images in the awkward formats real releases contain."""

import io
from pathlib import Path

import numpy as np
from PIL import Image


def photo(path: Path, seed: int = 0, size: int = 48, mode: str = "RGB", **save) -> Path:
    """A small random picture saved at ``path`` (format from the suffix)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).convert(mode).save(path, **save)
    return path


def corrupt_jpeg(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    return path


def truncated_png(path: Path) -> Path:
    data = photo(path, seed=3).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def sixteen_bit_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ramp = (np.arange(48 * 48, dtype=np.uint16).reshape(48, 48) * 20).astype(np.uint16)
    Image.fromarray(ramp).save(path)
    return path


def exif_rotated_jpeg(path: Path) -> Path:
    """A 40×20 picture whose EXIF says 'rotate 90°' (orientation 6): upright it is 20×40."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, exif=exif)
    return path


def decompression_bomb(path: Path, side: int = 10_000) -> Path:
    """A tiny PNG file that decodes to ``side``² pixels (100 megapixels by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def write_ferplus_folders(csv_folder: Path, out_folder: Path) -> Path:
    """Convert ``fer2013.csv`` + ``fer2013new.csv`` in ``csv_folder`` into FER+'s folder layout, as FER+'s
    ``generate_training_data.py`` does: one 48×48 grey PNG per row with an ``Image name``
    (``fer%07d.png``, the row number in the whole CSV) in ``FER2013Train/``, ``FER2013Valid/`` or
    ``FER2013Test/`` by ``Usage``, and a headerless ``label.csv`` there: name, face box, ten votes."""
    import csv

    import pandas as pd

    folders = {"Training": "FER2013Train", "PublicTest": "FER2013Valid", "PrivateTest": "FER2013Test"}
    fer = pd.read_csv(Path(csv_folder) / "fer2013.csv", dtype=str, keep_default_na=False)
    votes = pd.read_csv(Path(csv_folder) / "fer2013new.csv", dtype=str, keep_default_na=False)
    for folder in folders.values():
        (Path(out_folder) / folder).mkdir(parents=True, exist_ok=True)
    labels = {}  # like the script: a label.csv only where some face went
    for (_, face), (_, row) in zip(fer.iterrows(), votes.iterrows()):
        name = row["Image name"].strip()
        if name:
            folder = Path(out_folder) / folders[face["Usage"]]
            pixels = np.array(face["pixels"].split(), dtype=np.uint8).reshape(48, 48)
            Image.fromarray(pixels).save(folder / name)
            labels.setdefault(folder, []).append([name, "(0, 0, 48, 48)", *row.iloc[2:]])
    for folder, rows in labels.items():
        with open(folder / "label.csv", "w", newline="") as f:
            csv.writer(f).writerows(rows)
    return Path(out_folder)
