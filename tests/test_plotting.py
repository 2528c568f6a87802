import json

import numpy as np
import pytest

from gan_zoo import plotting, training


def test_to_uint8_maps_the_range_and_clips():
    values = plotting.to_uint8(np.array([-2.0, -1.0, 0.0, 1.0, 3.0]))
    np.testing.assert_array_equal(values, [0, 0, 128, 255, 255])


def test_image_grid_places_every_image():
    images = np.stack([np.full((2, 3, 1), i * 40, np.uint8) for i in range(5)])
    grid = plotting.image_grid(images, columns=3, gap=1)
    assert grid.shape == (2 * 3 - 1, 3 * 4 - 1, 1)
    assert grid[0, 0, 0] == 0 and grid[0, 4, 0] == 40 and grid[0, 8, 0] == 80
    assert grid[3, 0, 0] == 120 and grid[3, 4, 0] == 160
    assert grid[3, 8, 0] == 0  # unused cell
    assert grid[2, 0, 0] == 128 and grid[0, 3, 0] == 128  # gaps


def test_float_images_and_rgb():
    grid = plotting.image_grid(np.ones((4, 2, 2, 3), np.float32), gap=0)
    assert grid.shape == (4, 4, 3) and grid.dtype == np.uint8 and np.all(grid == 255)


@pytest.mark.parametrize("kind", ["grid", "scatter", "curves", "metric"])
def test_pngs_are_written_atomically(tmp_path, kind):
    path = str(tmp_path / "sub" / "figure.png")
    if kind == "grid":
        plotting.save_image_grid(np.zeros((4, 8, 8, 1), np.float32), path, title="t")
    elif kind == "scatter":
        plotting.save_scatter(
            np.random.RandomState(0).normal(size=(50, 2)), path, reference=np.zeros((3, 2))
        )
    elif kind == "curves":
        plotting.save_loss_curves({"d_loss": [1.0, 0.5], "d_real": [0.1, 0.2]}, path)
    else:
        curves = {"a": ([1000, 2000], [30.0, None]), "b": ([1000, 2000], [float("nan"), 2.0])}
        plotting.save_metric_curves(curves, path, ylabel="FID", floor=0.16)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["figure.png"]


def test_write_json_is_atomic(tmp_path):
    path = str(tmp_path / "h.json")
    training.write_json({"a": [1, 2]}, path)
    with open(path) as f:
        assert json.load(f) == {"a": [1, 2]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json"]


def test_history_writer_keeps_one_entry_per_epoch(tmp_path):
    """A key logged only on some epochs (eval_*) is null elsewhere; indices stay epochs."""

    class Named:
        name = "m"

    writer = training.HistoryWriter(str(tmp_path))
    writer.set_model(Named())
    writer.on_train_begin()
    for epoch, logs in enumerate(
        [{"d_loss": 1.0}, {"d_loss": 0.5, "eval_fid": 9.0}, {"d_loss": 0.25}]
    ):
        writer.on_epoch_begin(epoch)
        writer.on_epoch_end(epoch, logs)
    with open(tmp_path / "history.json") as f:
        history = json.load(f)
    assert history["d_loss"] == [1.0, 0.5, 0.25]
    assert history["eval_fid"] == [None, 9.0, None]
    assert len(history["epoch_seconds"]) == 3
    assert (tmp_path / "loss_curves.png").exists()
    plotting.save_loss_curves(
        {"d_loss": [None, 1.0], "d_real": [None, None]}, str(tmp_path / "gaps.png")
    )
