"""emocourse: the helper package of *Learning to Feel*, a course on visual emotion recognition.

The chapters in ``notebooks/`` stay thin and call into this package:

- :mod:`emocourse.taxonomy` — emotion sets, valence, colours (book: *Setup* → *Emotions and datasets*);
- :mod:`emocourse.models` — pretrained backbones, offline first (chapter 0), small CNNs;
- :mod:`emocourse.data` — the canonical dataset table, adapters for real releases, offline
  stand-ins and their calibration (book: *Datasets*);
- :mod:`emocourse.features` — hand-crafted colour, texture and composition features, and the
  on-disk feature cache (chapter 2);
- :mod:`emocourse.baselines` — guessers and linear models on features (chapter 2);
- :mod:`emocourse.train` — CNNs from scratch (chapter 2) and transfer learning (chapter 3);
- :mod:`emocourse.evaluate` — per-class rates, confusions, published numbers;
- :mod:`emocourse.notebook` — parameters and profiles shared by every chapter (book: *Setup*);
- :mod:`emocourse.cli` — the ``emocourse`` command.
"""

import warnings

__version__ = "0.1.0"

# fastai decorates a few layers with torch.jit.script, which recent torch releases deprecate with a
# FutureWarning at import time; readers can do nothing about it, so the chapters do not show it.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
