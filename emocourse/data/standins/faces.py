"""A FER2013-like stand-in: 48×48 grey cartoon faces with seven expressions and FER+ votes.

Each face has an identity (head shape, skin and hair tone, hairstyle), a pose (tilt, turn),
lighting (brightness, a directional gradient, noise) and sometimes an occlusion (glasses,
sunglasses, a hand, a fringe over the brows) or a watermark. Its expression is a point in a
small space of facial actions — mouth curve, mouth opening and width, brow height, inner-brow
raise, eye opening, nose wrinkle — drawn around the prototype of its class with a random
intensity, so that weak expressions drift towards neutral and towards the classes whose
actions they share (sad, fear and neutral share raised inner brows and still mouths).
Ten simulated raters look at the same actions through their own noise and vote, as the
FER+ crowd did. Written in the release layouts (``fer2013.csv`` and ``fer2013new.csv``) so
the real adapters read it.

:func:`posed_faces` draws a second, *posed* set in the manner of laboratory datasets such as
CK+: peak expressions held for the camera, frontal heads framed closer, no occlusions, one
studio light from the side, a plain background, CK+'s seven classes (contempt instead of
neutral) and no votes. It is the domain shift of chapter 6. Book: *Datasets* → *Stand-in faces*.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFilter

from ...fileio import atomic_write
from ...taxonomy import FER2013, FERPLUS
from ..curation import apportion

#: Bumped whenever the same arguments would draw other faces.
VERSION = 1
POSED_VERSION = 1

#: FER2013's training-set class shares (%), in label-id order.
SHARES = {"angry": 13.9, "disgust": 1.5, "fear": 14.3, "happy": 25.1, "sad": 16.8, "surprise": 11.0, "neutral": 17.3}
USAGE = (("Training", 0.8), ("PublicTest", 0.1), ("PrivateTest", 0.1))

ACTIONS = ("smile", "mouth_open", "mouth_wide", "brow_raise", "brow_inner", "eye_open", "wrinkle")
#: Prototype facial actions per expression (FER+ names; contempt is a faint one-sided smile).
PROTOTYPES = {
    "anger": (-0.2, 0.1, -0.2, -0.45, -0.6, -0.2, 0.2),
    "disgust": (-0.6, 0.25, 0.1, -0.4, -0.4, -0.6, 1.0),
    "fear": (-0.3, 0.2, 0.6, 0.25, 0.8, 0.6, 0.0),
    "happiness": (1.0, 0.45, 0.6, 0.1, 0.0, -0.3, 0.1),
    "sadness": (-0.7, 0.05, -0.1, -0.1, 0.8, -0.4, 0.0),
    "surprise": (0.0, 0.9, -0.4, 1.0, 0.3, 1.0, 0.0),
    "neutral": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "contempt": (0.35, 0.0, -0.3, -0.1, -0.2, -0.3, 0.0),
}
#: CK+'s peak-expression frames per class (Lucey et al. 2010: 327 sequences), the posed set's shares.
POSED_SHARES = {"angry": 45, "contempt": 18, "disgust": 59, "fear": 25, "happy": 69, "sad": 28, "surprise": 83}
#: Where a weak expression of each class drifts besides neutral (the confusions of FER2013).
NEIGHBOURS = {
    "angry": "disgust",
    "disgust": "angry",
    "fear": "sad",
    "happy": "neutral",
    "sad": "fear",
    "surprise": "fear",
    "neutral": "sad",
}

#: The posed set's head size (half-width, half-height, as shares of the side) and how much darker its
#: lamp leaves the far side of the face.
POSED_HALF_WIDTH, POSED_HALF_HEIGHT, POSED_LAMP = (0.46, 0.5), (0.62, 0.66), (0.9, 1.1)


@dataclass(frozen=True)
class Look:
    """How a face is drawn: its skin tone range, whether the features are darker or lighter than the
    skin, the head's half-width (share of the side), and where the eyes and the mouth sit (shares of the
    head's half-height above and below its centre). The default is every FER-like stand-in face's."""

    skin: tuple[float, float] = (95, 215)
    lighter_features: bool = False
    half_width: tuple[float, float] = (0.29, 0.36)
    eyes: float = 0.12
    mouth: float = 0.48


SCALE = 2  # draw at 96 px, then shrink to 48 px for anti-aliasing
SIDE = 48 * SCALE


def _prototype(label: str) -> np.ndarray:
    return np.array(PROTOTYPES[FERPLUS.find(label)])


def expression(label: str, rng: np.random.Generator) -> np.ndarray:
    """Facial actions of one face of class ``label``: a weak or strong, noisy prototype."""
    intensity = rng.beta(2.2, 1.6)
    drift = rng.uniform(0, 0.45) * _prototype(NEIGHBOURS[label])
    actions = intensity * _prototype(label) + (1 - intensity) * drift + rng.normal(0, 0.2, len(ACTIONS))
    return np.clip(actions, -1.2, 1.2)


def votes(actions: np.ndarray, rng: np.random.Generator, raters: int = 10) -> np.ndarray:
    """FER+-style vote counts over the 8 emotions + unknown (+ NF = 0) for one face."""
    prototypes = np.array([PROTOTYPES[c] for c in FERPLUS.classes])
    perceived = actions + rng.normal(0, 0.3, (raters, len(ACTIONS)))
    distance = ((perceived[:, None, :] - prototypes[None]) ** 2).sum(-1)
    logits = -distance / 0.35
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    choices = [rng.choice(len(FERPLUS), p=p) if rng.random() > 0.02 else len(FERPLUS) for p in probs]
    return np.bincount(choices, minlength=len(FERPLUS) + 2)


def posed_expression(label: str, rng: np.random.Generator) -> np.ndarray:
    """Facial actions of a posed face: the prototype of ``label`` near its peak, little noise."""
    actions = rng.uniform(0.8, 1.1) * _prototype(label) + rng.normal(0, 0.1, len(ACTIONS))
    return np.clip(actions, -1.2, 1.2)


def _curve(x0, x1, y, bend, steps=9):
    xs = np.linspace(x0, x1, steps)
    t = np.linspace(-1, 1, steps)
    return list(zip(xs, y + bend * (1 - t**2)))  # positive bend: corners up (a smile)


def draw_face(actions: np.ndarray, rng: np.random.Generator, posed: bool = False, look: Look = Look()) -> np.ndarray:
    """Render one 48×48 uint8 face showing ``actions``, with a random identity, pose, light and occlusion,
    drawn with ``look``; ``posed``: frontal, framed closer, unoccluded, lit from the side (see
    :func:`posed_faces`)."""
    smile, mouth_open, mouth_wide, brow_raise, brow_inner, eye_open, wrinkle = actions
    s = SIDE
    background = rng.uniform(90, 140) if posed else rng.uniform(20, 235)
    skin = rng.uniform(*look.skin)
    hair = rng.uniform(10, 80) if rng.random() < 0.8 else rng.uniform(150, 230)
    image = Image.new("L", (s, s), int(background))
    draw = ImageDraw.Draw(image)
    if posed:  # centred, a head that fills more of the frame, looking at the camera
        cx, cy = s / 2 + rng.normal(0, 0.5 * SCALE), s / 2 + 5 * SCALE
        hw, hh = s * rng.uniform(*POSED_HALF_WIDTH), s * rng.uniform(*POSED_HALF_HEIGHT)
        turn = 0.0
    else:
        cx, cy = s / 2 + rng.normal(0, 2.5 * SCALE), s / 2 + 3 * SCALE + rng.normal(0, 2 * SCALE)
        hw, hh = s * rng.uniform(*look.half_width), s * rng.uniform(0.40, 0.47)
        turn = rng.normal(0, 0.08) * s  # yaw: features slide sideways
    if rng.random() < 0.5:  # long hair behind the head
        draw.ellipse([cx - hw * 1.15, cy - hh * 1.05, cx + hw * 1.15, cy + hh * 0.9], fill=int(hair))
    draw.ellipse([cx - hw, cy - hh, cx + hw, cy + hh], fill=int(skin))
    draw.chord(
        [cx - hw * 1.02, cy - hh * 1.08, cx + hw * 1.02, cy + hh * rng.uniform(-0.3, 0.1)], 180, 360, fill=int(hair)
    )
    fx = cx + turn
    contrast = rng.uniform(70, 110)
    ink = int(min(255, skin + contrast) if look.lighter_features else max(0, skin - contrast))
    eye_y = cy - hh * look.eyes
    gap = hw * rng.uniform(0.38, 0.48)
    eye_w = hw * 0.2
    eye_h = hw * 0.09 * (1.6 + 0.9 * eye_open)
    for side in (-1, 1):
        ex = fx + side * gap
        draw.ellipse([ex - eye_w, eye_y - eye_h, ex + eye_w, eye_y + eye_h], fill=235)
        pupil = eye_w * 0.45
        draw.ellipse([ex - pupil, eye_y - pupil, ex + pupil, eye_y + pupil], fill=25)
        brow_y = eye_y - hw * (0.3 + 0.14 * brow_raise)
        inner = brow_y - hw * 0.11 * brow_inner
        outer = brow_y + hw * 0.03 * brow_inner
        draw.line([(ex - side * eye_w * 1.2, inner), (ex + side * eye_w * 1.3, outer)], fill=ink, width=3 * SCALE)
    nose_y = cy + hh * 0.18
    draw.line([(fx, eye_y + eye_h), (fx - hw * 0.08, nose_y)], fill=ink, width=SCALE)
    if wrinkle > 0.3:
        for k in (-1, 1):
            draw.line(
                [(fx + k * hw * 0.12, eye_y + eye_h * 1.5), (fx + k * hw * 0.2, nose_y - hh * 0.03)],
                fill=ink,
                width=SCALE,
            )
    mouth_y = cy + hh * (look.mouth - 0.05 * max(wrinkle, 0))
    half = hw * (0.33 + 0.12 * mouth_wide)
    bend = hh * 0.12 * smile
    upper = _curve(fx - half, fx + half, mouth_y, bend)
    if mouth_open > 0.15:
        lower = _curve(fx - half, fx + half, mouth_y + hh * 0.22 * mouth_open, bend + hh * 0.1 * mouth_open)
        draw.polygon(upper + lower[::-1], fill=25)
    draw.line(upper, fill=ink, width=2 * SCALE)
    if posed:
        image = image.rotate(rng.normal(0, 1.5), resample=Image.BILINEAR, fillcolor=int(background))
        image = image.resize((48, 48), Image.BOX)
        return _side_light(np.asarray(image, dtype=np.float32), rng)
    _occlude(draw, rng, fx, eye_y, gap, eye_w, mouth_y, hw, hh, skin, hair)
    image = image.rotate(rng.normal(0, 7), resample=Image.BILINEAR, fillcolor=int(background))
    if rng.random() < 0.03:
        ImageDraw.Draw(image).text(
            (rng.uniform(0, s / 3), rng.uniform(s * 0.75, s * 0.9)),
            rng.choice(["stock", "photo", "(c) pics"]),
            fill=int(rng.uniform(180, 255)),
        )
    image = image.resize((48, 48), Image.BOX).filter(ImageFilter.GaussianBlur(rng.uniform(0, 0.6)))
    return _light(np.asarray(image, dtype=np.float32), rng)


def _occlude(draw, rng, fx, eye_y, gap, eye_w, mouth_y, hw, hh, skin, hair):
    roll = rng.random()
    if roll < 0.10:  # glasses
        for side in (-1, 1):
            r = eye_w * 1.5
            draw.ellipse([fx + side * gap - r, eye_y - r, fx + side * gap + r, eye_y + r], outline=20, width=SCALE)
        draw.line([(fx - gap + eye_w * 1.5, eye_y), (fx + gap - eye_w * 1.5, eye_y)], fill=20, width=SCALE)
    elif roll < 0.13:  # sunglasses hide the eyes
        for side in (-1, 1):
            r = eye_w * 1.5
            draw.ellipse([fx + side * gap - r, eye_y - r * 0.8, fx + side * gap + r, eye_y + r * 0.8], fill=15)
    elif roll < 0.19:  # a hand over mouth or cheek
        hx = fx + rng.uniform(-1, 1) * hw * 0.6
        draw.ellipse(
            [hx - hw * 0.35, mouth_y - hh * 0.25, hx + hw * 0.35, mouth_y + hh * 0.45],
            fill=int(np.clip(skin + rng.normal(0, 15), 0, 255)),
        )
    elif roll < 0.31:  # a fringe down to the brows
        draw.rectangle([fx - hw, eye_y - hh * 0.55, fx + hw, eye_y - hw * rng.uniform(0.25, 0.45)], fill=int(hair))


def _light(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:48, 0:48] / 47 - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    gradient = 1 + rng.uniform(0, 0.6) * (np.cos(angle) * xx + np.sin(angle) * yy)
    contrast, brightness = rng.uniform(0.6, 1.2), rng.normal(0, 18)
    pixels = (pixels - 128) * contrast + 128 + brightness
    pixels = pixels * gradient + rng.normal(0, rng.uniform(2, 8), pixels.shape)
    return np.clip(pixels, 0, 255).round().astype(np.uint8)


def _side_light(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One studio lamp on the left: the far side of the face in shadow, high contrast, little noise."""
    xx = np.mgrid[0:48, 0:48][1] / 47
    lamp = 1.25 - rng.uniform(*POSED_LAMP) * xx
    pixels = ((pixels - 128) * 1.3 + 128) * lamp + rng.normal(0, 1.5, pixels.shape)
    return np.clip(pixels, 0, 255).round().astype(np.uint8)


