"""Hand-crafted colour, texture and composition features (Machajdik & Hanbury 2010). Book: chapter 2.

The prior state of the art that You et al. (2016) compared CNNs against. Per image:

- colour: mean and spread of hue (circular), saturation and brightness; a 12-bin hue
  histogram weighted by saturation; pleasure, arousal and dominance from brightness and
  saturation (Valdez & Mehrabian 1994); colourfulness (Hasler & Süsstrunk 2003);
- texture: a uniform local-binary-pattern histogram; edge density;
- composition: brightness and saturation of the central third against the whole (rule of thirds);
  level of detail, the number of regions a graph-based segmentation finds (Felzenszwalb &
  Huttenlocher 2004; Machajdik & Hanbury count waterfall segments).

:func:`handcrafted_file` reads and squares an image first, so any dataset can be fed in.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps
from skimage.feature import local_binary_pattern
from skimage.filters import sobel
from skimage.segmentation import felzenszwalb

HUE_BINS = 12
LBP_POINTS = 8
DETAIL_SIZE = 64  # the level of detail is counted on a thumbnail of this size, so it does not grow with resolution

#: One name per feature, in the order of :func:`handcrafted_features`.
NAMES = (
    [
        "hue_cos",
        "hue_sin",
        "hue_concentration",
        "saturation",
        "saturation_sd",
        "brightness",
        "brightness_sd",
        "pleasure",
        "arousal",
        "dominance",
        "colourfulness",
    ]
    + [f"hue_{i * 360 // HUE_BINS}deg" for i in range(HUE_BINS)]
    + [f"lbp_{i}" for i in range(LBP_POINTS + 2)]
    + ["edge_fraction", "edge_strength"]
    + ["centre_brightness", "centre_saturation", "log_detail"]
)


def colour_features(rgb: np.ndarray, hsv: np.ndarray) -> np.ndarray:
    """Colour statistics of an RGB image (H×W×3, uint8) and its HSV version."""
    hue, sat, val = hsv[..., 0].ravel() * 2 * np.pi, hsv[..., 1].ravel(), hsv[..., 2].ravel()
    weight = sat + 1e-6
    mean_vector = np.array([np.average(np.cos(hue), weights=weight), np.average(np.sin(hue), weights=weight)])
    histogram = np.histogram(hue, bins=HUE_BINS, range=(0, 2 * np.pi), weights=sat)[0] / weight.sum()
    s, v = sat.mean(), val.mean()
    pleasure, arousal, dominance = 0.69 * v + 0.22 * s, -0.31 * v + 0.60 * s, -0.76 * v + 0.32 * s
    r, g, b = (rgb.reshape(-1, 3).astype(float) / 255).T
    rg, yb = r - g, 0.5 * (r + g) - b
    colourfulness = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    return np.concatenate(
        [
            mean_vector,
            [np.hypot(*mean_vector), s, sat.std(), v, val.std(), pleasure, arousal, dominance, colourfulness],
            histogram,
        ]
    )


def texture_features(grey: np.ndarray) -> np.ndarray:
    """Uniform LBP histogram and edge density of a greyscale image (H×W, float 0..1)."""
    codes = local_binary_pattern((grey * 255).astype(np.uint8), LBP_POINTS, 1, method="uniform")
    lbp = np.bincount(codes.astype(int).ravel(), minlength=LBP_POINTS + 2) / codes.size
    edges = sobel(grey)
    return np.concatenate([lbp, [(edges > 0.1).mean(), edges.mean()]])


def level_of_detail(rgb: np.ndarray) -> int:
    """Number of regions a Felzenszwalb segmentation finds in a thumbnail: few for calm, simple
    scenes, many for busy ones."""
    thumbnail = np.asarray(Image.fromarray(rgb).resize((DETAIL_SIZE, DETAIL_SIZE), Image.Resampling.BOX))
    return len(np.unique(felzenszwalb(thumbnail, scale=50, sigma=0.5, min_size=10)))


def composition_features(rgb: np.ndarray, hsv: np.ndarray) -> np.ndarray:
    """Brightness and saturation of the central third minus those of the whole image (rule of
    thirds), and the logarithm of the level of detail."""
    h, w = hsv.shape[:2]
    centre = hsv[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3]
    return np.array(
        [
            centre[..., 2].mean() - hsv[..., 2].mean(),
            centre[..., 1].mean() - hsv[..., 1].mean(),
            np.log(level_of_detail(rgb)),
        ]
    )


def handcrafted_features(rgb: np.ndarray) -> np.ndarray:
    """All features of one RGB image, as one float32 vector."""
    hsv = (
        np.asarray(Image.fromarray(rgb).convert("HSV"), dtype=np.float64) / 255
    )  # PIL's HSV: 10× faster than skimage's
    grey = rgb.astype(float).mean(-1) / 255
    return np.concatenate([colour_features(rgb, hsv), texture_features(grey), composition_features(rgb, hsv)]).astype(
        np.float32
    )


def handcrafted_file(path, size: int) -> np.ndarray:
    """:func:`handcrafted_features` of an image file, centre-cropped to a square and resized to ``size``."""
    with Image.open(path) as image:
        square = ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.BILINEAR)
    return handcrafted_features(np.asarray(square))
