"""The conditional family's recipes: cGAN (concat, projection) and ACGAN."""

from gan_zoo.families.conditional.family import ConditionalGANConfig
from gan_zoo.families.recipes import DIGITS, MNIST, SMALL_DCGAN

_CGAN = "Mirza & Osindero 2014, arXiv:1411.1784 (DCGAN networks, Radford et al. 2015)"
_CONDITIONAL_DIGITS = {
    **DIGITS,
    **SMALL_DCGAN,
    "num_classes": 10,
    "latent_dim": 64,
    "epochs": 40,
    "ema_decay": 0.99,
}

_CONDITIONAL_MNIST = {
    **MNIST,
    **SMALL_DCGAN,
    "num_classes": 10,
    "latent_dim": 64,
    "batch_size": 64,
    "epochs": 40,
    "ema_decay": 0.995,
}

PRESETS = [
    ConditionalGANConfig(
        name="cgan_digits",
        description="Conditional DCGAN (labels concatenated) on the embedded digits.",
        paper=_CGAN,
        **_CONDITIONAL_DIGITS,
        algorithm="conditional_gan",
        conditioning="concat",
    ),
    ConditionalGANConfig(
        name="cgan_projection_digits",
        description="Conditional DCGAN with a projection discriminator, embedded digits.",
        paper="Miyato & Koyama 2018, arXiv:1802.05637",
        **_CONDITIONAL_DIGITS,
        algorithm="conditional_gan",
        conditioning="projection",
    ),
    ConditionalGANConfig(
        name="acgan_digits",
        description="ACGAN (auxiliary classifier) on the embedded digits.",
        paper="Odena, Olah & Shlens 2017, arXiv:1610.09585",
        **_CONDITIONAL_DIGITS,
        algorithm="acgan",
        conditioning="auxiliary_classifier",
    ),
    ConditionalGANConfig(
        name="cgan_mnist",
        description=(
            "Conditional DCGAN (labels concatenated) on 4,000 real MNIST digits at 28 px "
            "(--dataset=mnist: TFDS's 60,000)."
        ),
        paper=_CGAN,
        **_CONDITIONAL_MNIST,
        algorithm="conditional_gan",
        conditioning="concat",
    ),
    ConditionalGANConfig(
        name="cgan_projection_mnist",
        description="Conditional DCGAN with a projection discriminator, real MNIST at 28 px.",
        paper="Miyato & Koyama 2018, arXiv:1802.05637",
        **_CONDITIONAL_MNIST,
        algorithm="conditional_gan",
        conditioning="projection",
    ),
    ConditionalGANConfig(
        name="acgan_mnist",
        description="ACGAN (auxiliary classifier) on real MNIST at 28 px.",
        paper="Odena, Olah & Shlens 2017, arXiv:1610.09585",
        **_CONDITIONAL_MNIST,
        algorithm="acgan",
        conditioning="auxiliary_classifier",
    ),
]