def non_face(rng: np.random.Generator) -> np.ndarray:
    """An image that is not a face (noise, a blank frame, a texture): FER2013 has a few."""
    kind = rng.integers(3)
    if kind == 0:
        return rng.integers(0, 256, (48, 48), dtype=np.uint8)
    if kind == 1:
        return np.full((48, 48), rng.integers(0, 256), np.uint8)
    stripes = np.sin(np.arange(48) / rng.uniform(1, 4))[None, :] * 100 + 128
    return np.repeat(stripes, 48, 0).astype(np.uint8)


def generate(n: int = 12_000, seed: int = 0, non_face_share: float = 0.003) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two release tables: ``fer2013.csv`` (``emotion,pixels,Usage``) and ``fer2013new.csv``."""
    if n < 100:
        raise ValueError(f"n={n}: the faces stand-in needs at least 100 faces")
    rng = np.random.default_rng(seed)
    labels = np.array([c for c, k in apportion(n, SHARES).items() for _ in range(k)])
    rng.shuffle(labels)
    bounds = np.cumsum([0] + [round(n * share) for _, share in USAGE[:-1]] + [n])
    usage = np.empty(n, dtype=object)
    for (name, _), lo, hi in zip(USAGE, bounds[:-1], bounds[1:]):
        usage[lo:hi] = name
    fer_rows, vote_rows = [], []
    for i, (label, use) in enumerate(zip(labels, usage)):
        if rng.random() < non_face_share:
            pixels, counts, name = non_face(rng), np.r_[np.zeros(len(FERPLUS) + 1, int), 10], ""
        else:
            actions = expression(label, rng)
            pixels, counts, name = draw_face(actions, rng), votes(actions, rng), f"fer{i:07d}.png"
        fer_rows.append((FER2013.index(label), " ".join(map(str, pixels.ravel())), use))
        vote_rows.append((use, name, *counts))
    fer = pd.DataFrame(fer_rows, columns=["emotion", "pixels", "Usage"])
    ferplus = pd.DataFrame(vote_rows, columns=["Usage", "Image name", *FERPLUS.classes, "unknown", "NF"])
    return fer, ferplus


def write_release(folder: str | Path, n: int = 12_000, seed: int = 0) -> Path:
    """Write ``fer2013.csv`` and ``fer2013new.csv`` into ``folder`` (atomically); return it."""
    folder = Path(folder)
    for name, frame in zip(("fer2013.csv", "fer2013new.csv"), generate(n, seed)):
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        with atomic_write(folder / name) as f:
            f.write(buffer.getvalue().encode())
    return folder


def posed_faces(n: int = 600, seed: int = 0) -> tuple[list[str], list[np.ndarray]]:
    """``n`` posed faces in CK+'s class shares: their labels and 48×48 uint8 pixels."""
    if n < len(POSED_SHARES):
        raise ValueError(f"n={n}: the posed faces need at least one face per class ({len(POSED_SHARES)})")
    rng = np.random.default_rng(seed)
    labels = [c for c, k in apportion(n, POSED_SHARES).items() for _ in range(k)]
    return labels, [draw_face(posed_expression(label, rng), rng, posed=True) for label in labels]
