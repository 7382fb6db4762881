"""Faces in photos: what ``emocourse predict --face`` and chapter 6's own photo show a faces model.

A FER2013 model expects a face cropped as FER2013's are; a photo shows it a small face among other
things. Light on purpose (no torch): the command line reads :data:`FACE_MODES` from here.
"""

from __future__ import annotations

import numpy as np

#: ``emocourse predict --face``: find the face, the image is a face crop, the whole photo.
FACE_MODES = ("auto", "crop", "none")
#: Under ``--face auto``, an image at most this many pixels on its shorter side is a face crop already.
FACE_CROP_SIDE = 96


def crop_face(image, margin: float = 0.2):
    """The largest frontal face in a PIL image, as a grey square with ``margin`` of its side around it
    (scikit-image's LBP face cascade), and its box ``(left, top, right, bottom)``; ``(None, None)`` when
    no face is found. A FER2013 model expects such a crop: the whole photo would show it a small face.
    The box may reach past the image's edges (the crop is black there). The cascade looks at a copy
    at most 1,024 pixels on its longer side (on a phone's photo it would take tens of seconds); the box is in
    the image's own pixels."""
    from PIL import Image
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    grey = image.convert("L")
    scale = min(1.0, 1024 / max(grey.size))
    seen = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.BILINEAR)
    side = min(seen.size)
    found = Cascade(lbp_frontal_face_cascade_filename()).detect_multi_scale(
        img=np.asarray(seen), scale_factor=1.2, step_ratio=1, min_size=(24, 24), max_size=(side, side)
    )
    if not found:
        return None, None
    face = max(found, key=lambda f: f["width"] * f["height"])
    pad = margin * face["width"]
    box = tuple(
        round(v / scale)
        for v in (face["c"] - pad, face["r"] - pad, face["c"] + face["width"] + pad, face["r"] + face["height"] + pad)
    )
    return grey.crop(box), box


def face_crop(image, mode: str = "auto", margin: float = 0.2):
    """What a faces model is shown of a PIL ``image`` under ``emocourse predict --face MODE``, and the
    box it was cut from: ``(image, box)``, with ``box`` ``None`` where the image is used whole.

    - ``auto``: an image at most :data:`FACE_CROP_SIDE` (96) pixels on its
      shorter side is a face crop already (FER2013's are 48; on so few pixels the cascade is
      unreliable): used whole. A larger one is cut to its largest frontal face (:func:`crop_face`, in the
      image's own colours); ``(None, None)`` when there is none;
    - ``crop`` (the image is a face crop) and ``none`` (the whole photo): the image, uncut.

    The model's inputs then take the centre square. Used by ``emocourse predict`` and by chapter 6's
    own photo (:func:`emocourse.evaluate.faces.face_for_model`)."""
    if mode not in FACE_MODES:
        raise ValueError(f"face mode {mode!r}: must be one of {', '.join(FACE_MODES)}")
    if mode != "auto" or min(image.size) <= FACE_CROP_SIDE:
        return image, None
    _, box = crop_face(image, margin)
    return (None, None) if box is None else (image.crop(box), box)
