"""An FI-like stand-in: affective images for the 8 Mikels emotions, with a simulated crawl.

How an image carries emotion here (book: *Datasets* → *Stand-in affective images*):

- **colour** — brightness and saturation move pleasure and arousal as Valdez & Mehrabian
  (1994) measured; hues follow common associations (anger red, sadness grey-blue,
  contentment green, awe deep blue, …);
- **texture** — smooth for calm emotions, rough for disgust and anger;
- **composition and objects** — each emotion has motifs (balloons, bursts, mountains, rolling
  hills, cracks, blotches, dark trunks with eyes, rain) that a pretrained CNN recognises far
  better than colour statistics can;
- **a small face** — most images show a person, a face a few pixels wide whose expression
  (mouth, brows, eyes) is the image's main emotion. Pooled ImageNet features barely read it;
  a network whose top blocks are fine-tuned learns to (chapter 3).

Every candidate image has a latent mixture of a primary and a secondary emotion; neighbouring
emotions (amusement and excitement, fear and sadness, …) mix often, so they overlap as in real
data. The crawl follows You et al. (2016): candidates are found by a search query (the weak
label); five raters each answer "do you feel <query>?" according to the image's mixture; an
image is kept with at least 3 "yes". Some candidates are dead links, some near-duplicate
re-uploads (a few under another query), some monochrome.
"""

from __future__ import annotations

import colorsys
import io
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ...taxonomy import FI
from ..curation import apportion

#: Bumped whenever the same arguments would draw other images or another table (2: small faces with
#: expressions; 3: the raters' mean valence and arousal, same images).
VERSION = 3

#: FI's class shares (%) after verification (You et al. 2016).
SHARES = {
    "amusement": 21.2,
    "anger": 5.4,
    "awe": 13.5,
    "contentment": 23.1,
    "disgust": 7.1,
    "excitement": 12.7,
    "fear": 4.4,
    "sadness": 12.5,
}


@dataclass(frozen=True)
class Style:
    hue: float  # degrees
    saturation: float  # 0..1
    value: float  # brightness 0..1
    roughness: float  # 0..1
    motif: str
    motif_rate: float  # how often an image of this emotion shows its motif


STYLES = {
    "amusement": Style(42, 0.75, 0.88, 0.25, "balloons", 0.85),
    "anger": Style(2, 0.85, 0.50, 0.60, "cracks", 0.8),
    "awe": Style(228, 0.55, 0.62, 0.15, "mountains", 0.85),
    "contentment": Style(105, 0.45, 0.78, 0.10, "hills", 0.95),
    "disgust": Style(62, 0.55, 0.42, 0.85, "blotches", 0.8),
    "excitement": Style(18, 0.90, 0.80, 0.45, "burst", 0.85),
    "fear": Style(235, 0.25, 0.25, 0.35, "trunks", 0.35),
    "sadness": Style(212, 0.20, 0.38, 0.20, "rain", 0.8),
}

