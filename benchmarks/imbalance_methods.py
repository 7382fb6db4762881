"""Seconds per imbalance method and seed for chapter 4's comparison: a linear head on the cached
frozen features of the affect stand-in at 128 px (bundled backbone), test predictions included.
The blur-and-flip views are computed once (first row) and read from the cache afterwards.
Run: .venv/bin/python benchmarks/imbalance_methods.py"""

import time

from emocourse.data import load
from emocourse.features.cache import features
from emocourse.models import DEFAULT_BACKBONE
from emocourse.train.imbalance import BALANCES, Balance, predict_balanced

SEEDS = (0, 1, 2)


def main():
    dataset = load("affect")
    x = features(dataset, DEFAULT_BACKBONE, 128, fastai_resize=True)
    print(f"{'method':<36} {'first seed':>10} {'per later seed':>15}")
    for name in BALANCES:
        seconds = []
        for seed in SEEDS:
            start = time.perf_counter()
            predict_balanced(dataset, x, Balance(name), seed, backbone=DEFAULT_BACKBONE, image_size=128)
            seconds.append(time.perf_counter() - start)
        later = sum(seconds[1:]) / len(seconds[1:])
        print(f"{BALANCES[name]:<36} {seconds[0]:9.2f}s {later:14.2f}s")


if __name__ == "__main__":
    main()
