"""What every chapter shares: the Colab bootstrap, parameters and profiles.

A chapter's first code cell is :data:`COLAB_BOOTSTRAP`; its second, tagged ``parameters``,
assigns the chapter's parameters (papermill overrides them); its third calls
:func:`check_parameters`, so a misspelt or out-of-range parameter stops the run with one
line that names it. :func:`load_dataset` gives a chapter its data on any dataset, and
:meth:`Parameters.written_for` sorts its lesson checks into two kinds: a plain ``assert`` is a
claim about any data; ``written_for(...).check(...)`` is a claim about the numbers of the run
the prose was written for, asserted on that run and reported beside what was measured on any
other. Book: *Setup* → *Parameters and profiles*, *Anatomy of a chapter*.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, MutableMapping

REPOSITORY = "https://github.com/emocourse/emocourse"

#: The first code cell of every chapter (the tests hold each notebook to it, character for character).
COLAB_BOOTSTRAP = f"""\
# Colab bootstrap: installs emocourse in Google Colab; does nothing elsewhere.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "emocourse @ git+{REPOSITORY}"\
"""

PROFILES = ("fast", "full")

#: What a parameter left at ``None`` becomes in each profile: ``fast`` fits a laptop CPU
#: (a chapter in a few minutes), ``full`` is paper scale on a GPU.
PROFILE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "fast": {"IMAGE_SIZE": 128, "EPOCHS": 4},
    "full": {"IMAGE_SIZE": 224, "EPOCHS": 30},
}


class ParameterError(ValueError):
    """A chapter parameter is unknown or has an invalid value."""


def default_profile() -> str:
    """``$EMOCOURSE_PROFILE`` if set, else ``full`` with a CUDA GPU and ``fast`` without."""
    profile = os.environ.get("EMOCOURSE_PROFILE")
    if profile:
        if profile not in PROFILES:
            raise ParameterError(f"EMOCOURSE_PROFILE={profile!r}: must be one of {', '.join(PROFILES)}")
        return profile
    import torch

    return "full" if torch.cuda.is_available() else "fast"


def _integer(low: int, high: int) -> Callable[[Any], str | None]:
    def rule(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be an integer from {low} to {high}"
        return None

    return rule


def _one_of(choices: Iterable[str]) -> Callable[[Any], str | None]:
    choices = tuple(choices)
    return lambda value: None if value in choices else f"must be one of {', '.join(map(repr, choices))}"


def _or_profile(rule: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """``rule``, or ``None`` for the profile's default."""
    return lambda value: None if value is None else rule(value)


def _dataset(value) -> str | None:
    from .data.standins import STANDINS

    if value in STANDINS:
        return None
    if isinstance(value, str) and (Path(value).expanduser() / "labels.csv").is_file():
        return None
    return f"must be a stand-in ({', '.join(map(repr, STANDINS))}) or a folder with labels.csv"


def _backbone(value) -> str | None:
    from .models import BackboneUnavailable, check_name

    try:
        check_name(value)
    except BackboneUnavailable as err:
        return str(err)
    return None


#: Every parameter a chapter may declare, with the rule its value must meet.
RULES: Mapping[str, Callable[[Any], str | None]] = {
    "PROFILE": _one_of(PROFILES),
    "SEED": _integer(0, 2**32 - 1),
    "IMAGE_SIZE": _or_profile(_integer(32, 1024)),
    "EPOCHS": _or_profile(_integer(0, 1000)),
    "BACKBONE": _backbone,
    "TOP_K": _integer(1, 20),
    "THRESHOLD": _integer(1, 5),
    "DATASET": _dataset,
    "FACE_DATASET": _dataset,
    "CROSS_DATASET": _dataset,
    "GROUP_COLUMN": lambda value: None if isinstance(value, str) and value.strip() else "must be a column name",
}


class Parameters(dict):
    """A chapter's validated parameters (what :func:`check_parameters` returns)."""

    def written_for(self, **expected) -> "Claims":
        """Claims measured on the run with these parameter values (a tuple: any of its values)."""
        return Claims(self, expected)