#: Which emotion a candidate's secondary component tends to be (weights, normalised below).
NEIGHBOURS = {
    "amusement": {"excitement": 8, "contentment": 1},
    "anger": {"disgust": 3, "fear": 1},
    "awe": {"contentment": 1, "fear": 1},
    "contentment": {"awe": 1, "amusement": 1},
    "disgust": {"anger": 3, "sadness": 1},
    "excitement": {"amusement": 8, "anger": 1},
    "fear": {"sadness": 10, "anger": 1},
    "sadness": {"fear": 1, "contentment": 1, "disgust": 1},
}
#: Probability that a search for the query returns an image whose main emotion is the query
#: (anger searches return the most off-topic images, contentment searches the fewest).
PRECISION = {
    "amusement": 0.36,
    "anger": 0.17,
    "awe": 0.34,
    "contentment": 0.42,
    "disgust": 0.24,
    "excitement": 0.34,
    "fear": 0.36,
    "sadness": 0.32,
}
DEAD_SHARE = 0.08
DUPLICATE_SHARE = 0.04
RELABELLED_DUPLICATE_SHARE = 0.4  # of the duplicates, re-uploaded under another query
RATERS = 5
#: Where each emotion sits on the 1–9 valence (unpleasant to pleasant) and arousal (calm to excited)
#: scales that raters use: our choice, the usual circumplex placement (Russell 1980), built into the
#: stand-in; not a measurement.
AFFECT_SPACE = {
    "amusement": (7.0, 5.5),
    "anger": (2.6, 6.6),
    "awe": (6.8, 5.0),
    "contentment": (7.2, 3.5),
    "disgust": (2.5, 5.6),
    "excitement": (7.4, 6.8),
    "fear": (2.8, 6.4),
    "sadness": (2.3, 3.8),
}
AFFECT_RATERS = 15  # as many as Emotion6 asked per photo
COLOUR_STRENGTH = (0.0, 0.2)  # range of the share of an image's colour that comes from its emotions
DISTRACTOR_SHARE = 0.25  # images that also show a motif of an unrelated emotion
FACE_SHARE = 0.8  # images that show a small face with the expression of their main emotion
FACE_SIZE = (0.07, 0.11)  # its radius, as a share of the image side


@dataclass(frozen=True)
class Candidate:
    """One search result: what a crawler sees (id, query, alive) and the generator's secret."""

    id: int
    query: str
    alive: bool
    primary: str
    secondary: str
    weight: float  # share of the primary emotion in the image's mixture
    monochrome: bool
    duplicate_of: int  # -1 unless this is a re-upload of that candidate
    seed: int  # drawing seed (a duplicate keeps its original's)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return names[rng.choice(len(names), p=p / p.sum())]


def candidate(index: int, query: str, rng: np.random.Generator, originals: list[Candidate]) -> Candidate:
    """Draw one search result for ``query``."""
    alive = rng.random() > DEAD_SHARE
    if originals and rng.random() < DUPLICATE_SHARE:
        same_query = [o for o in originals if o.query == query]
        pool = originals if rng.random() < RELABELLED_DUPLICATE_SHARE or not same_query else same_query
        o = pool[rng.integers(len(pool))]
        return Candidate(index, query, alive, o.primary, o.secondary, o.weight, o.monochrome, o.id, o.seed)
    if rng.random() < PRECISION[query]:
        primary = query
    else:
        primary = _pick(rng, {e: (4 if e in NEIGHBOURS[query] else 1) for e in FI if e != query})
    secondary = _pick(rng, NEIGHBOURS[primary])
    # Fear rarely comes alone: its images always carry a good share of another emotion.
    weight = float(rng.uniform(0.5, 0.7 if primary == "fear" else 1.0) ** 0.7)
    monochrome = rng.random() < {"sadness": 0.15, "fear": 0.12}.get(primary, 0.03)
    return Candidate(index, query, alive, primary, secondary, weight, monochrome, -1, int(rng.integers(2**31)))


def feels(c: Candidate, emotion: str) -> float:
    """How strongly candidate ``c`` carries ``emotion`` (its share in the latent mixture)."""
    return (c.weight if c.primary == emotion else 0.0) + (1 - c.weight if c.secondary == emotion else 0.0)


def rate(c: Candidate, rng: np.random.Generator) -> np.ndarray:
    """Five raters answer "do you feel <query>?" (1 = yes), each with their own threshold."""
    strength = feels(c, c.query)
    thresholds = rng.normal(0.55, 0.2, RATERS)
    return (strength + rng.normal(0, 0.2, RATERS) > thresholds).astype(np.int8)


