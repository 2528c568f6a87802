"""Settings several families' presets share: the data protocols and the papers they cite.

Every preset is written one way: `FamilyConfig(name=..., description=..., paper=...,
**PROTOCOL, **SETTINGS, field=value, ...)`, later keywords overriding nothing (a repeated
keyword is a Python error, so a preset states each setting once).
"""

DCGAN = "Radford, Metz & Chintala 2015, arXiv:1511.06434"
VEEGAN_PROTOCOL = (
    "Goodfellow et al. 2014; 2-D protocol of Metz et al. 2016 (arXiv:1611.02163) and "
    "Srivastava et al. 2017 (VEEGAN, arXiv:1705.07761)"
)
WGAN_GP = "Gulrajani et al. 2017, arXiv:1704.00028"

# The embedded 8x8 digits served at 32 px.
DIGITS = {"dataset": "gan_zoo_digits", "image_size": 32, "channels": 1}
# The embedded 5,000 real MNIST digits at 28 px (offline); `--dataset=mnist` trains the same
# preset on TFDS's full 60,000 (downloaded on first use).
MNIST = {"dataset": "gan_zoo_mnist", "image_size": 28, "channels": 1}
# 4,000 training digits at batch 64: 62 steps per epoch.
MNIST_STEPS_PER_EPOCH = 62
# DCGAN networks narrowed for 32 px digits.
SMALL_DCGAN = {
    "generator_kwargs": {"base_filters": 32},
    "discriminator_kwargs": {"base_filters": 32},
}
# The 2-D protocol of Metz et al. 2016 / VEEGAN: MLPs of 2x128 tanh units, z of 256, batch 512,
# 25,000 iterations (50 epochs of 500 steps over the repeated data).
PROTOCOL_2D = {
    "image_size": None,
    "channels": None,
    "architecture": "dense",
    "latent_dim": 256,
    "batch_size": 512,
    "epochs": 50,
    "steps_per_epoch": 500,
    "generator_kwargs": {
        "hidden_units": (128, 128),
        "activation": "tanh",
        "output_activation": None,
    },
    "discriminator_kwargs": {"hidden_units": (128, 128), "activation": "tanh"},
}
