"""Looking at errors: a grid of images with captions and saliency, and an interactive error browser.

Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

from .metrics import top_confusions


def error_rows(y_true, y_pred, classes: list[str], true: str, predicted: str) -> np.ndarray:
    """Positions of the images of class ``true`` predicted as ``predicted``; a ``ValueError`` naming the
    pairs that do have errors when there are none."""
    for name in (true, predicted):
        if name not in classes:
            raise ValueError(f"{name!r} is not a class of this model ({', '.join(classes)})")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rows = np.flatnonzero((y_true == classes.index(true)) & (y_pred == classes.index(predicted)))
    if true == predicted or not len(rows):
        pairs = ", ".join(f"{t}→{p} ({n})" for t, p, n in top_confusions(y_true, y_pred, classes, 5))
        raise ValueError(f"no test image of {true} was called {predicted}; the most frequent errors: {pairs or 'none'}")
    return rows


def image_grid(
    images: Sequence, captions: Sequence[str], maps: Sequence | None = None, columns: int = 6, size: float = 1.9
):
    """A matplotlib figure of ``images`` (PIL images or arrays) with ``captions``, each with its saliency
    map (any resolution, values in [0, 1]) laid over it when ``maps`` is given."""
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows * 1.25), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(images):
            continue
        image = np.asarray(images[k])
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        if maps is not None:
            heat = torch.nn.functional.interpolate(
                torch.as_tensor(maps[k])[None, None].float(), size=image.shape[:2], mode="bilinear", align_corners=False
            )[0, 0]
            ax.imshow(heat.numpy(), cmap="jet", alpha=0.45, vmin=0, vmax=1)
        ax.set_title(captions[k], fontsize=7.5)
    fig.tight_layout()
    return fig


def _png_output(figure) -> dict:
    """A matplotlib figure as a notebook display output (the figure is closed)."""
    import base64
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(figure)
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode()},
        "metadata": {},
    }


class ErrorBrowser:
    """Choose a true → predicted pair, page through its images (ipywidgets). ``draw(positions)`` returns
    a matplotlib figure of the images at those positions (e.g. :func:`image_grid`'s).

    The page is set as the output widget's content rather than captured with ``with output:``, which
    can stall a notebook run by papermill or the book build."""

    def __init__(self, y_true, y_pred, classes: list[str], draw: Callable[[np.ndarray], object], per_page: int = 6):
        import ipywidgets as widgets

        self.y_true, self.y_pred, self.classes, self.draw, self.per_page = y_true, y_pred, classes, draw, per_page
        pairs = top_confusions(y_true, y_pred, classes)
        if not pairs:
            raise ValueError("the model makes no errors on these images: there is nothing to browse")
        self.pair = widgets.Dropdown(options=[(f"{t} → {p} ({n})", (t, p)) for t, p, n in pairs], description="error")
        self.page = widgets.IntSlider(0, 0, 0, description="page")
        self.output = widgets.Output()
        self.pair.observe(self._new_pair, "value")
        self.page.observe(lambda _: self._show(), "value")
        self.widget = widgets.VBox([widgets.HBox([self.pair, self.page]), self.output])
        self._new_pair()

    def rows(self) -> np.ndarray:
        return error_rows(self.y_true, self.y_pred, self.classes, *self.pair.value)

    def _new_pair(self, _=None):
        self.page.max = (len(self.rows()) - 1) // self.per_page
        self.page.value = 0
        self._show()

    def _show(self):
        start = self.page.value * self.per_page
        self.output.outputs = (_png_output(self.draw(self.rows()[start : start + self.per_page])),)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def thumbnails(root, table, positions, mode: str = "RGB") -> list:
    """The images of the rows at ``positions`` of ``table`` (an ``image`` column of paths under
    ``root``), as PIL images in ``mode``."""
    from PIL import Image

    return [Image.open(root / table["image"].iloc[k]).convert(mode) for k in positions]


def captions(y_true, y_pred, probabilities, classes: list[str], positions, votes=None) -> list[str]:
    """One caption per position: "true → predicted", the probability given to the prediction, and,
    when ``votes`` is given (raters saying yes, out of five), the vote."""
    out = []
    for k in positions:
        vote = f", {votes[k]} of 5 yes" if votes is not None else ""
        out.append(f"{classes[y_true[k]]} → {classes[y_pred[k]]}\np = {probabilities[k, y_pred[k]]:.2f}{vote}")
    return out
