"""Pretrained weights by preset name, shipped inside the package: offline, right after install.

This folder holds, per preset with weights, `<preset>.weights.h5` (the sampling generator's
weights: the EMA generator when the preset has `ema_decay`, else the generator) and
`<preset>.json` (the preset's config, the training command, steps, time, hardware, versions,
date, the weights' sha256 and quality `scores`). `scripts/ship_pretrained.py` writes both
from a finished run directory.

Example:
>>> import gan_zoo
>>> model = gan_zoo.build("cgan_projection_mnist", pretrained=True)  # doctest: +SKIP
>>> images = model.generate(16, seed=0)  # float32 [16, 28, 28, 1] in [-1, 1], classes 0..9 cycling
>>> gan_zoo.pretrained.available()  # doctest: +SKIP
["cgan_projection_mnist"]
>>> gan_zoo.pretrained.metadata("cgan_projection_mnist")["scores"]  # doctest: +SKIP

`available()` and `metadata()` read files only; `load_pretrained` and `save_pretrained` import
TensorFlow.
"""

from gan_zoo.pretrained.weights import (
    SHAPE_FIELDS,
    WEIGHTS_DIR,
    available,
    check_compatible,
    load_pretrained,
    metadata,
    metadata_path,
    mismatched_field,
    save_pretrained,
    sha256_of,
    weights_path,
)

__all__ = [
    "SHAPE_FIELDS",
    "WEIGHTS_DIR",
    "available",
    "check_compatible",
    "load_pretrained",
    "metadata",
    "metadata_path",
    "mismatched_field",
    "save_pretrained",
    "sha256_of",
    "weights_path",
]
