"""Where emocourse keeps data, converted weights and caches.

Everything lives under one folder, ``$EMOCOURSE_HOME`` (default ``~/.cache/emocourse``),
so a student can see, move or delete it in one go. Book: *Setup* → *Where files go*.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The emocourse home folder (``$EMOCOURSE_HOME`` or ``~/.cache/emocourse``)."""
    configured = os.environ.get("EMOCOURSE_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "emocourse"


def data_dir() -> Path:
    """Datasets: downloaded releases and generated stand-ins."""
    return home() / "data"


def weights_dir() -> Path:
    """Converted pretrained weights (the bundled backbone in timm's key names)."""
    return home() / "weights"


def cache_dir() -> Path:
    """Derived artefacts: cached features and trained models."""
    return home() / "cache"
