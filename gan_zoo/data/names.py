"""The dataset names `gan_zoo.data.make_dataset` understands, and the help that lists them.

Low in the data package (it imports only `gaussian_mixture`, for the mixtures' names), so the
sources that reject a name (`tfds_sources`) and the dispatcher (`pipeline`) share one list.
"""

from gan_zoo.data.gaussian_mixture import GaussianMixture

DIGITS = "gan_zoo_digits"  # The embedded 8x8 digits (`gan_zoo.data.digits`).
MNIST = "gan_zoo_mnist"  # The embedded 5,000 real 28x28 MNIST digits (`gan_zoo.data.mnist`).
FOLDER_PREFIX = "folder:"
STACKED_DIGITS = "stacked_digits"
STACKED_MNIST = "stacked_mnist"
# Each stacked dataset: (the embedded digits it stacks, its image side when none is asked).
STACKED_SOURCES = {STACKED_DIGITS: (DIGITS, 32), STACKED_MNIST: (MNIST, 28)}
DIGITS_THICKNESS = "digits_thickness"  # Unpaired; see gan_zoo.data.unpaired.
CYCLE_GAN = "cycle_gan"  # Unpaired `cycle_gan/<pair>`; see gan_zoo.data.unpaired.
GAUSSIAN_MIXTURE = "gaussian_mixture"
MIXTURE_CONFIGS = tuple(config.name for config in GaussianMixture.BUILDER_CONFIGS)
NAMES_HELP = (
    f"use {MNIST}, {DIGITS}, {STACKED_MNIST}, {STACKED_DIGITS}, "
    f"{GAUSSIAN_MIXTURE}/{'|'.join(MIXTURE_CONFIGS)}, {FOLDER_PREFIX}PATH, "
    "or any TFDS dataset name (tfds.list_builders()); unpaired (a, b) image pairs: "
    f"{DIGITS_THICKNESS} or {CYCLE_GAN}/<pair> (e.g. {CYCLE_GAN}/horse2zebra)"
)


def is_folder_name(name: str) -> bool:
    """Whether `name` names an image folder (`folder:PATH`).

    Args:
        name: a dataset name (anything: non-strings are not folder names).

    Returns:
        True when `name` is a string starting with `folder:`.
    """
    return isinstance(name, str) and name.startswith(FOLDER_PREFIX)
