"""Reading a `folder:PATH` dataset: every file decoded once, damaged paths reported or skipped.

Every file is decoded once when the pipeline is built (in parallel; the shapes are cached per
folder), so a corrupt file is an error naming it up front, or is left out with
`corrupt_images="skip"` (a warning counts what was left out). The paths that `folder_scan`
leaves out when it lists the folder (second links, symlink loops, non-UTF-8 names, broken
symlinks, FIFOs, unreadable files) are treated the same way. Imports `names`, `batching`,
`preprocessing` and `folder_scan`; `pipeline` builds on it.
"""

import dataclasses
import logging
import os
import re

import numpy as np
import tensorflow as tf

from gan_zoo.data.batching import Source
from gan_zoo.data.folder_scan import UNUSABLE_KINDS, Folder, Unusable, scan_folder, shown_path
from gan_zoo.data.names import FOLDER_PREFIX, is_folder_name
from gan_zoo.data.preprocessing import convert_channels

# What `make_dataset(corrupt_images=...)` does with a folder's files that do not decode.
CORRUPT_IMAGES = ("error", "skip")
# Folder scans (every file decoded once) are kept for this many folders, keyed by the files'
# paths, sizes and modification times, so rebuilding a pipeline (e.g. per evaluation) is cheap.
_MAX_CACHED_SCANS = 8

# The logger `make_dataset` documents for the skip warning (this code used to live there).
_logger = logging.getLogger("gan_zoo.data.pipeline")


def _decode_error(path: str) -> str:
    """TensorFlow's reason, in one line, why `path` does not read or decode ("" if it does)."""
    try:
        tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    except tf.errors.OpError as e:
        lines = str(e).strip().splitlines()
        reason = lines[0] if lines else type(e).__name__
        # Drop TensorFlow's "{{function_node ...}}" prefix and " [Op:DecodeImage]" suffix.
        return re.sub(r"^\{\{[^}]*\}\}\s*", "", reason).split(" [Op:")[0].strip()
    return ""


def _problem(folder: Folder, entry: Unusable) -> str:
    """`entry` as the start of a sentence: "image file 'a.png' in folder '/d' is a FIFO, ..."."""
    what = "folder" if entry.is_folder else "image file"
    return f"{what} {shown_path(entry.path)} in folder {folder.root!r} {entry.reason}"


def _tally(entries: list[Unusable], total: int, verb: str | None) -> str:
    """Counts `entries` in words, e.g. "2 of the 7 image files (1 corrupt, 1 reached twice)".

    With `verb="are"`: "1 of its 6 image files are corrupt", "2 of its 7 image files are
    unusable (1 corrupt, 1 reached twice) and 1 symlink loop".

    Args:
        entries: the unusable paths.
        total: how many image files the folder lists (usable or not; folders not counted).
        verb: "are" for an error, "" for the skip warning, None for the kinds alone
            ("1 corrupt, 1 reached twice").
    """

    def words(kind: str, count: int) -> str:
        return f"{count} {UNUSABLE_KINDS[kind][count != 1]}"

    file_kinds: dict[str, int] = {}
    folder_kinds: dict[str, int] = {}
    for entry in entries:
        counts = folder_kinds if entry.is_folder else file_kinds
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    if verb is None:
        counts = {**file_kinds, **folder_kinds}
        return ", ".join(words(kind, count) for kind, count in counts.items())
    parts = []
    num_files = sum(file_kinds.values())
    if num_files:
        text = f"{num_files} of {'its' if verb else 'the'} {total} image files"
        if verb and set(file_kinds) == {"corrupt"}:
            text += f" {verb} corrupt"
        else:
            kinds = ", ".join(words(kind, count) for kind, count in file_kinds.items())
            text += f" {verb} unusable ({kinds})" if verb else f" ({kinds})"
        parts.append(text)
    parts += [words(kind, count) for kind, count in folder_kinds.items()]
    return " and ".join(parts)


def _first_decodable(folder: Folder) -> tf.Tensor:
    """The first image of `folder` that decodes (usually its first file)."""
    for path in folder.files:
        try:
            return tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        except tf.errors.OpError:
            continue
    if not folder.files:  # every image path was left out when the folder was listed
        _raise_none_usable(folder, list(folder.unusable))
    shown = os.path.relpath(folder.files[0], folder.root)
    raise ValueError(
        f"none of the {len(folder.files)} image files in folder {folder.root!r} can be decoded "
        f"(e.g. {shown!r}: {_decode_error(folder.files[0])})"
    )


