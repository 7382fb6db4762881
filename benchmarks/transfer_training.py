"""Training speed of transfer learning at 128 px on the affect stand-in (bundled backbone):
the head alone on cached features, the last block group unfrozen, the whole network.
Run: .venv/bin/python benchmarks/transfer_training.py"""

import time

import torch
from fastai.callback.progress import ProgressCallback

from emocourse.data import load
from emocourse.train.scratch import fit_one_cycle
from emocourse.train.transfer import Config, build_learner, head_learner

IMAGES = 640


def epoch_images_per_second(learn) -> float:
    """Training images/s over one epoch of ``IMAGES`` training images (validation excluded)."""
    with learn.removed_cbs(ProgressCallback), learn.no_logging():
        learn.fit(1, 1e-4)  # warm-up
        start = time.perf_counter()
        learn.fit(1, 1e-4, cbs=[])
        total = time.perf_counter() - start
    valid_start = time.perf_counter()
    with learn.no_bar():
        learn.validate()
    return len(learn.dls.train_ds) / (total - (time.perf_counter() - valid_start))


def main():
    dataset = load("affect")
    config = Config(image_size=128, train_images=IMAGES, head_epochs=20)
    head = head_learner(dataset, config)  # features cached after the first run
    start = time.perf_counter()
    fit_one_cycle(head, config.head_epochs, config.head_lr, progress=False)
    n_train = len(head.dls.train_ds)
    print(
        f"head on cached features: {n_train * config.head_epochs / (time.perf_counter() - start):8.0f} "
        f"training images/s ({config.head_epochs} epochs of {n_train} images)"
    )
    learn = build_learner(dataset, config)
    for label, freeze in [
        ("head only, on images", lambda: learn.freeze()),
        ("last block group unfrozen", lambda: learn.freeze_to(-2)),
        ("whole network unfrozen", lambda: learn.unfreeze()),
    ]:
        freeze()
        print(
            f"{label:>25}: {epoch_images_per_second(learn):8.1f} training images/s "
            f"({torch.get_num_threads()} threads, batch {config.batch_size}, random flips)"
        )


if __name__ == "__main__":
    main()
