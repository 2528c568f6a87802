import logging
import os

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close

import gan_zoo.data as gdata

# Class "a": RGB images of value 200; class "b": grayscale images of value 50 (one nested deeper).
_FILES = {
    "a/0.png": (200, 3),
    "a/1.png": (200, 3),
    "a/2.png": (200, 3),
    "b/0.png": (50, 1),
    "b/sub/1.png": (50, 1),
}


def _write_png(path, value, channels, height=12, width=10):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = tf.fill([height, width, channels], tf.constant(value, tf.uint8))
    path.write_bytes(tf.io.encode_png(image).numpy())


@pytest.fixture
def image_folder(tmp_path):
    for relative, (value, channels) in _FILES.items():
        _write_png(tmp_path / relative, value, channels)
    (tmp_path / "a" / "notes.txt").write_text("not an image")
    return tmp_path


def test_shapes_and_labels_from_subfolders(image_folder):
    ds = gdata.make_dataset(f"folder:{image_folder}", batch_size=5, with_labels=True, shuffle=False)
    assert ds.element_spec[0].shape.as_list() == [5, 12, 10, 3]
    images, labels = next(iter(ds))
    assert images.shape == (5, 12, 10, 3) and images.dtype == tf.float32
    assert labels.dtype == tf.int32
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])
    # float32 x / 127.5 - 1 (2 roundings) vs Python's float64.
    expected = [200 / 127.5 - 1] * 3 + [50 / 127.5 - 1] * 2
    assert_close(images[:, 0, 0, 0], expected, terms=2, err_msg="pixel values")


def test_labels_follow_images_when_shuffled(image_folder):
    ds = gdata.make_dataset(f"folder:{image_folder}", batch_size=5, with_labels=True, seed=3)
    images, labels = next(iter(ds))
    expected = np.where(images[:, 0, 0, 0].numpy() > 0, 0, 1)
    np.testing.assert_array_equal(labels, expected)


def test_resize_and_grayscale(image_folder):
    ds = gdata.make_dataset(f"folder:{image_folder}", batch_size=5, image_size=8, channels=1)
    images = next(iter(ds))
    assert images.shape == (5, 8, 8, 1)
    assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0


def test_non_square_images_are_center_cropped(tmp_path):
    # 20 high x 10 wide: black bands of 5 rows above and below a white 10x10 centre.
    image = np.zeros((20, 10, 1), np.uint8)
    image[5:15] = 255
    (tmp_path / "tall.png").write_bytes(tf.io.encode_png(image).numpy())
    images = next(iter(gdata.make_dataset(f"folder:{tmp_path}", batch_size=1, image_size=5)))
    assert images.shape == (1, 5, 5, 1)
    # The white centre resized (a filter of a few taps per axis: ≤ 16 terms) and mapped.
    assert_close(images, 1.0, terms=16 + 2, err_msg="cropped white centre")


def test_flat_folder_has_no_labels(tmp_path):
    _write_png(tmp_path / "x.png", 10, 1)
    assert next(iter(gdata.make_dataset(f"folder:{tmp_path}", batch_size=1))).shape == (
        1,
        12,
        10,
        1,
    )
    with pytest.raises(ValueError, match="has no labels; pass with_labels=False"):
        gdata.make_dataset(f"folder:{tmp_path}", with_labels=True)


def test_missing_folder(tmp_path):
    with pytest.raises(ValueError, match=r"does not exist.*\.png") as error:
        gdata.make_dataset(f"folder:{tmp_path / 'nope'}")
    assert "\n" not in str(error.value)


def test_folder_without_images(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "readme.txt").write_text("hi")
    with pytest.raises(ValueError, match=r"holds no image files \(\.bmp .* \.png") as error:
        gdata.make_dataset(f"folder:{tmp_path}")
    assert "only 1 other file(s) such as 'sub/readme.txt'" in str(error.value)
    (tmp_path / "sub" / "readme.txt").unlink()
    with pytest.raises(ValueError, match=r"is empty: it holds no image files"):
        gdata.make_dataset(f"folder:{tmp_path}")
    _write_png(tmp_path / "x.png", 1, 1)
    with pytest.raises(ValueError, match=r"is a file, not a folder"):
        gdata.make_dataset(f"folder:{tmp_path / 'x.png'}")


