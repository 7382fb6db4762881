"""Named training recipes, and the model folders they write and read back: ``emocourse train`` and
``emocourse predict``. Book: *Setup* → *The emocourse command*.

A model folder holds ``weights.safetensors`` (tensors only, never pickled code), ``history.csv`` (one
row per epoch) and ``model.json``: the recipe, its configuration, the class list, the metrics and the
weights' SHA-256. ``model.json`` is written last, so a folder that has one is complete.
"""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..data.table import Dataset
from ..fileio import atomic_write
from .photos import face_crop

FORMAT, FORMAT_VERSION = "emocourse-model", 1
WEIGHTS, DESCRIPTION = "weights.safetensors", "model.json"
PROFILES = ("fast", "full")
RUNTIMES = ("torch", "onnx")
#: The names of the ONNX network's input and output (``emocourse export``).
ONNX_INPUT, ONNX_OUTPUT = "pixels", "probabilities"

if TYPE_CHECKING:  # torch is imported where a model is built, so that the command line starts fast
    import torch
    from torch import nn


class ModelDirError(ValueError):
    """A folder that is not a complete model folder written by ``emocourse train``."""


@dataclass
class Result:
    """A trained model with what ``emocourse train`` reports and stores."""

    model: nn.Module
    classes: list[str]
    config: dict
    history: pd.DataFrame
    accuracy: float
    evaluated_on: str  # the split the accuracy was measured on
    images: int
    minutes: float
    recall: dict[str, float] = field(default_factory=dict)  # per class, on the evaluated split
    data: dict = field(default_factory=dict)  # the training data, as the model card describes it


