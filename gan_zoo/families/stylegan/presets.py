"""The StyleGAN family's recipes: digits on a CPU, CelebA 64 px and FFHQ 256 px."""

from gan_zoo.families.recipes import DIGITS, MNIST
from gan_zoo.families.stylegan.family import StyleGANConfig

_STYLEGAN2 = (
    "Karras et al. 2020, arXiv:1912.04958 (StyleGAN2); settings of NVlabs/stylegan2-ada-pytorch"
)
# The reference: non-saturating logistic loss, Adam(β1 = 0, β2 = 0.99, ε = 1e-8) with the lazy
# regularization correction, R1 every 16 steps, style mixing 0.9, path length 2 every 4 steps.
_STYLEGAN_SETTINGS = {
    "loss": "non_saturating",
    "g_learning_rate": 0.0025,
    "d_learning_rate": 0.0025,
    "beta_1": 0.0,
    "beta_2": 0.99,
}


def _ema_decay(batch_size: int, half_life_images: int) -> float:
    """The reference's EMA: a half-life of `ema_kimg` thousand images, per step of a batch."""
    return 0.5 ** (batch_size / half_life_images)


# Networks narrowed for 32 px digits, 20 x 100 steps of 32 (~2,000 steps), CIFAR-like R1 γ.
_SMALL_STYLEGAN_32 = {
    **_STYLEGAN_SETTINGS,
    "latent_dim": 64,
    "batch_size": 32,
    "epochs": 20,
    "steps_per_epoch": 100,
    "ema_decay": _ema_decay(32, 10_000),
    "generator_kwargs": {"w_dim": 64, "channel_base": 1024, "channel_max": 64},
    "discriminator_kwargs": {"channel_base": 1024, "channel_max": 64},
    "model_kwargs": {"r1_gamma": 0.01, "style_mixing_probability": 0.9},
}

PRESETS = [
    StyleGANConfig(
        name="stylegan_mnist",
        description=(
            "StyleGAN2 on 4,000 real MNIST digits served at 32 px (the synthesis network "
            "doubles from 4 px), small networks, offline."
        ),
        paper=f"{_STYLEGAN2} (networks narrowed for 32 px digits; CIFAR-like R1 γ)",
        **{**MNIST, "image_size": 32},
        **_SMALL_STYLEGAN_32,
    ),
    StyleGANConfig(
        name="stylegan_digits",
        description=(
            "StyleGAN2 on the embedded digits at 32 px (small networks); trains to clear digits "
            "in about half an hour on a 2-core CPU."
        ),
        paper=f"{_STYLEGAN2} (networks narrowed for 32 px digits; CIFAR-like R1 γ)",
        **DIGITS,
        **_SMALL_STYLEGAN_32,
    ),
    StyleGANConfig(
        name="stylegan_celeba64",
        description="StyleGAN2 on CelebA faces at 64 px, the reference's settings (TFDS download).",
        paper=(
            f"{_STYLEGAN2}, config 'auto' at 64 px: batch 32, γ = 0.0002·64²/32, EMA 10 kimg, "
            "8 mapping layers as the paper"
        ),
        dataset="celeb_a",
        image_size=64,
        channels=3,
        latent_dim=512,
        batch_size=32,
        epochs=150,  # ~25,000 kimg over CelebA's 162,770 training images
        ema_decay=_ema_decay(32, 10_000),
        generator_kwargs={"channel_base": 16384, "channel_max": 512},
        discriminator_kwargs={"channel_base": 16384, "channel_max": 512},
        model_kwargs={"r1_gamma": 0.0256, "path_length_weight": 2.0},
        **_STYLEGAN_SETTINGS,
    ),
    StyleGANConfig(
        name="stylegan_ffhq256",
        description=(
            "StyleGAN2 on FFHQ at 256 px, the reference's paper256 settings; FFHQ is not in "
            "TFDS: download it and pass --dataset=folder:PATH."
        ),
        paper=f"{_STYLEGAN2}, config 'paper256' (batch 64, minibatch-std group 8, γ = 1)",
        dataset="folder:data/ffhq256",
        image_size=256,
        channels=3,
        latent_dim=512,
        batch_size=64,
        epochs=357,  # 25,000 kimg over FFHQ's 70,000 images
        ema_decay=_ema_decay(64, 20_000),
        generator_kwargs={"channel_base": 16384, "channel_max": 512},
        discriminator_kwargs={
            "channel_base": 16384,
            "channel_max": 512,
            "minibatch_std_group_size": 8,
        },
        model_kwargs={"r1_gamma": 1.0, "path_length_weight": 2.0},
        **_STYLEGAN_SETTINGS,
    ),
]
