"""The WGAN family's recipes: WGAN with clipping, WGAN-GP on digits, Fashion-MNIST and 2-D."""

from gan_zoo.families.recipes import (
    DIGITS,
    MNIST,
    PROTOCOL_2D,
    SMALL_DCGAN,
    VEEGAN_PROTOCOL,
    WGAN_GP,
)
from gan_zoo.families.wgan.family import WGANConfig

# Gulrajani et al. 2017: λ = 10, Adam(1e-4, β1 = 0, β2 = 0.9), 5 critic updates per G update.
_WGAN_GP_SETTINGS = {
    "algorithm": "wgan_gp",
    "loss": "wasserstein",
    "g_learning_rate": 1e-4,
    "d_learning_rate": 1e-4,
    "beta_1": 0.0,
    "beta_2": 0.9,
    "d_steps": 5,
    "model_kwargs": {"gp_weight": 10.0},
}
# The protocol's networks with WGAN-GP's own update rule (β1 = 0.5 as in the protocol).
_WGAN_GP_2D = {**PROTOCOL_2D, **_WGAN_GP_SETTINGS, "beta_1": 0.5}

_WGAN_SETTINGS = {
    "algorithm": "wgan",
    "loss": "wasserstein",
    "optimizer": "rmsprop",
    "g_learning_rate": 5e-5,
    "d_learning_rate": 5e-5,
    "d_steps": 5,
    "model_kwargs": {"clip_value": 0.01},
}

PRESETS = [
    WGANConfig(
        name="wgan_mnist",
        description="WGAN, weight clipping (c=0.01, RMSprop 5e-5, 5 critic steps), MNIST 28 px.",
        paper="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
        **MNIST,
        **SMALL_DCGAN,
        **_WGAN_SETTINGS,
        latent_dim=64,
        ema_decay=0.995,
        # At the paper's RMSprop 5e-5 the clipped critic needs far more steps than the others'
        # 40 epochs: blobs at epoch 20, strokes at 40, digit-like strokes (FID 44) at 120.
        epochs=120,
    ),
    WGANConfig(
        name="wgan_gp_mnist",
        description="WGAN-GP (λ=10, Adam 1e-4 β=(0, 0.9), 5 critic steps), real MNIST at 28 px.",
        paper=WGAN_GP,
        **MNIST,
        **_WGAN_GP_SETTINGS,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False},
        latent_dim=64,
        ema_decay=0.995,
        epochs=40,
    ),
    WGANConfig(
        name="wgan_digits",
        description="WGAN with weight clipping (c=0.01, RMSprop 5e-5, 5 critic steps).",
        paper="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
        **DIGITS,
        **SMALL_DCGAN,
        **_WGAN_SETTINGS,
        latent_dim=64,
        epochs=120,  # as wgan_mnist: the clipped critic at RMSprop 5e-5 needs the long run
    ),
    WGANConfig(
        name="wgan_gp_digits",
        description="WGAN-GP (λ=10, Adam 1e-4 β=(0, 0.9), 5 critic steps, no critic BN).",
        paper=WGAN_GP,
        **DIGITS,
        **_WGAN_GP_SETTINGS,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False},
        latent_dim=64,
        epochs=40,
    ),
    WGANConfig(
        name="wgan_gp_fashion_mnist",
        description="WGAN-GP on Fashion-MNIST at 28 px (needs a TFDS download).",
        paper=WGAN_GP,
        dataset="fashion_mnist",
        image_size=28,
        channels=1,
        **_WGAN_GP_SETTINGS,
        discriminator_kwargs={"batch_norm": False},
        epochs=25,
    ),
    WGANConfig(
        name="wgan_gp_ring8",
        description="WGAN-GP on the ring of 8 Gaussians (VEEGAN protocol networks).",
        paper=f"{WGAN_GP}; {VEEGAN_PROTOCOL}",
        dataset="gaussian_mixture/ring8",
        **_WGAN_GP_2D,
    ),
    WGANConfig(
        name="wgan_gp_grid25",
        description="WGAN-GP on the grid of 25 Gaussians (VEEGAN protocol networks).",
        paper=f"{WGAN_GP}; {VEEGAN_PROTOCOL}",
        dataset="gaussian_mixture/grid25",
        **_WGAN_GP_2D,
    ),
]
