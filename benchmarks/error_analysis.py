"""Seconds for chapter 5's tools on the affect stand-in at 128 px with chapter 3's fast-profile model
(trained first if it is not cached): one pass of test probabilities (each probe costs one), Grad-CAM and
gradient saliency on 32 images, the sanity check on 12, and cleanlab's label-issue search with its
out-of-fold probabilities on the cached features.
Run: .venv/bin/python benchmarks/error_analysis.py"""

import time

from emocourse.data import load
from emocourse.data.table import split_mask, targets
from emocourse.evaluate import label_issues, probes, saliency
from emocourse.features.cache import features
from emocourse.train.transfer import PROFILE_CONFIGS, train_or_load


def timed(name, work):
    start = time.perf_counter()
    result = work()
    print(f"{name:<52} {time.perf_counter() - start:7.2f}s")
    return result


def main():
    dataset = load("affect")
    model = train_or_load(dataset, PROFILE_CONFIGS["fast"], progress=False)
    learn, data = model.learn, model.dataset
    test_rows = data.table[split_mask(data, "test")]
    timed(f"test probabilities ({len(test_rows)} images)", lambda: probes.probabilities(learn, test_rows))
    timed("grey probe (same images)", lambda: probes.probabilities(learn, test_rows, probes.grey))
    x = next(probes.input_batches(learn, test_rows.iloc[:32], batch_size=32))
    classes = targets(data)[split_mask(data, "test")][:32]
    timed("Grad-CAM, 32 images", lambda: saliency.gradcam(learn.model, x, classes))
    timed("gradient saliency, 32 images", lambda: saliency.gradient_saliency(learn.model, x, classes))
    timed("sanity check, 12 images", lambda: saliency.sanity_check(learn.model, x[:12], classes[:12]))
    x_all, y_all = features(dataset, PROFILE_CONFIGS["fast"].backbone, 128, fastai_resize=True), targets(dataset)
    oof = timed(
        f"out-of-fold probabilities ({len(y_all)} images)", lambda: label_issues.out_of_fold_probabilities(x_all, y_all)
    )
    timed("cleanlab find_label_issues", lambda: label_issues.label_issues(y_all, oof))


if __name__ == "__main__":
    main()
