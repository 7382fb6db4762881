"""Adapters from real dataset releases to the canonical table (``emocourse data import``).

Each takes the release (``src``) and an output folder, validates what it reads, and returns the
written :class:`~emocourse.data.table.Dataset` and an :class:`~emocourse.data.report.ImportReport`
listing every skipped or repaired file and row.
"""

from .emoset import import_emoset
from .emotion6 import import_emotion6
from .fer2013 import import_fer2013
from .ferplus import import_ferplus
from .folders import import_fi, import_folder

ADAPTERS = {
    "fi": import_fi,
    "fer2013": import_fer2013,
    "ferplus": import_ferplus,
    "emoset": import_emoset,
    "emotion6": import_emotion6,
    "folder": import_folder,
}
