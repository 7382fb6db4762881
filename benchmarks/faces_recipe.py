"""Candidates for the faces recipe (``emocourse train --recipe faces``) on a FER2013-sized stand-in, side
by side in one run: training images/s, validation accuracy after each epoch, minutes, and test accuracy
with flip test-time augmentation and with flip plus shifted copies.

Run: .venv/bin/python benchmarks/faces_recipe.py [--data DIR] [--faces 35887] [--only NAME ...]
35,887 faces split 80/10/10 give FER2013's 28,709 training faces; ``--data`` takes a dataset folder
instead (a real FER2013 import, say). ``make benchmark`` runs the chosen recipe only (``--only fast``).
"""

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from emocourse.data import load
from emocourse.data.standins import make_faces
from emocourse.train.faces import PROFILES, face_pixels, face_probabilities, train_faces

FAST = PROFILES["fast"]
#: Each a principle from the FER literature, at a width and an epoch count that fit ten minutes here.
CANDIDATES = {
    "fast": FAST,  # the recipe: half-width early blocks, more epochs, random erasing, flip + shift TTA
    "wide, 10 epochs": replace(FAST, widths=(16, 32, 64, 128), epochs=10, erase=0.0, tta_shift=0),
    "narrow, 16 epochs": replace(FAST, widths=(8, 16, 32, 64), epochs=16, batch_size=64, lr=8e-3, erase=0.0),
    "fast without erasing": replace(FAST, erase=0.0),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", help="a dataset folder (default: a generated stand-in)")
    parser.add_argument("--faces", type=int, default=35_887)
    parser.add_argument("--only", nargs="*", choices=list(CANDIDATES), help="candidates to run (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.data:
            dataset = load(args.data)
        else:
            start = time.perf_counter()
            dataset = make_faces(Path(tmp) / "faces", n=args.faces, seed=0)
            print(f"stand-in of {args.faces:,} faces generated in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        tensors = face_pixels(dataset)
        decoding = time.perf_counter() - start
    n_train = len(tensors["train"][0])
    print(f"{n_train:,} training faces decoded in {decoding:.0f} s; {torch.get_num_threads()} threads")
    faces, labels = tensors["test"]
    rows = []
    for name in args.only or CANDIDATES:
        config = CANDIDATES[name]
        start = time.perf_counter()
        learn = train_faces(tensors, len(dataset.classes), config, progress=False)
        minutes = (time.perf_counter() - start) / 60
        curve = [f"{row[2]:.0%}" for row in learn.recorder.values]
        accuracy = {
            shift: float((face_probabilities(learn.model, faces, shift).argmax(1) == labels).float().mean())
            for shift in (0, 2)
        }
        rows.append((name, config, n_train * config.epochs / minutes / 60, minutes, curve, accuracy))
        print(f"{name}: {minutes:.1f} min; validation by epoch {' '.join(curve)}", flush=True)
    print(
        f"\n| candidate | widths | batch | epochs | images/s | minutes (+{decoding:.0f} s decoding) | "
        "test, flip TTA | test, flip + shift TTA |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, config, speed, minutes, _, accuracy in rows:
        print(
            f"| {name} | {'-'.join(map(str, config.widths))} | {config.batch_size} | {config.epochs} | "
            f"{speed:.0f} | {minutes:.1f} | {accuracy[0]:.1%} | {accuracy[2]:.1%} |"
        )
    print("\nvalidation accuracy after each epoch:")
    for name, *_, curve, _ in rows:
        print(f"  {name:>22}: {' '.join(curve)}")
    print(f"(test: {len(labels):,} faces; majority class {np.bincount(labels.numpy()).max() / len(labels):.1%})")


if __name__ == "__main__":
    main()
