"""The GAN family's recipes: the original MLP GAN, DCGAN, LSGAN and SNGAN."""

from gan_zoo.families.gan.family import GANConfig
from gan_zoo.families.recipes import (
    DCGAN,
    DIGITS,
    MNIST,
    PROTOCOL_2D,
    SMALL_DCGAN,
    VEEGAN_PROTOCOL,
)

_SNGAN = "Miyato et al. 2018, arXiv:1802.05957 (hinge loss, spectral normalization)"
_GAN_2D = {**PROTOCOL_2D, "g_learning_rate": 1e-3, "d_learning_rate": 1e-4, "beta_1": 0.5}

# The 28 px MNIST presets share one schedule so that their quality figures compare: batch 64,
# EMA of the generator for sampling (a horizon of ~200 steps), `MNIST_EPOCHS` passes over the
# 4,000 embedded training digits.
_MNIST_SCHEDULE = {**MNIST, "latent_dim": 64, "batch_size": 64, "ema_decay": 0.995}
MNIST_EPOCHS = 40

PRESETS = [
    GANConfig(
        name="dcgan_mnist",
        description=(
            "DCGAN on 4,000 real MNIST digits at 28 px, offline; the demo (--dataset=mnist: "
            "TFDS's 60,000)."
        ),
        paper=DCGAN,
        **_MNIST_SCHEDULE,
        **SMALL_DCGAN,
        epochs=MNIST_EPOCHS,
    ),
    GANConfig(
        name="dcgan_stacked_mnist",
        description=(
            "DCGAN on Stacked MNIST (3 real MNIST digits as RGB channels, 28 px): the "
            "1,000-mode count benchmark, offline."
        ),
        paper=(
            f"{DCGAN}; Stacked-MNIST protocol of Metz et al. 2016 (arXiv:1611.02163), "
            "VEEGAN (arXiv:1705.07761) and PacGAN (arXiv:1712.04086)"
        ),
        dataset="stacked_mnist",
        image_size=28,
        channels=3,
        **SMALL_DCGAN,
        latent_dim=64,
        batch_size=64,
        epochs=30,
        steps_per_epoch=100,  # an endless stream of fresh draws: 30 x 100 steps
        ema_decay=0.995,
    ),
    GANConfig(
        name="gan_mnist",
        description="The original MLP GAN (non-saturating loss) on real MNIST digits at 28 px.",
        paper="Goodfellow et al. 2014, arXiv:1406.2661 (MLP networks, Adam as in DCGAN)",
        **_MNIST_SCHEDULE,
        architecture="dense",
        epochs=100,  # the MLP's steps are cheap; 40 epochs left it partly collapsed (FID 58)
        generator_kwargs={"hidden_units": (256, 512)},
        discriminator_kwargs={"hidden_units": (512, 256), "dropout": 0.3},
    ),
    GANConfig(
        name="lsgan_mnist",
        description="LSGAN: the DCGAN networks with the least-squares loss, real MNIST at 28 px.",
        paper="Mao et al. 2017, arXiv:1611.04076 (a=0, b=c=1)",
        **_MNIST_SCHEDULE,
        **SMALL_DCGAN,
        loss="least_squares",
        epochs=MNIST_EPOCHS,
    ),
    GANConfig(
        name="sngan_mnist",
        description="SNGAN: hinge loss and a spectrally normalized D, real MNIST at 28 px.",
        paper=_SNGAN,
        **_MNIST_SCHEDULE,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False, "spectral_norm": True},
        loss="hinge",
        epochs=MNIST_EPOCHS,
    ),
    GANConfig(
        name="dcgan_digits",
        description="DCGAN on the embedded 8x8 digits served at 32 px; trains in minutes on a CPU.",
        paper=DCGAN,
        **DIGITS,
        **SMALL_DCGAN,
        latent_dim=64,
        batch_size=64,
        epochs=40,  # 40 x 22 steps: about 4 minutes of 2-core CPU
        ema_decay=0.99,  # an EMA horizon of ~100 steps suits a short run
    ),
    GANConfig(
        name="dcgan_stacked_digits",
        description=(
            "DCGAN on stacked digits (3 embedded digits as RGB channels, 32 px): the "
            "Stacked-MNIST 1,000-mode count benchmark, offline."
        ),
        paper=(
            f"{DCGAN}; Stacked-MNIST protocol of Metz et al. 2016 (arXiv:1611.02163) and "
            "Srivastava et al. 2017 (VEEGAN, arXiv:1705.07761), on the embedded 8x8 digits"
        ),
        dataset="stacked_digits",
        image_size=32,
        channels=3,
        **SMALL_DCGAN,
        latent_dim=64,
        batch_size=64,
        epochs=20,
        steps_per_epoch=100,  # an endless stream of fresh draws: 20 x 100 steps
        ema_decay=0.99,
    ),
    GANConfig(
        name="gan_digits",
        description="The original MLP GAN (non-saturating loss) on the embedded digits at 32 px.",
        paper="Goodfellow et al. 2014, arXiv:1406.2661 (MLP networks, Adam as in DCGAN)",
        **DIGITS,
        architecture="dense",
        latent_dim=100,
        batch_size=64,
        epochs=100,
        generator_kwargs={"hidden_units": (256, 512)},
        discriminator_kwargs={"hidden_units": (512, 256), "dropout": 0.3},
    ),
    GANConfig(
        name="gan_ring8",
        description="MLP GAN on the 2-D ring of 8 Gaussians (VEEGAN protocol, 25,000 iterations).",
        paper=VEEGAN_PROTOCOL,
        dataset="gaussian_mixture/ring8",
        **_GAN_2D,
    ),
    GANConfig(
        name="gan_grid25",
        description="MLP GAN on the 5x5 grid of 25 Gaussians (VEEGAN protocol).",
        paper=VEEGAN_PROTOCOL,
        dataset="gaussian_mixture/grid25",
        **_GAN_2D,
    ),
    GANConfig(
        name="dcgan_celeba64",
        description="DCGAN on CelebA faces at 64 px with the paper's settings (needs a download).",
        paper=DCGAN,
        dataset="celeb_a",
        image_size=64,
        channels=3,
        latent_dim=100,
        batch_size=128,
        epochs=20,
    ),
    GANConfig(
        name="lsgan_digits",
        description="LSGAN: the GAN algorithm with the least-squares loss, digits.",
        paper="Mao et al. 2017, arXiv:1611.04076 (a=0, b=c=1)",
        **DIGITS,
        **SMALL_DCGAN,
        loss="least_squares",
        latent_dim=64,
        epochs=40,
        ema_decay=0.99,
    ),
    GANConfig(
        name="sngan_digits",
        description="SNGAN: hinge loss and a spectrally normalized D, embedded digits.",
        paper=_SNGAN,
        **DIGITS,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False, "spectral_norm": True},
        loss="hinge",
        latent_dim=64,
        epochs=40,
        ema_decay=0.99,
    ),
    GANConfig(
        name="sngan_cifar10",
        description="SNGAN on CIFAR-10, setting A (Adam 1e-4 β=(0.5, 0.9), 5 D steps).",
        paper=_SNGAN,
        dataset="cifar10",
        image_size=32,
        channels=3,
        discriminator_kwargs={"batch_norm": False, "spectral_norm": True},
        loss="hinge",
        latent_dim=128,
        g_learning_rate=1e-4,
        d_learning_rate=1e-4,
        beta_1=0.5,
        beta_2=0.9,
        d_steps=5,
        epochs=100,
    ),
]
