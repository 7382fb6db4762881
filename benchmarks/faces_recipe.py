"""The faces recipe (``emocourse train --recipe faces``) on a FER2013-sized stand-in: decoding, training
images/s of each network, epochs, minutes and test accuracy.

Run: .venv/bin/python benchmarks/faces_recipe.py [--faces 35887] [--epochs N]
35,887 faces split 80/10/10 give FER2013's 28,709 training faces. ``--epochs`` overrides the
profile's count (to measure speed on a budget); the accuracy is then that of the shorter run.
"""

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from emocourse.data.standins import make_faces
from emocourse.train.faces import PROFILES, FacesConfig, face_pixels, face_probabilities, faces_network, train_faces


def throughput(config: FacesConfig, n: int = 2048) -> float:
    """Training images/s of ``config``'s network (forward, backward, step) on random faces."""
    model = faces_network(7, config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randint(0, 256, (n, 1, 48, 48), dtype=torch.uint8), torch.randint(0, 7, (n,))
    start = time.perf_counter()
    for i in range(0, n, config.batch_size):
        loss = torch.nn.functional.cross_entropy(model(x[i : i + config.batch_size]), y[i : i + config.batch_size])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=int, default=35_887)
    parser.add_argument("--epochs", type=int)
    args = parser.parse_args()
    for profile, config in PROFILES.items():
        print(f"{profile:>4} network {config.widths}: {throughput(config):5.0f} training images/s")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        dataset = make_faces(Path(tmp) / "faces", n=args.faces, seed=0)
        print(f"stand-in of {args.faces:,} faces generated in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        tensors = face_pixels(dataset)
        print(
            f"decoded into memory once in {time.perf_counter() - start:.1f} s ({len(tensors['train'][0]):,} to train)"
        )
        config = PROFILES["fast"] if args.epochs is None else replace(PROFILES["fast"], epochs=args.epochs)
        start = time.perf_counter()
        learn = train_faces(tensors, len(dataset.classes), config, progress=False)
        minutes = (time.perf_counter() - start) / 60  # training only: the faces were decoded above
        faces, labels = tensors["test"]
        accuracy = (face_probabilities(learn.model, faces).argmax(1) == labels).float().mean()
        print(
            f"fast profile, {config.epochs} epochs: {minutes:.1f} minutes of training, "
            f"{len(tensors['train'][0]) * config.epochs / minutes / 60:.0f} images/s with augmentation; "
            f"test accuracy {accuracy:.1%} on {len(labels):,} faces ({torch.get_num_threads()} threads)"
        )


if __name__ == "__main__":
    main()
