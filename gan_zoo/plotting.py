"""Matplotlib figures: sample grids, 2-D scatter plots and loss curves (headless, Agg)."""

import math
import os
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Maps float images in [-1, 1] to uint8 [0, 255] (values outside are clipped)."""
    return np.clip(np.round((np.asarray(images, np.float32) + 1.0) * 127.5), 0, 255).astype(
        np.uint8
    )


def image_grid(images: np.ndarray, columns: int | None = None, gap: int = 1) -> np.ndarray:
    """Tiles images into one picture.

    Args:
        images: `[N, H, W, C]`, uint8 [0, 255] or float in [-1, 1]; C is 1 or 3.
        columns: int or None. Columns of the grid; a square-ish grid when None.
        gap: int. Pixels of mid-gray between cells. Defaults to 1.

    Returns:
        uint8 `[rows*(H+gap)-gap, columns*(W+gap)-gap, C]`; unused cells are black.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = to_uint8(images)
    num, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(num))
    rows = math.ceil(num / columns)
    grid = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap, channels), 128, np.uint8
    )
    for i in range(rows * columns):
        r, c = divmod(i, columns)
        top, left = r * (height + gap), c * (width + gap)
        grid[top : top + height, left : left + width] = images[i] if i < num else 0
    return grid


def _atomic_savefig(figure, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.tmp.png"
    figure.savefig(temporary, dpi=100, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, path)


def save_image_grid(
    images: np.ndarray,
    path: str,
    columns: int | None = None,
    title: str | None = None,
    scale: int = 4,
) -> str:
    """Writes `image_grid(images)` to a PNG; returns the path.

    Args:
        images: `[N, H, W, C]`, uint8 or float in [-1, 1].
        path: str. Output PNG file (written atomically).
        columns: int or None. Columns of the grid.
        title: str or None. Title above the grid.
        scale: int. Screen pixels per image pixel, so small digits stay visible.
    """
    grid = image_grid(images, columns)
    height, width = grid.shape[:2]
    figure = plt.figure(figsize=(width * scale / 100, height * scale / 100 + (0.3 if title else 0)))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.imshow(
        grid[..., 0] if grid.shape[-1] == 1 else grid,
        cmap="gray",
        vmin=0,
        vmax=255,
        interpolation="nearest",
    )
    axes.axis("off")
    if title:
        axes.set_title(title)
    _atomic_savefig(figure, path)
    return path


def save_scatter(
    points: np.ndarray, path: str, reference: np.ndarray | None = None, title: str | None = None
) -> str:
    """Scatter plot of 2-D samples `[N, 2]`, with optional reference points (mixture centres)."""
    points = np.asarray(points)
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, label="samples")
    if reference is not None:
        axes.scatter(reference[:, 0], reference[:, 1], s=40, marker="x", c="red", label="modes")
        axes.legend(loc="upper right")
    axes.set_aspect("equal")
    if title:
        axes.set_title(title)
    _atomic_savefig(figure, path)
    return path


def save_loss_curves(
    history: Mapping[str, Sequence[float]], path: str, title: str | None = None
) -> str:
    """Plots every logged series against the epoch; losses on the left, scores on the right."""
    figure, (loss_axes, score_axes) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name, values in sorted(history.items()):
        axes = loss_axes if "loss" in name else score_axes
        points = [(i + 1, v) for i, v in enumerate(values) if v is not None]  # null: not logged
        if points:
            epochs, logged = zip(*points, strict=True)
            axes.plot(epochs, logged, label=name, marker="." if len(points) < 30 else None)
    for axes, label in ((loss_axes, "loss"), (score_axes, "mean D score")):
        axes.set_xlabel("epoch")
        axes.set_ylabel(label)
        if axes.lines:
            axes.legend()
        axes.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    _atomic_savefig(figure, path)
    return path


def save_metric_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    path: str,
    ylabel: str,
    floor: float | None = None,
    title: str | None = None,
    log_scale: bool = True,
) -> str:
    """One line per run of a metric against the training step, e.g. FID every ~1,000 steps.

    Args:
        curves: `{label: (steps, values)}`; a None or non-finite value is left out.
        path: PNG path (written atomically).
        ylabel: the metric's name for the y axis.
        floor: float or None. The real-vs-real value, drawn as a dashed line.
        title: str or None. Figure title.
        log_scale: bool. A log y axis (FIDs span orders of magnitude). Defaults to True.

    Returns:
        `path`.
    """
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, (steps, values) in sorted(curves.items()):
        points = [
            (s, v) for s, v in zip(steps, values, strict=True) if v is not None and np.isfinite(v)
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker=".", label=label)
    if floor is not None:
        axes.axhline(floor, color="black", linestyle="--", linewidth=1, label="real floor")
    if log_scale:
        axes.set_yscale("log")
    axes.set_xlabel("training step")
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3, which="both")
    if axes.lines:
        axes.legend(fontsize=8)
    if title:
        axes.set_title(title)
    _atomic_savefig(figure, path)
    return path