def test_folder_has_only_train_split(image_folder):
    with pytest.raises(ValueError, match="only the 'train' split, got split='test'"):
        gdata.make_dataset(f"folder:{image_folder}", split="test")


def test_mixed_sizes_need_image_size(tmp_path):
    _write_png(tmp_path / "a.png", 10, 3, height=12, width=10)
    _write_png(tmp_path / "b.png", 10, 3, height=16, width=16)
    with pytest.raises(ValueError, match="2 different sizes.*pass image_size") as error:
        gdata.make_dataset(f"folder:{tmp_path}")
    assert "\n" not in str(error.value)
    assert "a.png is 12x10, b.png is 16x16" in str(error.value)
    images = next(iter(gdata.make_dataset(f"folder:{tmp_path}", batch_size=2, image_size=6)))
    assert images.shape == (2, 6, 6, 3)


def test_every_file_is_checked_for_its_size(tmp_path):
    # Each file is decoded when the pipeline is built: one odd file among 40 is found at once.
    for i in range(40):
        _write_png(tmp_path / f"{i:02d}.png", 10, 1, height=8 if i != 1 else 9, width=8)
    with pytest.raises(ValueError, match=r"2 different sizes \(00.png is 8x8, 01.png is 9x8\)"):
        gdata.make_dataset(f"folder:{tmp_path}", batch_size=4, shuffle=False)


def test_a_file_replaced_after_the_scan_fails_clearly_when_read(tmp_path):
    for i in range(4):
        _write_png(tmp_path / f"{i}.png", 10, 1, height=8, width=8)
    ds = gdata.make_dataset(f"folder:{tmp_path}", batch_size=4, shuffle=False)
    _write_png(tmp_path / "2.png", 10, 1, height=9, width=8)
    with pytest.raises(tf.errors.InvalidArgumentError, match="pass image_size"):
        for _ in ds:
            pass


def test_mixed_channel_counts_become_rgb(image_folder):
    # Grayscale, RGB and RGBA files together: with channels=None every image is RGB.
    image = np.full((12, 10, 4), 30, np.uint8)
    (image_folder / "b" / "rgba.png").write_bytes(tf.io.encode_png(image).numpy())
    images = next(iter(gdata.make_dataset(f"folder:{image_folder}", batch_size=6, shuffle=False)))
    assert images.shape == (6, 12, 10, 3)


def test_corrupt_files_are_an_error_or_skipped(image_folder, caplog):
    (image_folder / "a" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    name = f"folder:{image_folder}"
    with pytest.raises(ValueError) as error:
        gdata.make_dataset(name)
    message = str(error.value)
    assert "\n" not in message
    assert f"image file {os.path.join('a', 'broken.jpg')!r} in folder" in message
    assert "cannot be decoded (" in message and "1 of its 6 image files are corrupt" in message
    assert "corrupt_images='skip'" in message
    with caplog.at_level(logging.WARNING, logger="gan_zoo.data.pipeline"):
        ds = gdata.make_dataset(
            name, batch_size=5, with_labels=True, shuffle=False, corrupt_images="skip"
        )
    assert "skipped 1 of the 6 image files" in caplog.text
    _, labels = next(iter(ds))
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="corrupt_images must be one of 'error', 'skip'"):
        gdata.make_dataset(name, corrupt_images=True)


def test_dataset_info_reads_the_first_file_that_decodes(tmp_path):
    (tmp_path / "0.png").write_bytes(b"not a png")
    _write_png(tmp_path / "1.png", 10, 3, height=6, width=4)
    info = gdata.dataset_info(f"folder:{tmp_path}")
    assert info["image_shape"] == (6, 4, 3) and info["num_examples"] == {"train": 2}
    (tmp_path / "1.png").write_bytes(b"not a png either")
    with pytest.raises(ValueError, match=r"none of the 2 image files .* can be decoded"):
        gdata.dataset_info(f"folder:{tmp_path}")


def test_dataset_info_counts_files(image_folder):
    info = gdata.dataset_info(f"folder:{image_folder}")
    assert info["num_examples"] == {"train": 5}
    assert info["num_classes"] == 2 and info["class_names"] == ["a", "b"]
    assert info["image_shape"] == (12, 10, 3)
