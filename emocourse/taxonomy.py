"""Emotion taxonomies, valence and colours.

Datasets name and order their emotions differently: FI lists its 8 Mikels categories
alphabetically, EmoSet puts the positive ones first, FER2013 says ``angry`` where FER+ says
``anger``, Emotion6 says ``joy`` where FER+ says ``happiness``. Every label here maps to a
*concept* (``anger``, ``happiness``, …), and conversion between datasets always goes by concept,
never by position. Book: *Setup* → *Emotions and datasets*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping

POSITIVE = "positive"
NEGATIVE = "negative"

# Spellings that datasets use for the same concept (Emotion6's joy is the faces' happiness).
_ALIASES = {"angry": "anger", "happy": "happiness", "joy": "happiness", "sad": "sadness"}

# Valence of each concept (Mikels et al. for the 8 affective-image categories; the usual
# reading of the facial expressions). Surprise and neutral have no valence.
_VALENCE = {
    "amusement": POSITIVE,
    "awe": POSITIVE,
    "contentment": POSITIVE,
    "excitement": POSITIVE,
    "happiness": POSITIVE,
    "anger": NEGATIVE,
    "disgust": NEGATIVE,
    "fear": NEGATIVE,
    "sadness": NEGATIVE,
    "contempt": NEGATIVE,
}

# One colour per concept, used by every plot in the book: hues chosen to be told apart at a
# glance (grey for neutral), whichever dataset names the emotion.
COLORS = {
    "amusement": "#f4a62a",
    "awe": "#8e6cc9",
    "contentment": "#5cb85c",
    "excitement": "#e8475f",
    "happiness": "#f2c14e",
    "anger": "#b2182b",
    "disgust": "#7a8b2e",
    "fear": "#3b2f63",
    "sadness": "#2f6fad",
    "contempt": "#8c5a3c",
    "surprise": "#3ab7bf",
    "neutral": "#9a9a9a",
}
VALENCE_COLORS = {POSITIVE: "#f4a62a", NEGATIVE: "#2f6fad"}


def concept(label: str) -> str:
    """The concept behind a dataset's label: ``concept("angry") == "anger"``."""
    name = label.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in COLORS:
        raise KeyError(f"unknown emotion label {label!r}; known concepts: {', '.join(sorted(COLORS))}")
    return name


def valence(label: str) -> str | None:
    """``"positive"``, ``"negative"``, or ``None`` for surprise and neutral."""
    return _VALENCE.get(concept(label))


def valence_or_none(label: str) -> str | None:
    """:func:`valence`, and ``None`` for a label that is no emotion the book knows (a user's own class)."""
    return _VALENCE.get(_ALIASES.get(label.strip().lower(), label.strip().lower()))


def color(label: str) -> str:
    """The book's colour for an emotion label of any dataset."""
    return COLORS[concept(label)]


#: Colours for classes that are no emotion the book knows (a user's own labels), in turn (matplotlib's tab10).
OTHER_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def palette(classes) -> list[str]:
    """One colour per class, for any class list: the book's colour for an emotion it knows, else the
    next of :data:`OTHER_COLORS`."""
    others = itertools.cycle(OTHER_COLORS)
    return [COLORS.get(_ALIASES.get(c.strip().lower(), c.strip().lower())) or next(others) for c in classes]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of emotion labels as one dataset spells them; position = label id."""

    name: str
    classes: tuple[str, ...]

    def __post_init__(self):
        for label in self.classes:
            concept(label)  # fail early on a misspelt label

    def __len__(self) -> int:
        return len(self.classes)

    def __iter__(self):
        return iter(self.classes)

    def __contains__(self, label: object) -> bool:
        return label in self.classes

    def index(self, label: str) -> int:
        """Label id of ``label`` (exact spelling of this taxonomy)."""
        try:
            return self.classes.index(label)
        except ValueError:
            raise KeyError(f"{label!r} is not a {self.name} class; classes: {', '.join(self.classes)}") from None

    def label(self, index: int) -> str:
        """Label name of a label id."""
        if not 0 <= index < len(self.classes):
            raise KeyError(f"{self.name} label id must be 0..{len(self.classes) - 1}, got {index}")
        return self.classes[index]

    def find(self, label: str) -> str | None:
        """This taxonomy's spelling of the concept behind ``label`` (any dataset), or ``None``."""
        wanted = concept(label)
        return next((c for c in self.classes if concept(c) == wanted), None)

    def translate(self, label: str, to: "Taxonomy") -> str:
        """Map one of this taxonomy's labels to the other taxonomy's spelling, by concept."""
        self.index(label)
        target = to.find(label)
        if target is None:
            raise KeyError(f"{self.name} class {label!r} has no counterpart in {to.name} ({', '.join(to.classes)})")
        return target

    def index_map(self, to: "Taxonomy") -> dict[int, int]:
        """Label id in this taxonomy → label id in ``to``, for the classes both share."""
        return {i: to.index(to.find(c)) for i, c in enumerate(self.classes) if to.find(c) is not None}

    @property
    def valence(self) -> dict[str, str | None]:
        """Each class's valence (``None`` where the emotion has none)."""
        return {c: valence(c) for c in self.classes}

    @property
    def colors(self) -> list[str]:
        """One colour per class, in class order (pass as a seaborn/matplotlib palette)."""
        return [color(c) for c in self.classes]


#: FI (You et al. 2016): the 8 Mikels categories, alphabetical as in the release's folders.
FI = Taxonomy("FI", ("amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness"))
#: EmoSet (Yang et al. 2023): the same 8 emotions, positive ones first.
EMOSET = Taxonomy("EmoSet", ("amusement", "awe", "contentment", "excitement", "anger", "disgust", "fear", "sadness"))
#: FER2013: label ids 0 angry … 6 neutral, as in the ``emotion`` column of ``fer2013.csv``.
FER2013 = Taxonomy("FER2013", ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"))
#: FER+ (Barsoum et al. 2016): the 8 emotion vote columns of ``fer2013new.csv``, in file order.
FERPLUS = Taxonomy("FER+", ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"))
#: Emotion6 (Peng et al. 2015): the seven shares of ``ground_truth.txt``, in file order; the first six
#: are also the release's folders, the search keywords.
EMOTION6 = Taxonomy("Emotion6", ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"))

#: The taxonomies by the short names that ``DATASET`` parameters and adapters use.
TAXONOMIES: Mapping[str, Taxonomy] = {
    "fi": FI,
    "emoset": EMOSET,
    "fer2013": FER2013,
    "ferplus": FERPLUS,
    "emotion6": EMOTION6,
}


def match_classes(ours, theirs) -> dict[str, str]:
    """``{their class: our class}`` for the classes of two datasets that name the same emotion (by
    concept: FER2013's ``angry`` is CK+'s ``anger``) or, for classes that are no emotion the book
    knows, by the same name. Classes on either side with no partner are simply absent."""

    def key(label: str) -> str:
        name = label.strip().lower()
        return concept(name) if _ALIASES.get(name, name) in COLORS else name

    by_key = {key(c): c for c in ours}
    return {c: by_key[key(c)] for c in theirs if key(c) in by_key}
