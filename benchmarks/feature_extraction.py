"""Feature extraction speed on the affect stand-in: hand-crafted and frozen-backbone features,
computed (uncached) and read back (cached). Run: .venv/bin/python benchmarks/feature_extraction.py"""

import os
import tempfile
import time

from emocourse.data import load
from emocourse.features.cache import HANDCRAFTED, features
from emocourse.models import DEFAULT_BACKBONE


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main():
    dataset = load("affect")  # generated once into $EMOCOURSE_HOME (about 30 s)
    n = len(dataset.table)
    print(f"{dataset.name}: {n} images, {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as home:
        os.environ["EMOCOURSE_HOME"] = home  # an empty cache; the dataset stays where it is
        for extractor, size in [(HANDCRAFTED, 128), (DEFAULT_BACKBONE, 128), (DEFAULT_BACKBONE, 224)]:
            uncached = timed(lambda: features(dataset, extractor, size, progress=False))
            cached = timed(lambda: features(dataset, extractor, size, progress=False))
            print(
                f"{extractor:>22} at {size} px: uncached {uncached:6.1f} s = {n / uncached:6.1f} images/s; "
                f"cached re-run {cached * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main()
