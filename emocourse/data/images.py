"""Reading images from the wild without surprises.

Real releases contain truncated downloads, CMYK JPEGs, palette and 16-bit PNGs, phone photos
whose EXIF says "rotate me", and the odd gigapixel file. :func:`read_image` turns every one of
them into a plain upright 8-bit RGB (or greyscale) picture, or raises :class:`ImageProblem`
naming the file and what is wrong with it.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Images with more pixels than this are refused (PIL's decompression-bomb limit is 89 Mpx).
MAX_PIXELS = 64_000_000


class ImageProblem(ValueError):
    """An image file cannot be used; the message names the file and the reason."""


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale (modes I;16, I, F) scaled to 8 bits by their actual range."""
    pixels = np.asarray(image, dtype=np.float64)
    low, high = float(pixels.min()), float(pixels.max())
    scaled = (pixels - low) / (high - low) * 255 if high > low else np.zeros_like(pixels)
    return Image.fromarray(scaled.round().astype(np.uint8), mode="L")


def read_image(path: str | os.PathLike, mode: str = "RGB", fixes: list[str] | None = None) -> Image.Image:
    """Open, fully decode and normalise an image: upright (EXIF), 8-bit, in ``mode`` (RGB or L).

    Repairs beyond a plain mode conversion (EXIF rotation, CMYK, palette, 16-bit, alpha) are
    appended to ``fixes`` when a list is given, so importers can report them.
    """
    fixes = [] if fixes is None else fixes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageProblem(f"{path}: {width}x{height} pixels is over the {MAX_PIXELS:,} pixel limit")
                image.load()  # decode now: truncated files fail here, not later in a DataLoader
                orientation = image.getexif().get(0x0112, 1)
                upright = ImageOps.exif_transpose(image)
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageProblem(f"{path}: refused as a decompression bomb ({err})") from err
    except UnidentifiedImageError as err:
        raise ImageProblem(f"{path}: not an image file PIL can read") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageProblem(f"{path}: corrupt or truncated image ({err})") from err
    if orientation not in (1, None):
        fixes.append(f"rotated upright (EXIF orientation {orientation})")
    image = upright
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        fixes.append(f"scaled {image.mode} pixels to 8 bits")
        image = _to_8bit(image)
    if image.mode in ("P", "PA", "LA", "RGBA") and mode == "RGB":
        fixes.append(f"flattened {image.mode} onto white")
        image = Image.alpha_composite(Image.new("RGBA", image.size, (255, 255, 255, 255)), image.convert("RGBA"))
    elif image.mode not in ("RGB", "L"):
        fixes.append(f"converted {image.mode} to {mode}")
    return image.convert(mode)
