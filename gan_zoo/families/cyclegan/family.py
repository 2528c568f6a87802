"""The CycleGAN family: unpaired image-to-image translation between two domains."""

import dataclasses

from gan_zoo.families import registry
from gan_zoo.families.config import PresetConfig
from gan_zoo.families.cyclegan import networks
from gan_zoo.families.cyclegan.model import CycleGAN

TRANSLATION_ALGORITHM = "cyclegan"


@dataclasses.dataclass(frozen=True, eq=False)
class CycleGANConfig(PresetConfig):
    """A translation preset: `PresetConfig` on unpaired `(a, b)` data, no z.

    `model_kwargs` sets `cycle_weight`, `identity_weight` and `pool_size`.
    """

    ARCHITECTURES = ("resnet_patchgan",)

    algorithm: str = TRANSLATION_ALGORITHM
    architecture: str = "resnet_patchgan"
    loss: str = "least_squares"


class CycleGANFamily(registry.Family):
    """Two ResNet generators and two PatchGAN discriminators, four optimizers."""

    name = "cyclegan"
    description = "Unpaired translation A ↔ B: ResNet generators, PatchGAN critics, cycle loss."
    task = "translation"
    algorithms = {TRANSLATION_ALGORITHM: CycleGAN}
    config_class = CycleGANConfig

    def check(self, config: CycleGANConfig) -> None:
        """Translation works on images."""
        if config.image_size is None or config.channels is None:
            raise ValueError(
                f"algorithm {TRANSLATION_ALGORITHM!r} needs architecture 'resnet_patchgan' on "
                f"images; got image_size {config.image_size}, channels {config.channels}"
            )

    def network_builders(self, config: CycleGANConfig) -> dict[str, list]:
        """The ResNet generator and PatchGAN discriminator builders."""
        return {
            "generator_kwargs": [networks.resnet_generator],
            "discriminator_kwargs": [networks.patchgan_discriminator],
        }

    def build(self, config: CycleGANConfig, seed: int, compile_kwargs: dict | None) -> CycleGAN:
        """Four networks, four optimizers (the paper's Adam and linear decay)."""
        size, channels = config.image_size, config.channels
        generator_kwargs, discriminator_kwargs = (
            config.generator_kwargs,
            config.discriminator_kwargs,
        )
        model = CycleGAN(
            networks.resnet_generator(size, channels, name="generator_a_to_b", **generator_kwargs),
            networks.resnet_generator(size, channels, name="generator_b_to_a", **generator_kwargs),
            networks.patchgan_discriminator(
                size, channels, name="discriminator_a", **discriminator_kwargs
            ),
            networks.patchgan_discriminator(
                size, channels, name="discriminator_b", **discriminator_kwargs
            ),
            seed=seed,
            name=config.name,
            **config.model_kwargs,
        )
        optimizer = registry.optimizer_factory(config)
        model.compile(
            generator_a_to_b_optimizer=optimizer(config.g_learning_rate),
            generator_b_to_a_optimizer=optimizer(config.g_learning_rate),
            discriminator_a_optimizer=optimizer(config.d_learning_rate),
            discriminator_b_optimizer=optimizer(config.d_learning_rate),
            **(compile_kwargs or {}),
        )
        return model

    def step_flops(self, model: CycleGAN, forward_flops) -> tuple[float, dict[str, int], str]:
        """`(14 + 6i)·F_G + 16·F_D` for equal networks, i = 1 with the identity loss."""
        nets = {
            "G_ab": forward_flops(model.generator_a_to_b),
            "G_ba": forward_flops(model.generator_b_to_a),
            "D_a": forward_flops(model.discriminator_a),
            "D_b": forward_flops(model.discriminator_b),
        }
        identity = bool(model.identity_weight)
        per_example = cyclegan_step_flops(
            nets["G_ab"], nets["G_ba"], nets["D_a"], nets["D_b"], identity=identity
        )
        rule = (
            f"cyclegan (identity {'on' if identity else 'off'}): "
            f"{14 + 6 * identity}·F_G + 16·F_D for equal networks"
        )
        return per_example, nets, rule


def cyclegan_step_flops(
    g_ab: float, g_ba: float, d_a: float, d_b: float, identity: bool = True
) -> float:
    """Per-example FLOPs of a CycleGAN step.

    Forward: each G `3 + i` times, each D once; G_ab's gradient call: `F_Db + F_Gba +
    2 (2 + i) F_Gab`, G_ba's alike; each D update `6 F_D`. Equal networks: `(14 + 6i) F_G +
    16 F_D`.
    """
    i = 1 if identity else 0
    forward = (3 + i) * (g_ab + g_ba) + d_a + d_b
    backward_ab = d_b + g_ba + 2 * (2 + i) * g_ab
    backward_ba = d_a + g_ab + 2 * (2 + i) * g_ba
    return forward + backward_ab + backward_ba + 6 * d_a + 6 * d_b
