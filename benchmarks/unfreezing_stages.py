"""Accuracy of each unfreezing stage on the affect stand-in (128 px, bundled backbone): the head
on cached features, then the top 1, 2 and 3 block groups and the whole network, one epoch each
on every training image; test accuracy after every stage, and its seconds.
Run: .venv/bin/python benchmarks/unfreezing_stages.py"""

import time

from emocourse.data import load
from emocourse.train.transfer import Config, predict_test_split, train

CONFIG = Config(image_size=128, schedule="iterative", stages=(1, 2, 3, 0), stage_lrs=(3e-4, 1e-4, 1e-4, 3e-5),
                stage_epochs=1, train_images=None)


def main():
    dataset = load("affect")
    clock = [time.perf_counter()]

    def report(stage, trained):
        seconds = time.perf_counter() - clock[0]
        true, predicted = predict_test_split(trained)
        print(f"{stage:>25}: {(true == predicted).mean():6.1%} test accuracy  ({seconds:5.0f} s)", flush=True)
        clock[0] = time.perf_counter()

    train(dataset, CONFIG, progress=False, after_stage=report)


if __name__ == "__main__":
    main()
