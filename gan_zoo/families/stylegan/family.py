"""The StyleGAN family: StyleGAN2's mapping + synthesis generator and residual discriminator."""

import dataclasses

from gan_zoo.families import registry
from gan_zoo.families.config import PresetConfig
from gan_zoo.families.stylegan import networks
from gan_zoo.families.stylegan.generator import StyleGenerator
from gan_zoo.families.stylegan.model import StyleGAN, lazy_regularization_adam

STYLE_ALGORITHM = "stylegan"


@dataclasses.dataclass(frozen=True, eq=False)
class StyleGANConfig(PresetConfig):
    """A StyleGAN2 preset: `PresetConfig` plus the size of z.

    `generator_kwargs` may set `w_dim` (default latent_dim), `mapping_layers` (8),
    `channel_base`, `channel_max`; `model_kwargs` the regularizers (`r1_gamma`,
    `path_length_weight`, `style_mixing_probability`, ...).

    Attributes:
        latent_dim: int. Size of z.
    """

    ARCHITECTURES = (STYLE_ALGORITHM,)

    algorithm: str = STYLE_ALGORITHM
    architecture: str = STYLE_ALGORITHM
    latent_dim: int = 512


def stylegan_step_flops(
    mapping_flops: float,
    synthesis_flops: float,
    discriminator_flops: float,
    mapping_passes: int = 2,
    r1_every: int | None = 16,
    path_length_every: int | None = None,
) -> float:
    """Per-example FLOPs of a StyleGAN2 step, regularizers amortized over their intervals.

    `S = m · F_map + F_syn`; step = `S + 6 F_D + 6 F_D / r1_every + 3 S + 2 F_D
    + 3 (m F_map + 2 F_syn) / 2 / path_length_every` (None turns a regularizer off).
    """
    styles = mapping_passes * mapping_flops + synthesis_flops
    total = styles + 6 * discriminator_flops + 3 * styles + 2 * discriminator_flops
    if r1_every:
        total += 6 * discriminator_flops / r1_every
    if path_length_every:
        penalty = 3 * (mapping_passes * mapping_flops + 2 * synthesis_flops)
        total += penalty / 2 / path_length_every
    return total


class StyleGANFamily(registry.Family):
    """StyleGAN2 trained as the reference does: lazy R1, style mixing, path length, EMA."""

    name = "stylegan"
    description = "StyleGAN2: mapping + modulated synthesis, truncation and style mixing."
    task = "unconditional"
    styles = True
    algorithms = {STYLE_ALGORITHM: StyleGAN}
    config_class = StyleGANConfig

    def check(self, config: StyleGANConfig) -> None:
        """StyleGAN2 works on images."""
        if config.image_size is None:
            raise ValueError(
                f"algorithm {STYLE_ALGORITHM!r} and architecture 'stylegan' go together, on "
                f"images and without conditioning; got image_size {config.image_size}"
            )

    def network_builders(self, config: StyleGANConfig) -> dict[str, list]:
        """The synthesis network (and the mapping's `w_dim`, `mapping_layers`); D."""
        return {
            "generator_kwargs": [networks.synthesis_network, {"w_dim", "mapping_layers"}],
            "discriminator_kwargs": [networks.discriminator],
        }

    def build(self, config: StyleGANConfig, seed: int, compile_kwargs: dict | None) -> StyleGAN:
        """Mapping + synthesis (`StyleGenerator`), residual D, lazy-regularization Adam."""
        generator_kwargs = dict(config.generator_kwargs)
        w_dim = generator_kwargs.pop("w_dim", config.latent_dim)
        mapping_layers = generator_kwargs.pop("mapping_layers", 8)
        generator = StyleGenerator(
            networks.mapping_network(config.latent_dim, w_dim, num_layers=mapping_layers),
            networks.synthesis_network(
                config.image_size, config.channels, w_dim, **generator_kwargs
            ),
        )
        discriminator = networks.discriminator(
            config.image_size, config.channels, **config.discriminator_kwargs
        )
        model = StyleGAN(
            generator,
            discriminator,
            ema_decay=config.ema_decay,
            seed=seed,
            name=config.name,
            **config.model_kwargs,
        )
        # The reference's lazy regularization: Adam with lr · c and betas ** c, c = k / (k + 1).
        r1_interval = model.r1_interval if model.r1_gamma > 0 else None
        path_interval = model.path_length_interval if model.path_length_weight > 0 else None
        adam = lazy_regularization_adam
        model.compile(
            g_optimizer=adam(config.g_learning_rate, config.beta_1, config.beta_2, path_interval),
            d_optimizer=adam(config.d_learning_rate, config.beta_1, config.beta_2, r1_interval),
            loss=config.loss,
            **(compile_kwargs or {}),
        )
        return model

    def step_flops(self, model: StyleGAN, forward_flops) -> tuple[float, dict[str, int], str]:
        """`4·S + 8·F_D` plus the amortized R1 and path-length terms (`stylegan_step_flops`)."""
        generator = model.generator
        nets = {
            "F_map": forward_flops(generator.mapping),
            "F_syn": forward_flops(generator.synthesis),
            "F_D": forward_flops(model.discriminator),
        }
        passes = 2 if model.style_mixing_probability > 0 else 1
        r1_every = model.r1_interval if model.r1_gamma > 0 else None
        path_every = model.path_length_interval if model.path_length_weight > 0 else None
        per_example = stylegan_step_flops(
            nets["F_map"], nets["F_syn"], nets["F_D"], passes, r1_every, path_every
        )
        rule = (
            f"stylegan: S = {passes}·F_map + F_syn; 4·S + 8·F_D"
            + (f" + 6·F_D/{r1_every} (R1)" if r1_every else "")
            + (
                f" + 3·({passes}·F_map + 2·F_syn)/2/{path_every} (path length)"
                if path_every
                else ""
            )
        )
        return per_example, nets, rule