def mean_ratings(c: Candidate, seed: int) -> tuple[float, float]:
    """The mean valence and arousal (1–9) that :data:`AFFECT_RATERS` raters give candidate ``c``: its
    mixture's place in :data:`AFFECT_SPACE`, moved by what this one image evokes beyond it, and each
    rater's whole-number rating around that. Drawn from a generator of its own (``seed``, ``c.id``), so
    the crawl and the images stay the bytes they were."""
    rng = np.random.default_rng([seed, c.id, 3])
    place = c.weight * np.array(AFFECT_SPACE[c.primary]) + (1 - c.weight) * np.array(AFFECT_SPACE[c.secondary])
    evoked = place + rng.normal(0, 0.6, 2)
    ratings = np.clip(np.rint(evoked + rng.normal(0, 1.5, (AFFECT_RATERS, 2))), 1, 9)
    valence, arousal = ratings.mean(0).round(2)
    return float(valence), float(arousal)


# ---------------------------------------------------------------- drawing


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((hue % 360) / 360, float(np.clip(saturation, 0, 1)), float(np.clip(value, 0, 1)))
    return int(r * 255), int(g * 255), int(b * 255)


def _blend_hue(a: float, b: float, w: float) -> float:
    return a + (1 - w) * (((b - a + 180) % 360) - 180)


def _mix(a: Style, b: Style, w: float, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """Colour and roughness of an image: the emotions' styles, partly washed out by a random
    palette (photos are rarely painted in their emotion's colours alone)."""
    hue = _blend_hue(a.hue, b.hue, w)
    saturation = w * a.saturation + (1 - w) * b.saturation
    value = w * a.value + (1 - w) * b.value
    roughness = w * a.roughness + (1 - w) * b.roughness
    k = rng.uniform(*COLOUR_STRENGTH)  # how much of the emotion's colour survives
    hue = _blend_hue(hue, rng.uniform(0, 360), k) + rng.normal(0, 15)
    saturation = k * saturation + (1 - k) * rng.uniform(0.15, 0.9) + rng.normal(0, 0.05)
    value = k * value + (1 - k) * rng.uniform(0.25, 0.9) + rng.normal(0, 0.05)
    roughness = k * roughness + (1 - k) * rng.uniform(0, 0.8)
    return hue, saturation, value, float(np.clip(roughness, 0, 1))


# Every motif is drawn with the same two inks (a light and a dark colour of the image's own
# palette) over similar areas, so that it changes an image's shapes far more than its colour
# statistics: recognising it takes a shape detector, not a colour histogram.


def _balloons(draw, rng, s, light, dark):
    for k in range(rng.integers(3, 7)):
        x, y, r = rng.uniform(0.1, 0.9) * s, rng.uniform(0.15, 0.6) * s, rng.uniform(0.05, 0.1) * s
        draw.line([(x, y + r), (x + rng.normal(0, 4), y + r + s * 0.3)], fill=dark, width=1)
        draw.ellipse([x - r, y - r * 1.2, x + r, y + r], fill=light if k % 2 else dark)


def _burst(draw, rng, s, light, dark):
    cx, cy = rng.uniform(0.3, 0.7, 2) * s
    rays, length = int(rng.integers(10, 20)), rng.uniform(0.25, 0.4) * s
    for k in range(rays):
        a = 2 * np.pi * k / rays + rng.normal(0, 0.05)
        draw.line(
            [(cx, cy), (cx + length * np.cos(a), cy + length * np.sin(a))], fill=light if k % 2 else dark, width=3
        )
    r = rng.uniform(0.04, 0.08) * s
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=light)


def _mountains(draw, rng, s, light, dark):
    for _ in range(rng.integers(1, 3)):
        peak, width, top = rng.uniform(0.2, 0.8) * s, rng.uniform(0.3, 0.5) * s, rng.uniform(0.25, 0.5) * s
        draw.polygon([(peak - width, s), (peak, top), (peak + width, s)], fill=dark)
        snow = 0.2
        draw.polygon(
            [(peak - width * snow, top + (s - top) * snow), (peak, top), (peak + width * snow, top + (s - top) * snow)],
            fill=light,
        )
    x = rng.uniform(0.2, 0.8) * s  # a tiny person for scale
    draw.line([(x, s * 0.97), (x, s * 0.92)], fill=light, width=2)


