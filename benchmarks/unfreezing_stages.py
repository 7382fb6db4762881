"""Accuracy and time of each stage of chapter 3's iterative schedule (``fast`` profile) on the
affect stand-in: the head on cached features, then the top block group and the top two, each
trained on the cached maps of the frozen body below them; test accuracy after every stage.
Run: .venv/bin/python benchmarks/unfreezing_stages.py [SEED ...]"""

import sys
import time
from dataclasses import replace

from emocourse.data import load
from emocourse.train.transfer import PROFILE_CONFIGS, predict_test_split, train


def main(seeds):
    dataset = load("affect")
    for seed in seeds:
        clock = [time.perf_counter()]

        def report(stage, trained):
            seconds = time.perf_counter() - clock[0]
            true, predicted = predict_test_split(trained)
            print(
                f"seed {seed} {stage:>20}: {(true == predicted).mean():6.1%} test accuracy  ({seconds:4.0f} s)",
                flush=True,
            )
            clock[0] = time.perf_counter()

        train(dataset, replace(PROFILE_CONFIGS["fast"], seed=seed), progress=False, after_stage=report)


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0])
