"""The conditional family: G(z, y) and a label-aware D, on the GAN family's networks."""

import dataclasses

import keras

from gan_zoo.families.conditional import networks as conditional_networks
from gan_zoo.families.conditional.model import ACGAN, ConditionalGAN
from gan_zoo.families.gan.family import GANConfig, GANFamily, networks

# How D sees the label: in its input ("concat"), by projection on its features, or through an
# auxiliary classification head (ACGAN).
CONDITIONINGS = ("concat", "projection", "auxiliary_classifier")


@dataclasses.dataclass(frozen=True, eq=False)
class ConditionalGANConfig(GANConfig):
    """A class-conditional preset: `GANConfig` plus the labels.

    Attributes:
        conditioning: str. One of `CONDITIONINGS`.
        num_classes: int. Labels of the data, in [0, num_classes).
        label_embedding_dim: int. Size of the label embedding given to G (and to a flat D).
    """

    algorithm: str = "conditional_gan"
    conditioning: str = "concat"
    num_classes: int = 10
    label_embedding_dim: int = 16


class ConditionalFamily(GANFamily):
    """Conditional GANs: concatenated or projected labels (cGAN), or an auxiliary classifier."""

    name = "conditional"
    description = "Class-conditional G(z, y): concat or projection D (cGAN), or ACGAN."
    task = "conditional"
    algorithms = {"conditional_gan": ConditionalGAN, "acgan": ACGAN}
    config_class = ConditionalGANConfig

    def check(self, config: ConditionalGANConfig) -> None:
        """The conditioning is one of `CONDITIONINGS`; ACGAN needs its classifier head."""
        super().check(config)
        if config.conditioning not in CONDITIONINGS:
            raise ValueError(
                f"conditioning must be one of {', '.join(CONDITIONINGS)}; "
                f"got {config.conditioning!r}"
            )
        if config.num_classes < 2:
            raise ValueError(f"num_classes must be at least 2; got {config.num_classes}")
        if config.pack != 1:
            raise ValueError(
                f"pack must be 1 for conditional presets (packing applies to unconditional "
                f"D(x) discriminators); got {config.pack}"
            )

    def networks(self, config: ConditionalGANConfig) -> tuple[keras.Model, keras.Model]:
        """The base networks (z widened by the label embedding), wrapped to take labels."""
        shape = config.sample_shape
        embedding = config.label_embedding_dim
        d_shape = shape
        if config.conditioning == "concat":  # the label enters D's input
            d_shape = (*shape[:-1], shape[-1] + 1) if len(shape) == 3 else (shape[0] + embedding,)
        base_generator, base_discriminator = networks(
            config, config.latent_dim + embedding, d_shape
        )
        generator = conditional_networks.generator(base_generator, config.num_classes, embedding)
        if config.conditioning == "concat":
            discriminator = conditional_networks.concat_discriminator(
                base_discriminator, shape, config.num_classes, embedding
            )
        elif config.conditioning == "projection":
            discriminator = conditional_networks.projection_discriminator(
                base_discriminator, config.num_classes
            )
        else:
            discriminator = conditional_networks.auxiliary_classifier_discriminator(
                base_discriminator, config.num_classes
            )
        return generator, discriminator

    def model_arguments(self, config: ConditionalGANConfig) -> dict:
        """The GAN arguments and `num_classes`."""
        return {**super().model_arguments(config), "num_classes": config.num_classes}