def _hills(draw, rng, s, light, dark):
    sun = rng.uniform(0.06, 0.1) * s
    sx, sy = rng.uniform(0.2, 0.8) * s, rng.uniform(0.12, 0.3) * s
    draw.ellipse([sx - sun, sy - sun, sx + sun, sy + sun], fill=light)
    for k in range(rng.integers(1, 3)):
        cy = s * (0.72 + 0.1 * k)
        draw.ellipse(
            [-0.3 * s + rng.normal(0, 10), cy, 1.3 * s + rng.normal(0, 10), cy + s * 0.8],
            fill=dark if k == 0 else light,
        )


def _cracks(draw, rng, s, light, dark):
    for k in range(rng.integers(2, 5)):
        x, y = rng.uniform(0, s), 0.0
        points = [(x, y)]
        while y < s:
            x += rng.normal(0, s * 0.12)
            y += rng.uniform(0.05, 0.15) * s
            points.append((x, y))
        draw.line(points, fill=dark if k % 2 else light, width=int(rng.integers(2, 4)))
    for _ in range(rng.integers(1, 4)):  # sharp spikes
        x = rng.uniform(0, s)
        draw.polygon(
            [(x - s * 0.04, s), (x + rng.normal(0, 6), s * rng.uniform(0.5, 0.75)), (x + s * 0.04, s)], fill=dark
        )


def _blotches(draw, rng, s, light, dark):
    for k in range(rng.integers(8, 18)):
        x, y = rng.uniform(0, s, 2)
        rx, ry = rng.uniform(0.02, 0.06, 2) * s
        draw.ellipse([x - rx, y - ry, x + rx, y + ry], fill=dark if k % 2 else light)
        draw.ellipse([x - rx / 3, y - ry / 3, x + rx / 3, y + ry / 3], fill=light if k % 2 else dark)


def _trunks(draw, rng, s, light, dark):
    for _ in range(rng.integers(2, 4)):
        x, w = rng.uniform(0, s), rng.uniform(0.02, 0.05) * s
        draw.polygon([(x - w, s), (x - w * 0.4, 0), (x + w * 0.4, 0), (x + w, s)], fill=dark)
        for _ in range(rng.integers(1, 4)):
            y = rng.uniform(0.1, 0.6) * s
            draw.line([(x, y), (x + rng.normal(0, s * 0.15), y - rng.uniform(0.05, 0.15) * s)], fill=dark, width=2)
    ex, ey = rng.uniform(0.2, 0.8) * s, rng.uniform(0.3, 0.7) * s  # eyes in the dark
    for dx in (-0.03 * s, 0.03 * s):
        draw.ellipse([ex + dx - 2, ey - 2, ex + dx + 2, ey + 2], fill=light)


def _rain(draw, rng, s, light, dark):
    slant = rng.uniform(-0.25, 0.05) * s
    for k in range(rng.integers(25, 50)):
        x, y = rng.uniform(-0.2, 1.1) * s, rng.uniform(-0.1, 1.0) * s
        draw.line([(x, y), (x + slant * 0.15, y + 0.12 * s)], fill=light if k % 3 else dark, width=1)
    x = rng.uniform(0.2, 0.8) * s  # a drooping willow
    for k in range(rng.integers(4, 9)):
        draw.arc([x - s * 0.3, s * 0.1, x + s * 0.3 * (k % 3 + 1) / 3, s * 0.9], 180, 270 + 10 * k, fill=dark, width=2)


@dataclass(frozen=True)
class Expression:
    smile: float  # mouth curvature: 1 a broad smile, -1 a deep frown
    mouth_open: float  # 0 closed .. 1 wide open
    brows: float  # -1 lowered in a V (anger) .. 1 inner ends raised (worry, surprise)
    eyes_open: float  # 0 closed (a happy arc) .. 1 wide open


