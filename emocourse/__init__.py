"""emocourse: the helper package of *Learning to Feel*, a course on visual emotion recognition.

The chapters in ``notebooks/`` stay thin and call into this package:

- :mod:`emocourse.taxonomy` — emotion sets, valence, colours (book: *Setup* → *Emotions and datasets*);
- :mod:`emocourse.models` — pretrained backbones, offline first (chapter 0), small CNNs;
- :mod:`emocourse.data` — the canonical dataset table, adapters for real releases, offline
  stand-ins and their calibration (book: *Datasets*);
- :mod:`emocourse.features` — hand-crafted colour, texture and composition features;
- :mod:`emocourse.notebook` — parameters and profiles shared by every chapter (book: *Setup*);
- :mod:`emocourse.cli` — the ``emocourse`` command.
"""

__version__ = "0.1.0"
