"""Training speed of chapter 2's CNNs from scratch on in-memory images (random data, same shapes).
Run: .venv/bin/python benchmarks/scratch_training.py"""

import time
from functools import partial

import torch

from emocourse.models.small_cnn import compact_cnn, resnet18
from emocourse.train import fit_from_scratch


def images_per_second(architecture, shape, classes, n=2048, epochs=2):
    x, y = torch.randn(n, *shape), torch.randint(0, classes, (n,))
    start = time.perf_counter()
    fit_from_scratch(architecture, (x, y), (x[:256], y[:256]), epochs=epochs, progress=False)
    return n * epochs / (time.perf_counter() - start)


def main():
    for name, architecture, shape, classes in [
        ("ResNet-18, 32 px RGB", partial(resnet18, 8), (3, 32, 32), 8),
        ("compact CNN (8-16-32-64), 48 px grey", partial(compact_cnn, 7, widths=(8, 16, 32, 64)), (1, 48, 48), 7),
    ]:
        print(
            f"{name:>38}: {images_per_second(architecture, shape, classes):6.0f} training images/s "
            f"(batch 64, {torch.get_num_threads()} threads)"
        )


if __name__ == "__main__":
    main()