EXPRESSIONS = {
    "amusement": Expression(1.0, 0.5, 0.0, 0.3),
    "anger": Expression(-0.5, 0.3, -1.0, 0.5),
    "awe": Expression(0.0, 0.8, 0.7, 1.0),
    "contentment": Expression(0.6, 0.0, 0.0, 0.0),
    "disgust": Expression(-0.8, 0.1, -0.6, 0.2),
    "excitement": Expression(0.8, 1.0, 0.6, 1.0),
    "fear": Expression(-0.4, 0.9, 1.0, 1.0),
    "sadness": Expression(-1.0, 0.0, 0.9, 0.3),
}


def _face(draw, rng, s, light, dark, e: Expression):
    """A small face: a light disc with dark eyes, brows and mouth posed as ``e`` (with some jitter)."""
    r = rng.uniform(*FACE_SIZE) * s
    cx, cy = rng.uniform(r, s - r), rng.uniform(r, s - r)
    jitter = lambda v: float(np.clip(v + rng.normal(0, 0.15), -1, 1))  # noqa: E731
    smile, mouth_open, brows, eyes_open = (jitter(v) for v in (e.smile, e.mouth_open, e.brows, e.eyes_open))
    width = max(1, round(r / 8))
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=light)
    for side in (-1, 1):
        ex, ey = cx + side * 0.38 * r, cy - 0.15 * r
        w, h = 0.16 * r, 0.03 * r + 0.14 * r * max(0.0, eyes_open)
        if eyes_open < 0.15:  # closed: an arc
            draw.arc([ex - w, ey - w, ex + w, ey + w], 200, 340, fill=dark, width=width)
        else:
            draw.ellipse([ex - w, ey - h, ex + w, ey + h], fill=dark)
        inner, outer = ey - (0.35 + 0.18 * brows) * r, ey - (0.35 - 0.05 * brows) * r
        draw.line([(ex - side * 0.05 * r, inner), (ex + side * 0.28 * r, outer)], fill=dark, width=width)
    mx, my, mw = cx, cy + 0.45 * r, 0.38 * r
    curve, gap = 0.25 * r * smile, 0.3 * r * max(0.0, mouth_open)
    upper = [(mx + mw * t, my - curve * t * t) for t in np.linspace(-1, 1, 9)]  # corners up for a smile
    if gap > 0.05 * r:
        lower = [(x, y + gap * (1 - ((x - mx) / mw) ** 2)) for x, y in reversed(upper)]
        draw.polygon(upper + lower, fill=dark)
    else:
        draw.line(upper, fill=dark, width=width)


MOTIFS = {
    "balloons": _balloons,
    "burst": _burst,
    "mountains": _mountains,
    "hills": _hills,
    "cracks": _cracks,
    "blotches": _blotches,
    "trunks": _trunks,
    "rain": _rain,
}


def _face_rng(c: Candidate) -> np.random.Generator:
    return np.random.default_rng([c.seed, 1])


def face(c: Candidate) -> str:
    """The expression of the small face in ``c``'s picture (its main emotion), or "" when it shows none."""
    return c.primary if _face_rng(c).random() < FACE_SHARE else ""


