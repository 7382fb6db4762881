"""Mixed precision on a CUDA GPU: every learner the package builds trains in float16 with a gradient
scaler there (fastai's ``MixedPrecision``), the speed-up the full profile is sized for; image
learners also use channels-last memory on every device (see ``transfer.build_learner``). Anywhere
else training stays float32, so a CPU run gives the same numbers on every machine."""

from __future__ import annotations


def training_device() -> str:
    """``cuda``, ``mps`` or ``cpu``: where fastai puts a new learner."""
    from fastai.torch_core import default_device

    return default_device().type


def uses_mixed_precision(device: str | None = None) -> bool:
    """Whether training on ``device`` (default: :func:`training_device`) runs in mixed precision."""
    return (device or training_device()) == "cuda"


def describe(device: str | None = None) -> str:
    """One line for ``emocourse info``."""
    device = device or training_device()
    if uses_mixed_precision(device):
        return f"mixed precision (float16 autocast, gradient scaling) on {device}"
    return f"float32 on {device} (mixed precision is used on CUDA only)"


def accelerate(learn, device: str | None = None):
    """Add fastai's ``MixedPrecision`` callback to ``learn`` on CUDA; elsewhere leave it as it is.
    Returns ``learn``."""
    import fastai.callback.fp16  # noqa: F401  (adds Learner.to_fp16)

    if uses_mixed_precision(device) and not hasattr(learn, "mixed_precision"):
        learn.to_fp16()
    return learn