class Recipe(ABC):
    """How to train one kind of model, rebuild it from its configuration, and feed it images."""

    description = ""
    face_mode = "none"  # what ``emocourse predict`` shows the model of a photo by default (FACE_MODES)

    @abstractmethod
    def fit(self, dataset: Dataset, profile: str, seed: int, progress: bool):
        """``(model, config dict, history, probabilities of the evaluation split, its labels, its name)``."""

    @abstractmethod
    def build(self, config: dict, n_classes: int) -> nn.Module:
        """The untrained network that ``config`` describes."""

    @abstractmethod
    def pixels(self, config: dict) -> dict:
        """What the model reads: ``{"colour": "L" or "RGB", "size": side}`` of the centre square of an image."""

    @abstractmethod
    def exportable(self, config: dict, model: nn.Module) -> nn.Module:
        """``model`` as one network from pixels to probabilities: ``(N, channels, side, side)`` floats
        0–255 in, ``(N, classes)`` out, with every normalisation and test-time view inside, so that
        another runtime (ONNX, a web page) needs nothing else."""

    def test_time_views(self, config: dict) -> list[str]:
        """The views of each image that :meth:`exportable` averages, besides the image itself."""
        return []

    def inputs(self, config: dict, images: list) -> torch.Tensor:
        """A batch of PIL images as :meth:`exportable` reads it: the centre square, resized, 0–255."""
        import torch

        from .scratch import square

        shape = self.pixels(config)
        squares = np.stack([square(image, shape["size"], shape["colour"]) for image in images])
        batch = torch.from_numpy(squares).float()
        return batch[:, None] if shape["colour"] == "L" else batch.permute(0, 3, 1, 2)

    def probabilities(self, config: dict, model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        """Class probabilities of a batch from :meth:`inputs`, as ``config``'s model makes them."""
        import torch

        with torch.inference_mode():
            return self.exportable(config, model).eval()(batch)


class FacesRecipe(Recipe):
    description = "a CNN from scratch on 48 × 48 grey faces (chapter 6)"
    face_mode = "auto"

    def fit(self, dataset, profile, seed, progress):
        from .faces import PROFILES as FACES, face_pixels, face_probabilities, train_faces

        config = replace(FACES[profile], seed=seed)
        tensors = face_pixels(dataset)  # decoded once, for training and for the evaluation
        learn = train_faces(tensors, len(dataset.classes), config, progress)
        split = _evaluation_split(dataset)
        faces, labels = tensors[split]
        history = pd.DataFrame(learn.recorder.values, columns=learn.recorder.metric_names[1:-1])
        return (
            learn.model,
            asdict(config),
            history,
            face_probabilities(learn.model, faces, config.tta_shift),
            labels.numpy(),
            split,
        )

    def build(self, config, n_classes):
        from .faces import FacesConfig, faces_network

        return faces_network(n_classes, FacesConfig(**{**config, "widths": tuple(config["widths"])}))

    def pixels(self, config):
        from .faces import FACE_SIZE

        return {"colour": "L", "size": FACE_SIZE}

    def test_time_views(self, config):
        shift = config.get("tta_shift", 0)
        moves = [f"shifted {shift} px {way}" for way in ("left", "right", "up", "down")] if shift else []
        return ["mirror", *moves, *(f"mirror of {move}" for move in moves)]

    def exportable(self, config, model):
        from .faces import WithTestTimeViews

        return WithTestTimeViews(model, config.get("tta_shift", 0))


class TransferRecipe(Recipe):
    description = "chapter 3's transfer learning: the bundled backbone, a new head, iterative unfreezing"

    def fit(self, dataset, profile, seed, progress):
        from .transfer import PROFILE_CONFIGS, _logits, train

        config = replace(PROFILE_CONFIGS[profile], seed=seed)
        trained = train(dataset, config, progress)
        split = _evaluation_split(trained.dataset)
        rows = (trained.dataset.table["split"] == split).to_numpy()
        labels = trained.dataset.table.loc[rows, "label"].map(trained.dataset.classes.index).to_numpy()
        probabilities = _logits(trained, rows).softmax(1)
        config = {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(config).items()}
        return trained.learn.model, config, trained.history, probabilities, labels, split

    def build(self, config, n_classes):
        from fastai.vision.learner import create_timm_model

        from .transfer import _num_features, classifier, pooled_head

        head = pooled_head(
            classifier(_num_features(config["backbone"]), n_classes, config["hidden"], config["dropout"])
        )
        model, _ = create_timm_model(config["backbone"], n_classes, pretrained=False, custom_head=head)
        return model

    def pixels(self, config):
        return {"colour": "RGB", "size": config["image_size"]}

    def exportable(self, config, model):
        import timm
        from timm.data import resolve_data_config

        from .transfer import Normalised

        body = timm.create_model(config["backbone"], pretrained=False, num_classes=0)
        data = resolve_data_config({}, model=body)
        return Normalised(model, data["mean"], data["std"])


RECIPES: dict[str, Recipe] = {"faces": FacesRecipe(), "transfer": TransferRecipe()}


def _evaluation_split(dataset: Dataset) -> str:
    splits = set(dataset.table["split"])
    for split in ("test", "valid"):
        if split in splits:
            return split
    raise ValueError(f"{dataset.root}: no test or valid images to measure the model on")


def train_recipe(name: str, dataset: Dataset, profile: str = "fast", seed: int = 0, progress: bool = True) -> Result:
    """Train recipe ``name`` on ``dataset`` and measure it on the test split (else valid)."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}: choose one of {', '.join(RECIPES)}")
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r}: must be one of {', '.join(PROFILES)}")
    start = time.perf_counter()
    model, config, history, probabilities, labels, split = RECIPES[name].fit(dataset, profile, seed, progress)
    minutes = (time.perf_counter() - start) / 60
    from sklearn.metrics import recall_score

    predicted = probabilities.argmax(1).numpy()
    accuracy = float((predicted == labels).mean())
    classes = list(dataset.classes)
    per_class = recall_score(labels, predicted, labels=range(len(classes)), average=None, zero_division=np.nan)
    recall = {c: float(r) for c, r in zip(classes, per_class) if not np.isnan(r)}  # classes with test images
    return Result(
        model, classes, config, history, accuracy, split, len(labels), minutes, recall, describe_data(dataset)
    )


def describe_data(dataset: Dataset) -> dict:
    """What a model card says about the training data: name, licence, citation, images per split, and
    each class's share of the training images."""
    counts = dataset.counts()
    training = counts["train"] / counts["train"].sum()
    return {
        "name": dataset.name,
        "licence": dataset.info.get("licence", "not stated"),
        "citation": dataset.info.get("citation", "not stated"),
        "images": {split: int(n) for split, n in counts.sum().items()},
        "training_shares": {c: round(float(share), 4) for c, share in training.items()},
    }


def save(result: Result, recipe: str, profile: str, out: Path) -> None:
    """Write ``result`` as a model folder at ``out``, with its ``MODEL_CARD.md``."""
    from safetensors.torch import save as safetensors_bytes

    tensors = {key: value.detach().contiguous().cpu() for key, value in result.model.state_dict().items()}
    weights = safetensors_bytes(tensors)
    description = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "recipe": recipe,
        "recipe_description": RECIPES[recipe].description,
        "profile": profile,
        "classes": result.classes,
        "config": result.config,
        "metrics": {
            "accuracy": result.accuracy,
            "split": result.evaluated_on,
            "images": result.images,
            "training_minutes": round(result.minutes, 2),
            "recall": {c: round(r, 4) for c, r in result.recall.items()},
        },
        "data": result.data,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / WEIGHTS) as f:
        f.write(weights)
    with atomic_write(out / "history.csv") as f:
        f.write(result.history.to_csv(index=False).encode())
    _write_card(out, description)
    with atomic_write(out / DESCRIPTION) as f:
        f.write(json.dumps(description, indent=2).encode())


def read_description(folder: Path) -> dict:
    """``model.json`` of ``folder``; refuses a folder ``emocourse train`` did not write."""
    folder = Path(folder)
    path = folder / DESCRIPTION
    try:
        description = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        raise ModelDirError(
            f"{folder}: not a model folder written by 'emocourse train' (no readable {DESCRIPTION})"
        ) from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise ModelDirError(f"{path}: not written by 'emocourse train' (its format is not {FORMAT!r})")
    if description.get("format_version") != FORMAT_VERSION or description.get("recipe") not in RECIPES:
        raise ModelDirError(
            f"{path}: format version {description.get('format_version')} / recipe {description.get('recipe')!r} "
            f"is not one this emocourse reads (version {FORMAT_VERSION}; recipes {', '.join(RECIPES)})"
        )
    return description


