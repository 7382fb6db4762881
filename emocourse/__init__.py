"""emocourse: the helper package of *Learning to Feel*, a course on visual emotion recognition.

The chapters in ``notebooks/`` stay thin and call into this package. Its rooms stand on floors;
a module imports only from its own floor or the floors below (``tests/test_layers.py``):

0. ``taxonomy``, ``fileio``, ``paths`` — emotions, valence, colours; atomic writes; folders;
1. ``data`` — canonical table, adapters, stand-ins, curation, downloads; no torch, no fastai
   (book: *Datasets*);
2. ``models``, ``features``, ``baselines`` — backbones and small CNNs (chapter 0); features and
   their cache, guessers, linear models (chapter 2);
3. ``train`` — fastai DataLoaders, CNNs from scratch (chapter 2), transfer learning (chapter 3);
4. ``evaluate`` — metrics, published numbers, stand-in calibration;
5. ``notebook``, ``cli`` — parameters, profiles and lesson checks (book: *Setup*); the
   ``emocourse`` command.
"""

import warnings

__version__ = "0.1.0"

# fastai decorates a few layers with torch.jit.script, which recent torch releases deprecate with a
# FutureWarning at import time; readers can do nothing about it, so the chapters do not show it.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
