"""StyleGAN2's generator: the mapping network, the synthesis network and the average w.

`StyleGenerator` maps z → w (`mapping`), keeps w̄ for truncation, and synthesizes images from
one style vector per layer (`synthesis`, `gan_zoo.families.stylegan.networks`). Sampling uses
fixed noise maps (the reference's `noise_mode="const"`).
"""

import keras
import tensorflow as tf

from gan_zoo.engine.random import stateless_normal
from gan_zoo.engine.steps import from_config_with_networks

# Seed of the fixed noise maps used for sampling (per layer: [seed, layer index]).
_CONSTANT_NOISE_SEED = 0x5713


@keras.saving.register_keras_serializable(package="gan_zoo")
class StyleGenerator(keras.Model):
    """Mapping and synthesis networks with the tracked average w̄; z → images for sampling.

    Args:
        mapping: keras.Model. z `[B, latent_dim]` → w `[B, w_dim]`
            (`gan_zoo.families.stylegan.networks.mapping_network`).
        synthesis: keras.Model. `[ws [B, num_ws, w_dim], noise_0 [B, r₀, r₀, 1], ...]` → images
            `[B, H, W, C]`, unbounded (`gan_zoo.families.stylegan.networks.synthesis_network`).
        w_average_decay: float in [0, 1). w̄ ← decay · w̄ + (1 − decay) · mean(w) at each
            update. Defaults to 0.995 (the reference's `w_avg_beta`).
        **kwargs: `keras.Model` arguments (`name`).
    """

    def __init__(
        self,
        mapping: keras.Model,
        synthesis: keras.Model,
        w_average_decay: float = 0.995,
        **kwargs,
    ):
        kwargs.setdefault("name", "generator")
        super().__init__(**kwargs)
        if not 0.0 <= float(w_average_decay) < 1.0:
            raise ValueError(f"w_average_decay must be in [0, 1); got {w_average_decay}")
        self.mapping = mapping
        self.synthesis = synthesis
        self.w_average_decay = float(w_average_decay)
        self.latent_dim = int(mapping.inputs[0].shape[-1])
        ws_shape = synthesis.inputs[0].shape
        self.num_ws, self.w_dim = int(ws_shape[1]), int(ws_shape[2])
        if int(mapping.outputs[0].shape[-1]) != self.w_dim:
            raise ValueError(
                f"the mapping network's w has {mapping.outputs[0].shape[-1]} features; the "
                f"synthesis network takes {self.w_dim}"
            )
        self.noise_shapes = [tuple(int(d) for d in x.shape[1:]) for x in synthesis.inputs[1:]]
        self.w_average = self.add_weight(
            shape=(self.w_dim,), initializer="zeros", trainable=False, name="w_average"
        )
        self.built = True

    @property
    def output_shape(self) -> tuple:
        """`(None, H, W, C)`, as a functional model's."""
        return tuple(self.synthesis.output_shape)

    # ------------------------------------------------------------------------------ pieces
    def map(self, z, truncation_psi=1.0, training: bool = False) -> tf.Tensor:
        """Maps z `[B, latent_dim]` to w `[B, w_dim]`, truncated towards w̄ by ψ (1 = none)."""
        w = self.mapping(z, training=training)
        psi = tf.cast(truncation_psi, w.dtype)
        average = tf.cast(self.w_average, w.dtype)
        return average + psi * (w - average)

    def broadcast(self, w) -> tf.Tensor:
        """Repeats w `[B, w_dim]` as ws `[B, num_ws, w_dim]`: one style for every layer."""
        return tf.tile(w[:, None, :], [1, self.num_ws, 1])

    def constant_noise(self, batch) -> list[tf.Tensor]:
        """The fixed noise maps used for sampling, one `[B, r, r, 1]` map per layer.

        Each is one `[r, r, 1]` draw tiled over the batch, the same in every process, like the
        reference's `noise_const` buffers.
        """
        maps = []
        for index, shape in enumerate(self.noise_shapes):
            single = stateless_normal(
                shape, seed=tf.constant([_CONSTANT_NOISE_SEED, index], tf.int64)
            )
            maps.append(tf.tile(single[None], [batch, 1, 1, 1]))
        return maps

    def synthesize(self, ws, noise: list | None = None, training: bool = False) -> tf.Tensor:
        """Renders ws `[B, num_ws, w_dim]` (or w `[B, w_dim]`) as images `[B, H, W, C]`, unbounded.

        Args:
            ws: style vectors per layer, or one w for all layers.
            noise: list of `[B, r, r, 1]` maps, one per synthesis layer; None uses the fixed
                maps of `constant_noise`.
            training: bool. Passed to the network.
        """
        ws = tf.convert_to_tensor(ws)
        if ws.shape.rank == 2:
            ws = self.broadcast(ws)
        if noise is None:
            noise = self.constant_noise(tf.shape(ws)[0])
        return self.synthesis([ws, *noise], training=training)

    def call(self, z, truncation_psi=1.0, training: bool = False):
        """Maps z `[B, latent_dim]` to images `[B, H, W, C]` in [-1, 1] (clipped; fixed noise)."""
        images = self.synthesize(self.broadcast(self.map(z, truncation_psi)), training=training)
        return tf.clip_by_value(images, -1.0, 1.0)

    # ------------------------------------------------------------------------ serialization
    def get_config(self) -> dict:
        """The two networks, serialized, and the decay."""
        return {
            "name": self.name,
            "mapping": keras.saving.serialize_keras_object(self.mapping),
            "synthesis": keras.saving.serialize_keras_object(self.synthesis),
            "w_average_decay": self.w_average_decay,
        }

    @classmethod
    def from_config(cls, config: dict):
        """Inverse of `get_config`."""
        return from_config_with_networks(cls, config, ("mapping", "synthesis"))


def copy_generator(generator: StyleGenerator, name: str) -> StyleGenerator:
    """A new `StyleGenerator` with the same architecture and weights (the EMA generator)."""
    copy = StyleGenerator(
        keras.models.clone_model(generator.mapping),
        keras.models.clone_model(generator.synthesis),
        w_average_decay=generator.w_average_decay,
        name=name,
    )
    copy.set_weights(generator.get_weights())
    return copy
