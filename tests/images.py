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


EMOTION6 = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
#: Colour of each keyword's photos and the raters' mean (valence, arousal) for each emotion felt.
_EMOTION6_COLOURS = {
    "anger": (190, 40, 40),
    "disgust": (110, 130, 40),
    "fear": (50, 40, 90),
    "joy": (240, 200, 70),
    "sadness": (50, 100, 170),
    "surprise": (60, 180, 190),
}
_EMOTION6_MOODS = {
    "anger": (3.0, 6.5),
    "disgust": (3.2, 5.5),
    "fear": (3.0, 6.8),
    "joy": (7.2, 5.8),
    "sadness": (2.6, 4.0),
    "surprise": (5.6, 6.6),
    "neutral": (5.0, 3.0),
}
_EMOTION6_NEIGHBOURS = {
    "anger": "disgust",
    "disgust": "anger",
    "fear": "sadness",
    "sadness": "fear",
    "joy": "surprise",
    "surprise": "joy",
}


def write_emotion6(out: Path, per_class: int = 10, seed: int = 0) -> Path:
    """An Emotion6 release in the real layout: ``images/<keyword>/<n>.jpg`` (32×32, coloured by keyword)
    and ``ground_truth.txt`` (header, tab-separated rows, shares of 15 raters printed as the release does:
    ``0.0666667``). Of each keyword's photos, ``n % 5 == 2`` are mostly felt as neutral, ``n % 5 == 4`` as a
    neighbouring emotion (anger ↔ disgust, fear ↔ sadness, joy ↔ surprise), the others as the keyword;
    ``surprise/1.jpg`` is the one exact tie (6 votes surprise, 6 joy). Valence and arousal follow the
    emotion felt. The same seed writes the same bytes."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    fields = ("image_filename", "valence", "arousal", *(f"prob. {e}" for e in EMOTION6))
    lines = ["\t".join(f"[{f}]" for f in fields)]
    for keyword, colour in _EMOTION6_COLOURS.items():
        for n in range(1, per_class + 1):
            felt = {2: "neutral", 4: _EMOTION6_NEIGHBOURS[keyword]}.get(n % 5, keyword)
            votes = dict.fromkeys(EMOTION6, 0)
            if (keyword, n) == ("surprise", 1):
                votes.update(surprise=6, joy=6, neutral=3)
            else:
                votes[felt] = int(rng.integers(8, 12))  # the rest, at most 7, cannot tie it
                others = [e for e in EMOTION6 if e != felt]
                weights = np.array([3.0 if e == keyword else 1.0 for e in others])
                for e, count in zip(others, rng.multinomial(15 - votes[felt], weights / weights.sum())):
                    votes[e] = int(count)
            mood = np.clip(np.array(_EMOTION6_MOODS[felt]) + rng.normal(0, 0.4, 2), 1, 9).round(1)
            shares = [f"{votes[e] / 15:g}" for e in EMOTION6]
            lines.append("\t".join([f"{keyword}/{n}.jpg", *(f"{v:g}" for v in mood), *shares]))
            pixels = np.clip(np.array(colour) + rng.normal(0, 25, (32, 32, 3)), 0, 255).astype(np.uint8)
            (out / "images" / keyword).mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(out / "images" / keyword / f"{n}.jpg", quality=90)
    (out / "ground_truth.txt").write_text("\n".join(lines) + "\n")
    return out