class Claims:
    """Lesson checks about the numbers of one run, the one the chapter's prose was written for.

    :meth:`check` asserts a claim when this run has the parameters the prose was written for; on
    any other run (a student's own data, a longer schedule) it prints the claim, what this run
    measured, and what the prose was written for, and the chapter goes on.
    """

    def __init__(self, parameters: Mapping[str, Any], expected: Mapping[str, Any], not_applicable: str | None = None):
        unknown = sorted(set(expected) - set(parameters))
        if unknown:
            raise ParameterError(f"written_for({unknown[0]}=...): this chapter has no parameter {unknown[0]}")
        self.parameters, self.expected, self.not_applicable = parameters, dict(expected), not_applicable

    def unless(self, lacking: str | None) -> "Claims":
        """These claims for data that may lack their premise: ``lacking`` says in words what this run's data
        lacks (e.g. "its classes are balanced: 1.0 to 1"), or is ``None`` when the premise holds. A claim
        without its premise is not measured against the text: :meth:`check` says, in one line, that it
        does not apply and why (on the run the prose was written for, a lacking premise is an error)."""
        return Claims(self.parameters, self.expected, lacking)

    @property
    def differences(self) -> dict[str, Any]:
        """The parameters of this run that differ from those the prose was written for."""

        def matches(name):
            wanted = self.expected[name]
            return self.parameters[name] in wanted if isinstance(wanted, tuple) else self.parameters[name] == wanted

        return {name: self.parameters[name] for name in self.expected if not matches(name)}

    def check(self, holds: bool, claim: str, measured: Any) -> bool:
        """Assert ``claim`` on the run the prose was written for; elsewhere print it beside ``measured``.

        With ``$EMOCOURSE_CLAIMS_LOG`` set, every claim is appended to that JSON-lines file instead
        of asserted, so that one run measures them all (``make spread``: their spread across seeds
        and thread counts)."""
        log = os.environ.get("EMOCOURSE_CLAIMS_LOG")
        if log:
            _log_claim(Path(log), claim, bool(holds), measured, self.parameters)
            return bool(holds)
        if self.not_applicable and not self.differences:
            raise AssertionError(
                f"the text says: {claim}; but this run's data lacks its premise: {self.not_applicable}"
            )
        if self.not_applicable:
            print(f'Note: the text says "{claim}". It does not apply here: {self.not_applicable}.')
            return False
        if not self.differences:
            if not holds:
                raise AssertionError(f"the text says: {claim}; this run measured: {measured}")
            return True
        written = ", ".join(
            f"{k}={v!r}" if not isinstance(v, tuple) else f"{k} in {v!r}" for k, v in self.expected.items()
        )
        this_run = ", ".join(f"{k}={v!r}" for k, v in self.differences.items())
        print(
            f'Note: the text says "{claim}". That was measured with {written}; this run has {this_run} '
            f"and measured {measured}: {'the same holds here' if holds else 'it does not hold here'}."
        )
        return bool(holds)


def lacks_imbalance(counts, of: str = "classes") -> str | None:
    """For :meth:`Claims.unless`: that the ``of`` (classes, or groups) of these image ``counts`` (or shares)
    are about balanced, the largest under 1.5 times the rarest; ``None`` when they are not (an imbalance
    claim applies)."""
    values = [float(c) for c in counts]
    if min(values) <= 0:  # a class without images: as imbalanced as it gets
        return None
    ratio = max(values) / min(values)
    return None if ratio >= 1.5 else f"its {of} are about balanced (largest to rarest: {ratio:.1f} to 1)"


def _log_claim(log: Path, claim: str, holds: bool, measured: Any, parameters: Mapping[str, Any]) -> None:
    import json

    import torch

    record = {
        "claim": claim,
        "holds": holds,
        "measured": measured if isinstance(measured, str) else repr(measured),
        "parameters": {k: v for k, v in parameters.items()},
        "threads": torch.get_num_threads(),
    }
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps(record, default=str) + "\n")


def find_chapters(names: Iterable[str], folder: Path = Path("notebooks")) -> list[Path]:
    """The chapters named in ``names`` (paths to notebooks, or stems or file names of notebooks in
    ``folder``), in that order; all of ``folder``'s chapters when ``names`` is empty."""
    every = sorted(Path(folder).glob("*.ipynb"))
    names = list(names)
    if not names:
        return every
    by_name = {p.stem: p for p in every} | {p.name: p for p in every}
    found = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        elif name in by_name:
            found.append(by_name[name])
        else:
            raise ParameterError(
                f"unknown chapter {name}: a notebook path, or one of {', '.join(p.stem for p in every)}"
            )
    return found


def load_dataset(name: str, profile: str, max_images: int, seed: int = 0):
    """The chapter's dataset, ready on any data: :func:`emocourse.data.load`, then a ``valid`` or
    ``test`` split it lacks dealt from its training images, and in the ``fast`` profile at most
    about ``max_images`` images (a seeded sample, stratified by split and class). Prints what it changed."""
    from .data import load
    from .data.subsets import bounded_sample, complete_splits

    dataset, note = complete_splits(load(name), seed)
    notes = [note]
    if profile == "fast":
        dataset, note = bounded_sample(dataset, max_images, seed)
        notes.append(note)
    for note in filter(None, notes):
        print(note)
    return dataset


def check_parameters(namespace: MutableMapping[str, Any], names: Iterable[str]) -> Parameters:
    """Validate a chapter's parameters and return them (a dict, with :meth:`Parameters.written_for`).

    ``namespace`` is the notebook's ``globals()`` after the parameters cell (and papermill's
    injected cell); ``names`` are the parameters the chapter declares. Any other upper-case
    name is an unknown parameter (a typo, or one meant for another chapter) and is refused.
    A parameter left at ``None`` takes its value from :data:`PROFILE_DEFAULTS` for the
    chapter's ``PROFILE`` and is set in ``namespace``.
    """
    names = list(names)
    unknown = sorted(n for n in namespace if n.isupper() and not n.startswith("_") and n not in names)
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]}: this chapter takes {', '.join(names)}")
    values = {}
    for name in names:
        if name not in namespace:
            raise ParameterError(f"parameter {name} is declared but never assigned")
        if name not in RULES:
            raise ParameterError(f"parameter {name} has no rule in emocourse.notebook.RULES; add one")
        problem = RULES[name](namespace[name])
        if problem:
            raise ParameterError(f"{name}={namespace[name]!r}: {problem}")
        values[name] = namespace[name]
    profile = PROFILE_DEFAULTS.get(values.get("PROFILE"), {})
    for name, value in values.items():
        if value is None:
            if name not in profile:
                raise ParameterError(
                    f"{name}=None means 'the profile's value', but this chapter has no PROFILE parameter"
                )
            values[name] = namespace[name] = profile[name]
    print("Parameters:", ", ".join(f"{k}={v!r}" for k, v in values.items()))
    return Parameters(values)
