"""Is a model's confidence honest? Reliability tables, expected calibration error, temperature scaling.

Temperature scaling (Guo et al. 2017) divides every logit by one number T, fitted on the
validation split; it changes no prediction, only how sure the model says it is. It is a few
lines of torch, written here rather than taken from a library, so the chapter can show them.
Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch


def check_probabilities(probabilities, name: str = "probabilities") -> np.ndarray:
    """``probabilities`` as an (images × classes) array; a ``ValueError`` naming the first row that
    is not a probability distribution (negative, or not summing to one)."""
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(f"{name}: expected one row per image and a column per class, got shape {p.shape}")
    sums = p.sum(1)
    bad = np.flatnonzero((np.abs(sums - 1) > 1e-3) | (p < 0).any(1) | ~np.isfinite(sums))
    if len(bad):
        raise ValueError(
            f"{name}: row {bad[0]} is not a probability distribution (it sums to {sums[bad[0]]:.3f}"
            f"{', with a negative entry' if (p[bad[0]] < 0).any() else ''}); pass softmax outputs, "
            "not logits"
        )
    return p


def reliability(probabilities, y_true, bins: int = 10) -> pd.DataFrame:
    """One row per confidence bin (equal width over [0, 1]) holding images: its centre, how many
    images, their mean confidence (the top probability) and their accuracy."""
    p = check_probabilities(probabilities)
    y_true = np.asarray(y_true)
    confidence, correct = p.max(1), p.argmax(1) == y_true
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    rows = [
        {
            "bin": f"{b / bins:.1f}–{(b + 1) / bins:.1f}",
            "centre": (b + 0.5) / bins,
            "images": int((which == b).sum()),
            "confidence": confidence[which == b].mean(),
            "accuracy": correct[which == b].mean(),
        }
        for b in range(bins)
        if (which == b).any()
    ]
    return pd.DataFrame(rows)


def expected_calibration_error(probabilities, y_true, bins: int = 10) -> float:
    """The gap between confidence and accuracy, averaged over the bins weighted by their images."""
    table = reliability(probabilities, y_true, bins)
    return float((table["images"] * (table["confidence"] - table["accuracy"]).abs()).sum() / table["images"].sum())


def fit_temperature(logits, y_true, steps: int = 100) -> float:
    """The temperature T that minimises the cross-entropy of ``softmax(logits / T)`` on these labels
    (fit it on the validation split, apply it to test)."""
    logits = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y_true), dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps)

    def loss():
        optimiser.zero_grad()
        value = torch.nn.functional.cross_entropy(logits / log_t.exp(), y)
        value.backward()
        return value

    optimiser.step(loss)
    return float(log_t.detach().exp())


def softmax(logits, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities of ``logits / temperature``."""
    return torch.softmax(torch.as_tensor(np.asarray(logits), dtype=torch.float64) / temperature, 1).numpy()