def write_model_card(folder: str | Path, audit: pd.DataFrame | None = None, audit_by: str = "") -> Path:
    """Write ``folder/MODEL_CARD.md`` again from its ``model.json``, with ``audit``: metrics (columns) by
    group (rows) from a fairness audit by the attribute ``audit_by`` (chapter 7)."""
    return _write_card(Path(folder), read_description(folder), audit, audit_by)


def _write_card(folder: Path, description: dict, audit: pd.DataFrame | None = None, audit_by: str = "") -> Path:
    from .model_card import CARD, model_card

    with atomic_write(folder / CARD) as f:
        f.write(model_card(description, audit, audit_by).encode())
    return folder / CARD


def load(folder: Path) -> tuple[nn.Module, dict]:
    """The model in ``folder`` and its description; refuses a folder ``emocourse train`` did not write,
    or whose weights are damaged."""
    from safetensors.torch import load as safetensors_load

    folder = Path(folder)
    description = read_description(folder)
    weights = (folder / WEIGHTS).read_bytes() if (folder / WEIGHTS).is_file() else b""
    if hashlib.sha256(weights).hexdigest() != description.get("weights_sha256"):
        raise ModelDirError(f"{folder / WEIGHTS}: missing or damaged (its SHA-256 differs from {DESCRIPTION}'s)")
    recipe = RECIPES[description["recipe"]]
    model = recipe.build(description["config"], len(description["classes"]))
    model.load_state_dict(safetensors_load(weights))
    return model.eval(), description


def predict(
    folder: Path, images: list[Path], top: int = 3, face: str | None = None, runtime: str = "torch"
) -> list[dict]:
    """The ``top`` emotions of each image, most probable first: ``[{"image", "face_mode", "face",
    "top": [{"emotion", "probability"}, ...]}]``. ``face`` is a mode of
    :func:`emocourse.train.photos.face_crop` (default: the recipe's, ``auto`` for faces models,
    ``none`` for the others); ``"face"`` is ``{"box": [left, top, right, bottom]}``
    where a face was found and cut out, else ``None``, in the pixels of the image turned upright as
    its EXIF orientation says (a phone's portrait photo is stored on its side). All or nothing: an
    image that cannot be read stops with an error naming it, and images in which ``auto`` finds no
    face stop with one error naming them all, before anything is predicted. ``runtime``: ``torch``
    (the weights), or ``onnx`` (onnxruntime on the file ``emocourse export`` wrote)."""
    from PIL import Image, ImageOps

    if runtime not in RUNTIMES:
        raise ValueError(f"runtime={runtime!r}: must be one of {', '.join(RUNTIMES)}")
    description = read_description(folder)
    model = load(folder)[0] if runtime == "torch" else None  # damaged weights stop it before any image
    recipe, classes = RECIPES[description["recipe"]], description["classes"]
    face = face or recipe.face_mode
    opened = []
    for path in images:
        try:
            with Image.open(path) as image:
                image.load()
                opened.append(ImageOps.exif_transpose(image))  # a copy, upright
        except (OSError, ValueError) as err:
            raise ValueError(f"{path}: cannot read this image ({err})") from None
    cut = [face_crop(image, face) for image in opened]
    faceless = [str(path) for path, (shown, _) in zip(images, cut) if shown is None]
    if faceless:
        raise ValueError(
            f"{', '.join(faceless)}: no frontal face found; --face none uses the whole photo"
            + ("" if len(images) == 1 else " (no image was predicted)")
        )
    config = description["config"]
    batch = recipe.inputs(config, [shown for shown, _ in cut])
    if runtime == "onnx":
        import torch

        probabilities = torch.from_numpy(onnx_probabilities(folder, batch.numpy()))
    else:
        probabilities = recipe.probabilities(config, model, batch)
    results = []
    for path, (_, box), row in zip(images, cut, probabilities):
        best = row.argsort(descending=True)[: min(top, len(classes))]
        results.append(
            {
                "image": str(path),
                "face_mode": face,
                "face": None if box is None else {"box": list(box)},
                "top": [{"emotion": classes[i], "probability": round(float(row[i]), 4)} for i in best],
            }
        )
    return results


def onnx_probabilities(folder: str | Path, batch: np.ndarray) -> np.ndarray:
    """Class probabilities of a batch (from :meth:`Recipe.inputs`) under the ONNX file of ``folder``,
    run by onnxruntime; refuses a folder never exported, or whose file differs from ``model.json``'s."""
    import onnxruntime

    folder = Path(folder)
    entry = read_description(folder).get("onnx")
    if not entry:
        raise ModelDirError(f"{folder}: no ONNX model; run 'emocourse export {folder}' first")
    path = folder / entry["file"]
    data = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ModelDirError(f"{path}: missing or damaged (its SHA-256 differs from {DESCRIPTION}'s)")
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    return session.run([ONNX_OUTPUT], {ONNX_INPUT: np.asarray(batch, dtype=np.float32)})[0]