def _raise_none_usable(folder: Folder, entries: list[Unusable]) -> None:
    """Raises: no image file of `folder` can be used (`entries`, sorted, say why)."""
    total = sum(not entry.is_folder for entry in entries)
    first = entries[0]
    raise ValueError(
        f"none of the {total} image files in folder {folder.root!r} can be used "
        f"({_tally(entries, total, None)}); e.g. {shown_path(first.path)} {first.reason}"
    )


_SCANS: dict[tuple, list] = {}  # See _MAX_CACHED_SCANS.


def _file_key(path: str) -> tuple:
    try:
        stat = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, stat.st_size, stat.st_mtime_ns)


def _image_shapes(files: list[str]) -> list[tuple[int, int, int] | None]:
    """Decodes every file once (in parallel): each one's `(H, W, C)`, or None if it fails."""
    key = tuple(_file_key(path) for path in files)
    if key in _SCANS:
        return _SCANS[key]

    def shape_of(index, path):
        image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        return index, tf.shape(image)

    indexed = tf.data.Dataset.from_tensor_slices((np.arange(len(files), dtype=np.int64), files))
    # Files that fail to read or decode raise inside the map; ignore_errors drops exactly those
    # elements, so the indices that never arrive are the corrupt files.
    scan = indexed.map(shape_of, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
    shapes: list[tuple[int, int, int] | None] = [None] * len(files)
    for indices, dims in scan.ignore_errors().batch(1024).as_numpy_iterator():
        for index, dim in zip(indices, dims, strict=True):
            shapes[int(index)] = tuple(int(d) for d in dim)
    while len(_SCANS) >= _MAX_CACHED_SCANS:
        _SCANS.pop(next(iter(_SCANS)))
    _SCANS[key] = shapes
    return shapes


def _without_corrupt(
    folder: Folder, shapes: list, corrupt_images: str
) -> tuple[Folder, list[tuple[int, int, int]]]:
    """Drops the unusable paths (`"skip"`, with a warning counting them), or raises (`"error"`).

    Unusable are the files that did not decode (`shapes` None) and the paths left out when
    the folder was listed (`folder.unusable`: second paths to a file or folder, symlink
    loops, non-UTF-8 names, broken symlinks, FIFOs, unreadable files). The error names the
    first of them (by path) and counts them all; so does the warning. A folder none of whose
    image files can be used is an error either way.
    """
    bad = [i for i, shape in enumerate(shapes) if shape is None]
    if not bad and not folder.unusable:
        return folder, shapes
    corrupt = [
        Unusable(os.path.relpath(folder.files[i], folder.root), "cannot be decoded", "corrupt")
        for i in bad
    ]
    total = len(folder.files) + sum(not entry.is_folder for entry in folder.unusable)
    if corrupt and not any(not entry.is_folder for entry in folder.unusable):
        if len(bad) == len(folder.files):  # every image file is corrupt
            first_bad = folder.files[bad[0]]
            raise ValueError(
                f"none of the {total} image files in folder {folder.root!r} can be decoded "
                f"(e.g. {shown_path(corrupt[0].path)}: {_decode_error(first_bad)})"
            )
    entries = sorted([*folder.unusable, *corrupt], key=lambda entry: entry.path)
    first = entries[0]
    if first.kind == "corrupt":  # TensorFlow's reason, for the one file the message names
        detail = _decode_error(os.path.join(folder.root, first.path))
        first = entries[0] = dataclasses.replace(
            first, reason=f"cannot be decoded ({detail or 'it changed while it was read'})"
        )
    if len(bad) == len(folder.files):
        _raise_none_usable(folder, entries)
    if corrupt_images == "error":
        raise ValueError(
            f"{_problem(folder, first)}; {_tally(entries, total, 'are')}: pass "
            "corrupt_images='skip' (--corrupt_images=skip) to leave them out"
        )
    _logger.warning(
        "skipped %s in folder %r (first: %s, which %s)",
        _tally(entries, total, ""),
        folder.root,
        shown_path(first.path),
        first.reason,
    )
    keep = [i for i, shape in enumerate(shapes) if shape is not None]
    labels = None if folder.labels is None else [folder.labels[i] for i in keep]
    kept = dataclasses.replace(
        folder, files=[folder.files[i] for i in keep], labels=labels, unusable=()
    )
    return kept, [shapes[i] for i in keep]


def open_folder(
    name: str,
    split: str,
    *,
    image_size: int | None,
    channels: int | None,
    corrupt_images: str,
) -> Source:
    """Opens `folder:PATH` as a `Source` of float32 images in 0..255 (see `make_dataset`).

    Every file is decoded once here (shapes cached), unusable paths are reported or skipped
    (`corrupt_images`), and images are converted to one channel count on read.

    Args:
        name: a `folder:PATH` dataset name.
        split: must be `"train"`, a folder's only split.
        image_size: the output side `make_dataset` will resize to; None requires every
            image to have the same size.
        channels: 1 or 3; None is RGB if any file is colour, else grayscale.
        corrupt_images: `"error"` or `"skip"` (`CORRUPT_IMAGES`).

    Returns:
        The `Source`, labelled by class subfolder when every image lies in one.

    Raises:
        ValueError: another split, a folder that cannot be used (see `make_dataset`), or
            mixed image sizes without `image_size`.
    """
    if split != "train":
        raise ValueError(f"folder datasets have only the 'train' split, got split={split!r}")
    folder = scan_folder(name)
    shapes = _image_shapes(folder.files) if folder.files else []
    folder, shapes = _without_corrupt(folder, shapes, corrupt_images)
    count = len(folder.files)
    # Colour if any file is; files are then converted to that channel count on read.
    out_channels = channels or (3 if any(shape[-1] >= 3 for shape in shapes) else 1)
    expected_hw = None
    if image_size is None:
        first_of_size = {}  # (H, W) -> the first file of that size.
        for path, shape in zip(folder.files, shapes, strict=True):
            first_of_size.setdefault(shape[:2], path)
        if len(first_of_size) > 1:
            examples = ", ".join(
                f"{os.path.relpath(path, folder.root)} is {h}x{w}"
                for (h, w), path in list(first_of_size.items())[:3]
            )
            raise ValueError(
                f"images in folder {folder.root!r} have {len(first_of_size)} different sizes "
                f"({examples}); pass image_size to resize them all to one size"
            )
        expected_hw = next(iter(first_of_size))

    size_message = (
        f"an image in folder {folder.root!r} differs in size from {expected_hw} (changed "
        "since the pipeline was built?); pass image_size to resize them all to one size"
    )

    def read(element):
        image = tf.io.decode_image(tf.io.read_file(element["path"]), expand_animations=False)
        image = convert_channels(tf.cast(image, tf.float32), out_channels)
        if expected_hw is not None:
            # Guards against files replaced after the scan; costs one comparison per image.
            same_size = tf.debugging.assert_equal(
                tf.shape(image)[:2], expected_hw, message=size_message
            )
            with tf.control_dependencies([same_size]):
                image = tf.identity(image)
            image.set_shape((*expected_hw, out_channels))  # Lets batches have a static shape.
        return image, element.get("label")

    elements = {"path": folder.files}
    if folder.labels is not None:
        elements["label"] = np.asarray(folder.labels, np.int64)
    if folder.class_names and folder.labels is None:
        hint = " (some image files lie outside the class subfolders)"
    else:
        hint = " (a folder has labels only when every image lies in a class subfolder)"
    return Source(
        dataset=tf.data.Dataset.from_tensor_slices(elements),
        read=read,
        kind="image",
        has_labels=folder.labels is not None,
        num_examples=count,
        no_labels_hint=hint,
    )


def folder_channels(name: str) -> tuple[int, int, int]:
    """The channel count `make_dataset` gives `folder:PATH` when `channels` is None.

    Colour (3) if any usable image file has 3 or more channels, else grayscale (1): the rule
    the pipeline applies, on the same decoded shapes (cached, so the pipeline does not decode
    the files again). Unusable files are not counted (`make_dataset` reports them).

    Args:
        name: a `folder:PATH` dataset name.

    Returns:
        `(channels, colour files, grayscale files)`.

    Raises:
        ValueError: `name` is not a readable folder of image files (see `make_dataset`).
    """
    if not is_folder_name(name):
        raise ValueError(f"folder_channels takes a {FOLDER_PREFIX}PATH name; got {name!r}")
    folder = scan_folder(name)
    shapes = [shape for shape in _image_shapes(folder.files) if shape is not None]
    colour = sum(shape[-1] >= 3 for shape in shapes)
    return (3 if colour else 1), colour, len(shapes) - colour


def folder_info(name: str) -> dict:
    """`dataset_info` of `folder:PATH`: files counted, only the first decodable one decoded.

    Args:
        name: a `folder:PATH` dataset name.

    Returns:
        The dict `gan_zoo.data.dataset_info` describes.

    Raises:
        ValueError: a missing or empty folder, or one none of whose image files can be read
            and decoded.
    """
    folder = scan_folder(name)
    first = _first_decodable(folder)
    has_labels = folder.labels is not None
    return {
        "name": name,
        "kind": "image",
        "num_examples": {"train": len(folder.files)},
        "num_classes": len(folder.class_names) if has_labels else None,
        "class_names": list(folder.class_names) if has_labels else None,
        "image_shape": tuple(int(d) for d in first.shape),
        "point_shape": None,
    }
