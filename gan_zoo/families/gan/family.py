"""The GAN family: z → samples with dense or DCGAN networks, any of the `gan_zoo.losses`."""

import dataclasses

import keras

from gan_zoo import builders
from gan_zoo.families import registry
from gan_zoo.families.config import PresetConfig
from gan_zoo.families.gan.model import GAN
from gan_zoo.layers import packed_shape


@dataclasses.dataclass(frozen=True, eq=False)
class GANConfig(PresetConfig):
    """A GAN preset: `PresetConfig` plus the noise size and the discriminator's update count.

    Attributes:
        latent_dim: int. Size of z.
        d_steps: int. Discriminator updates per generator update.
        pack: int. PacGAN packing: D scores packs of this many samples (1: unpacked); the
            batch size must be a multiple of it.
    """

    ARCHITECTURES = tuple(sorted(builders.ARCHITECTURES))

    algorithm: str = "gan"
    architecture: str = "dcgan"
    latent_dim: int = 100
    d_steps: int = 1
    pack: int = 1


def networks(
    config: GANConfig, latent_dim: int, d_sample_shape: tuple[int, ...]
) -> tuple[keras.Model, keras.Model]:
    """The config's (generator, discriminator), G taking `latent_dim`, D `d_sample_shape`."""
    generator_fn, discriminator_fn = builders.get(config.architecture)
    if config.architecture == "dense":
        generator = generator_fn(latent_dim, config.sample_shape, **config.generator_kwargs)
        discriminator = discriminator_fn(d_sample_shape, **config.discriminator_kwargs)
    else:
        generator = generator_fn(
            latent_dim=latent_dim,
            image_size=config.image_size,
            channels=config.channels,
            **config.generator_kwargs,
        )
        discriminator = discriminator_fn(
            image_size=config.image_size,
            channels=d_sample_shape[-1],
            **config.discriminator_kwargs,
        )
    return generator, discriminator


def gan_step_flops(
    generator_flops: float, discriminator_flops: float, d_steps: int = 1, gradient_penalty=False
) -> float:
    """Per-example FLOPs of a GAN step: `k · (F_G + 6 F_D [+ 6 F_D]) + 3 F_G + 2 F_D`.

    Args:
        generator_flops: F_G, forward FLOPs per example of G.
        discriminator_flops: F_D, forward FLOPs per example of D.
        d_steps: int. k, D updates per step.
        gradient_penalty: bool. WGAN-GP's penalty (`6 F_D` per D update).
    """
    f_g, f_d = generator_flops, discriminator_flops
    d_update = f_g + 6 * f_d + (6 * f_d if gradient_penalty else 0)
    return d_steps * d_update + 3 * f_g + 2 * f_d


class GANFamily(registry.Family):
    """Unconditional noise-to-sample GANs trained with one optimizer per network."""

    name = "gan"
    description = "z → samples: MLP (2-D points, images) or DCGAN networks, any GAN loss."
    task = "unconditional"
    algorithms = {"gan": GAN}
    config_class = GANConfig
    paired_losses = True

    def check(self, config: GANConfig) -> None:
        """Z is needed: `latent_dim` must be set."""
        if config.latent_dim is None:
            raise ValueError(f"latent_dim must be a positive integer; got {config.latent_dim}")
        if config.batch_size % config.pack:
            raise ValueError(
                f"batch_size must be a multiple of pack; got batch_size={config.batch_size}, "
                f"pack={config.pack}"
            )

    def network_builders(self, config: GANConfig) -> dict[str, list]:
        """The architecture's generator and discriminator builders."""
        generator_fn, discriminator_fn = builders.get(config.architecture)
        return {"generator_kwargs": [generator_fn], "discriminator_kwargs": [discriminator_fn]}

    def networks(self, config: GANConfig) -> tuple[keras.Model, keras.Model]:
        """The (generator, discriminator) this family's model trains."""
        return networks(config, config.latent_dim, packed_shape(config.sample_shape, config.pack))

    def model_arguments(self, config: GANConfig) -> dict:
        """Constructor arguments of the model besides the networks."""
        return {
            "latent_dim": config.latent_dim,
            "d_steps": config.d_steps,
            "pack": config.pack,
            "ema_decay": config.ema_decay,
            "name": config.name,
            **config.model_kwargs,
        }

    def gradient_penalty(self, model: keras.Model) -> bool:
        """Whether each D update also differentiates a gradient penalty (WGAN-GP)."""
        return False

    def step_flops(self, model: keras.Model, forward_flops) -> tuple[float, dict[str, int], str]:
        """`k·(F_G + 6·F_D [+ 6·F_D penalty]) + 3·F_G + 2·F_D` (`gan_step_flops`)."""
        nets = {"F_G": forward_flops(model.generator), "F_D": forward_flops(model.discriminator)}
        penalty = self.gradient_penalty(model)
        k = int(model.d_steps)
        per_example = gan_step_flops(nets["F_G"], nets["F_D"], k, gradient_penalty=penalty)
        d_term = "12·F_D" if penalty else "6·F_D"
        rule = f"{'wgan_gp' if penalty else 'gan'}: {k}·(F_G + {d_term}) + 3·F_G + 2·F_D"
        return per_example, nets, rule

    def optimizer_factory(self, config: GANConfig):
        """`learning_rate → optimizer` for both networks (`registry.optimizer_factory`)."""
        return registry.optimizer_factory(config)

    def build(self, config: GANConfig, seed: int, compile_kwargs: dict | None) -> keras.Model:
        """Networks, model and one optimizer per network, compiled with the config's loss."""
        generator, discriminator = self.networks(config)
        model = self.algorithms[config.algorithm](
            generator, discriminator, seed=seed, **self.model_arguments(config)
        )
        optimizer = self.optimizer_factory(config)
        model.compile(
            g_optimizer=optimizer(config.g_learning_rate),
            d_optimizer=optimizer(config.d_learning_rate),
            loss=config.loss,
            **(compile_kwargs or {}),
        )
        return model
