import numpy as np
import pytest
import tensorflow as tf

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
    np.testing.assert_allclose(images[:, 0, 0, 0], [200 / 127.5 - 1] * 3 + [50 / 127.5 - 1] * 2)


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
    np.testing.assert_allclose(images, 1.0)


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
    with pytest.raises(ValueError, match=r"holds no image files \(\.bmp .* \.png"):
        gdata.make_dataset(f"folder:{tmp_path}")


def test_folder_has_only_train_split(image_folder):
    with pytest.raises(ValueError, match="only the 'train' split, got split='test'"):
        gdata.make_dataset(f"folder:{image_folder}", split="test")


def test_mixed_sizes_need_image_size(tmp_path):
    _write_png(tmp_path / "a.png", 10, 3, height=12, width=10)
    _write_png(tmp_path / "b.png", 10, 3, height=16, width=16)
    with pytest.raises(ValueError, match="different sizes.*pass image_size") as error:
        gdata.make_dataset(f"folder:{tmp_path}")
    assert "\n" not in str(error.value)
    images = next(iter(gdata.make_dataset(f"folder:{tmp_path}", batch_size=2, image_size=6)))
    assert images.shape == (2, 6, 6, 3)


def test_mixed_size_outside_the_probed_files_fails_clearly_when_read(tmp_path):
    # Files are probed evenly spaced (0, 2, 5, ...); file 1 is not probed, so the read-time
    # check must catch it.
    for i in range(40):
        _write_png(tmp_path / f"{i:02d}.png", 10, 1, height=8 if i != 1 else 9, width=8)
    ds = gdata.make_dataset(f"folder:{tmp_path}", batch_size=4, shuffle=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="pass image_size"):
        for _ in ds:
            pass


def test_dataset_info_counts_files(image_folder):
    info = gdata.dataset_info(f"folder:{image_folder}")
    assert info["num_examples"] == {"train": 5}
    assert info["num_classes"] == 2 and info["class_names"] == ["a", "b"]
    assert info["image_shape"] == (12, 10, 3)
