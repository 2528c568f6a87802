"""The R3GAN family: RpGAN + R1 + R2 on residual networks without normalization."""

import dataclasses

import keras

from gan_zoo import builders
from gan_zoo.families.config import is_number
from gan_zoo.families.gan.family import GANConfig, GANFamily
from gan_zoo.families.gan.family import networks as gan_networks
from gan_zoo.families.r3gan import networks as r3gan_networks
from gan_zoo.families.r3gan.model import R3GAN
from gan_zoo.layers import packed_shape


@dataclasses.dataclass(frozen=True, eq=False)
class R3GANConfig(GANConfig):
    """An R3GAN preset: `GANConfig` with R3GAN's defaults and its γ / learning-rate schedules.

    `architecture="residual"` builds R3GAN's networks (`gan_zoo.families.r3gan.networks`: the
    convolutional ones for images, the residual MLPs for points); `"dense"` and `"dcgan"` put
    its objective on the GAN family's networks.

    Attributes:
        gamma: float ≥ 0. γ of `γ/2 · R1 + γ/2 · R2` at the start of training.
        gamma_end: float ≥ 0 or None. γ at the end (cosine); None keeps it constant.
        learning_rate_end: float in (0, 1] or None. Both learning rates follow a cosine from
            their value down to this fraction of it over the run (`epochs × steps_per_epoch`
            updates); None keeps them constant.
    """

    ARCHITECTURES = ("residual", *sorted(builders.ARCHITECTURES))

    algorithm: str = "r3gan"
    architecture: str = "residual"
    loss: str = "relativistic"
    beta_1: float = 0.0
    beta_2: float = 0.99
    gamma: float = 0.1
    gamma_end: float | None = None
    learning_rate_end: float | None = None

    @property
    def schedule_steps(self) -> int | None:
        """Updates the schedules span: `epochs × steps_per_epoch` (None without steps)."""
        return None if self.steps_per_epoch is None else self.epochs * self.steps_per_epoch


class R3GANFamily(GANFamily):
    """R3GAN: the relativistic pairing loss with R1 and R2, residual networks, no normalization."""

    name = "r3gan"
    description = "RpGAN + R1 + R2 on residual networks (Huang et al. 2024): a modern baseline."
    algorithms = {"r3gan": R3GAN}
    config_class = R3GANConfig

    def check(self, config: R3GANConfig) -> None:
        """γ values are ≥ 0; the schedules need `steps_per_epoch` (their length)."""
        super().check(config)
        for key in ("gamma", "gamma_end"):
            value = getattr(config, key)
            if value is not None and (not is_number(value) or value < 0):
                raise ValueError(f"{key} must be a number >= 0; got {value!r}")
        end = config.learning_rate_end
        if end is not None and (not is_number(end) or not 0 < end <= 1):
            raise ValueError(f"learning_rate_end must be in (0, 1] or None; got {end!r}")
        if end is not None and config.learning_rate_decay_start is not None:
            raise ValueError(
                "learning_rate_end (cosine) and learning_rate_decay_start (linear) are two "
                "schedules; set one of them"
            )
        scheduled = config.gamma_end is not None or end is not None
        if scheduled and config.steps_per_epoch is None:
            raise ValueError(
                "gamma_end and learning_rate_end need steps_per_epoch (the schedule's length is "
                "epochs x steps_per_epoch)"
            )

    def network_builders(self, config: R3GANConfig) -> dict[str, list]:
        """R3GAN's builders for `residual` (conv or MLP by the data), else the GAN family's."""
        if config.architecture != "residual":
            return super().network_builders(config)
        if config.image_size is None:
            pair = (r3gan_networks.mlp_generator, r3gan_networks.mlp_discriminator)
        else:
            pair = (r3gan_networks.generator, r3gan_networks.discriminator)
        return {"generator_kwargs": [pair[0]], "discriminator_kwargs": [pair[1]]}

    def networks(self, config: R3GANConfig) -> tuple[keras.Model, keras.Model]:
        """The (generator, discriminator); D takes packed samples when `pack > 1`."""
        d_shape = packed_shape(config.sample_shape, config.pack)
        if config.architecture != "residual":
            return gan_networks(config, config.latent_dim, d_shape)
        if config.image_size is None:
            generator = r3gan_networks.mlp_generator(
                config.latent_dim, config.sample_shape, **config.generator_kwargs
            )
            discriminator = r3gan_networks.mlp_discriminator(d_shape, **config.discriminator_kwargs)
            return generator, discriminator
        generator = r3gan_networks.generator(
            config.latent_dim, config.image_size, config.channels, **config.generator_kwargs
        )
        discriminator = r3gan_networks.discriminator(
            config.image_size, d_shape[-1], **config.discriminator_kwargs
        )
        return generator, discriminator

    def model_arguments(self, config: R3GANConfig) -> dict:
        """The GAN arguments and the γ schedule."""
        return {
            **super().model_arguments(config),
            "gamma": config.gamma,
            "gamma_end": config.gamma_end,
            "schedule_steps": config.schedule_steps if config.gamma_end is not None else None,
        }

    def gradient_penalty(self, model: keras.Model) -> bool:
        """R1 and R2 differentiate D's input gradient in every D update."""
        return True

    def optimizer_factory(self, config: R3GANConfig):
        """The GAN family's optimizers, each rate on a cosine when `learning_rate_end` is set."""
        make = super().optimizer_factory(config)
        if config.learning_rate_end is None:
            return make

        def cosine(learning_rate: float) -> keras.optimizers.Optimizer:
            return make(
                keras.optimizers.schedules.CosineDecay(
                    learning_rate, config.schedule_steps, alpha=config.learning_rate_end
                )
            )

        return cosine