def draw(c: Candidate, size: int, expression: str | None = None) -> Image.Image:
    """Render candidate ``c`` (a re-upload gets its original's picture, slightly re-cropped).

    ``expression`` redraws the same picture with a face showing that emotion ("" for no face)."""
    rng = np.random.default_rng(c.seed)
    a, b = STYLES[c.primary], STYLES[c.secondary]
    hue, sat, val, rough = _mix(a, b, c.weight, rng)
    top, bottom = np.array(_rgb(hue - 15, sat, val * 1.1)), np.array(_rgb(hue + 15, sat * 0.9, val * 0.8))
    t = np.linspace(0, 1, size)[:, None, None]
    pixels = (1 - t) * top + t * bottom + np.zeros((size, size, 3))
    coarse = rng.normal(0, 1, (8, 8, 3))
    coarse = np.asarray(
        Image.fromarray(((coarse + 3) * 40).clip(0, 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
    )
    pixels += (coarse - 120) * rough * 0.5 + rng.normal(0, 1, pixels.shape) * rough * 30
    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    canvas = ImageDraw.Draw(image)
    light = _rgb(hue + rng.normal(0, 40), sat * 0.6, min(1.0, val + 0.35))
    dark = _rgb(hue + rng.normal(0, 40), sat, val * 0.35)
    motifs = [a.motif] if rng.random() < a.motif_rate else []
    # Fear rarely comes alone (see candidate()): its second emotion always shows.
    motifs += [b.motif] if rng.random() < (1.0 if c.primary == "fear" else 1.1 * (1 - c.weight)) else []
    motifs += [STYLES[FI.label(int(rng.integers(len(FI))))].motif] if rng.random() < DISTRACTOR_SHARE else []
    for motif in motifs:
        MOTIFS[motif](canvas, rng, size, light, dark)
    face_rng = _face_rng(c)  # a stream of its own, so that a picture can be redrawn with another face
    face_rng.random()  # what face(c) drew: whether there is a face
    expression = face(c) if expression is None else expression
    if expression:
        _face(canvas, face_rng, size, light, dark, EXPRESSIONS[expression])
    # Cameras differ: some photos are soft, some grainy, whatever their emotion.
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.2)))
    grain = rng.normal(0, rng.uniform(0, 18), (size, size, 1))
    image = Image.fromarray((np.asarray(image, dtype=np.float32) + grain).clip(0, 255).astype(np.uint8))
    if c.monochrome:
        image = image.convert("L").convert("RGB")
    if c.duplicate_of >= 0:  # a re-upload: cropped a little and resized back
        crop_rng = np.random.default_rng([c.seed, c.id])
        margin = int(crop_rng.integers(1, max(2, size // 12)))
        image = image.crop((margin, margin, size - margin, size - margin)).resize((size, size), Image.BILINEAR)
    return image


def jpeg_bytes(c: Candidate, size: int) -> bytes:
    """The candidate's picture as JPEG bytes (what the simulated web server serves)."""
    buffer = io.BytesIO()
    draw(c, size).save(buffer, format="JPEG", quality=88 if c.duplicate_of < 0 else 75)
    return buffer.getvalue()


def crawl(n_accepted: int = 3300, seed: int = 0) -> tuple[list[Candidate], np.ndarray]:
    """Search until each query has its FI share of accepted images; return candidates and votes.

    ``votes[i]`` holds the five raters' answers for candidate ``i`` (all zero for dead links,
    which nobody could rate).
    """
    rng = np.random.default_rng(seed)
    targets = apportion(n_accepted, SHARES)
    accepted = dict.fromkeys(FI, 0)
    candidates: list[Candidate] = []
    answers: list[np.ndarray] = []
    while any(accepted[e] < targets[e] for e in FI):
        query = _pick(rng, {e: targets[e] - accepted[e] for e in FI if accepted[e] < targets[e]})
        c = candidate(len(candidates), query, rng, [x for x in candidates[-500:] if x.duplicate_of < 0])
        votes = rate(c, rng) if c.alive else np.zeros(RATERS, np.int8)
        accepted[query] += int(votes.sum() >= 3)
        candidates.append(c)
        answers.append(votes)
    return candidates, np.array(answers)


def render_all(candidates: list[Candidate], size: int, workers: int = 2) -> list[bytes | None]:
    """JPEG bytes of every live candidate (``None`` for dead links), in parallel processes."""
    alive = [c for c in candidates if c.alive]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            images = list(pool.map(jpeg_bytes, alive, [size] * len(alive), chunksize=64))
    else:
        images = [jpeg_bytes(c, size) for c in alive]
    by_id = {c.id: image for c, image in zip(alive, images)}
    return [by_id.get(c.id) for c in candidates]
