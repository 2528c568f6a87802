"""The GAN algorithm (Goodfellow et al. 2014, arXiv:1406.2661).

With the `dense` builders it is the original MLP GAN; with the `dcgan` builders it is DCGAN
(Radford et al. 2015); with `loss="least_squares"` LSGAN (Mao et al. 2017); with `loss="hinge"`
and spectral normalization SNGAN (Miyato et al. 2018). The algorithm stays the same.

Families change the step through small hooks rather than copies of it: `unpack` (what a batch
holds), `generate_samples` / `discriminate` (how G and D are called, e.g. with labels),
`discriminator_objective` / `generator_objective` (penalties, auxiliary terms) and
`after_discriminator_update` (weight clipping).
"""

import keras
import tensorflow as tf

from gan_zoo import losses
from gan_zoo.engine.adversarial import AdversarialModel
from gan_zoo.layers import pack_samples


@keras.saving.register_keras_serializable(package="gan_zoo")
class GAN(AdversarialModel):
    """Alternating GAN training: `d_steps` discriminator updates, then one generator update.

    Each D update reuses the step's real batch with fresh noise. Logged metrics: `d_loss`,
    `g_loss` (unscaled local-batch means, averaged over the epoch), `d_real` and `d_fake`
    (mean raw D score on real and generated samples).

    Example:
    >>> from gan_zoo import builders, models
    >>> g = builders.dense.generator(latent_dim=8, output_shape=(2,), output_activation=None)
    >>> d = builders.dense.discriminator(input_shape=(2,))
    >>> gan = models.GAN(g, d)
    >>> gan.compile(loss="non_saturating")
    >>> gan.generate(4, seed=0).shape
    (4, 2)

    Args:
        pack: int ≥ 1. PacGAN packing (Lin et al. 2018, arXiv:1712.04086): D scores packs of
            `pack` samples concatenated along the last axis (`gan_zoo.layers.pack_samples`),
            real packs and generated packs apart; its input then has `pack` times the
            channels (or features). The batch size must be a multiple of it. 1 (the default)
            is the unpacked GAN.
        **kwargs: see `AdversarialModel`.
    """

    def __init__(self, generator, discriminator, pack: int = 1, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if isinstance(pack, bool) or int(pack) != pack or int(pack) < 1:
            raise ValueError(f"pack must be a positive integer; got {pack!r}")
        self.pack = int(pack)

    # ------------------------------------------------------------------------------ hooks
    def unpack(self, data):
        """Splits a batch into (real samples, conditions); unconditional: conditions = None."""
        return (data[0] if isinstance(data, tuple | list) else data), None

    def generate_samples(self, noise, conditions, training: bool = True):
        """G(z) (conditional families pass the labels too)."""
        return self.generator(noise, training=training)

    def discriminate(self, samples, conditions, training: bool = True):
        """D's output on samples: raw scores `[B / pack, 1]` (families may return more)."""
        return self.discriminator(self.pack_samples(samples), training=training)

    def pack_samples(self, samples):
        """`samples` `[B, ...]` as D takes them: packs of `pack` (`[B / pack, ...]`)."""
        return pack_samples(samples, self.pack)

    @staticmethod
    def scores_of(outputs):
        """The real/fake score tensor inside `discriminate`'s output."""
        return outputs

    def discriminator_objective(
        self, real, fake, real_outputs, fake_outputs, conditions, update_index: int
    ) -> tf.Tensor:
        """D's loss on one batch; families add penalties here.

        Args:
            real: the real samples D scored, `[B, ...]`.
            fake: the generated samples D scored, `[B, ...]`.
            real_outputs: `discriminate`'s output on `real`.
            fake_outputs: `discriminate`'s output on `fake`.
            conditions: what `unpack` returned beside the samples (labels), or None.
            update_index: int. Which of the step's `d_steps` updates this is (seeds its draws).

        Returns:
            A scalar: the local-batch mean loss.
        """
        return self.d_loss_fn(self.scores_of(real_outputs), self.scores_of(fake_outputs))

    def generator_objective(self, fake_outputs, conditions, real_outputs=None) -> tf.Tensor:
        """G's loss from D's outputs on generated samples; a local-batch mean scalar.

        `real_outputs` (D's output on the step's real batch) is given for the paired losses
        (`gan_zoo.losses.PAIRED_LOSSES`, RpGAN), whose generator side compares each fake with
        a real partner.
        """
        if real_outputs is not None:
            return self.g_loss_fn(self.scores_of(real_outputs), self.scores_of(fake_outputs))
        return self.g_loss_fn(self.scores_of(fake_outputs))

    @property
    def paired_loss(self) -> bool:
        """Whether the compiled loss is paired (its generator side needs D's real scores)."""
        return self.loss_name in losses.PAIRED_LOSSES

    def after_discriminator_update(self) -> None:
        """Hook run after each D update (weight clipping, ...)."""

    def get_config(self) -> dict:
        """Adds `pack` to the base config."""
        return {**super().get_config(), "pack": self.pack}

    # ------------------------------------------------------------------------------- step
    def train_step(self, data):
        """One step of Algorithm 1 of Goodfellow et al. 2014 (with `d_steps` = k)."""
        real, conditions = self.unpack(data)
        batch = tf.shape(real)[0]
        guard = self.begin_guarded_step()
        d_loss = real_outputs = fake_outputs = None

        # 1. k discriminator updates: ascend log D(x) + log(1 - D(G(z))) (or the chosen loss).
        for k in range(self.d_steps):
            noise = self.replica_normal(batch, (self.latent_dim,), purpose=k)
            fake = self.generate_samples(noise, conditions, training=True)
            with tf.GradientTape() as tape:
                real_outputs = self.discriminate(real, conditions)
                fake_outputs = self.discriminate(fake, conditions)
                d_loss = self.discriminator_objective(
                    real, fake, real_outputs, fake_outputs, conditions, k
                )
                scaled = self.scaled_loss(self.d_optimizer, d_loss)
            variables = self.discriminator.trainable_variables
            gradients = tape.gradient(scaled, variables)
            self.apply_update(self.d_optimizer, gradients, variables, (d_loss,))
            self.after_discriminator_update()

        # 2. one generator update on fresh noise: descend the generator loss through D.
        noise = self.replica_normal(batch, (self.latent_dim,), purpose=self.d_steps)
        with tf.GradientTape() as tape:
            generated = self.generate_samples(noise, conditions, training=True)
            fake_for_g = self.discriminate(generated, conditions)
            real_for_g = self.discriminate(real, conditions) if self.paired_loss else None
            g_loss = self.generator_objective(fake_for_g, conditions, real_for_g)
            scaled = self.scaled_loss(self.g_optimizer, g_loss)
        variables = self.generator.trainable_variables
        gradients = tape.gradient(scaled, variables)
        self.apply_update(self.g_optimizer, gradients, variables, (g_loss,))
        self.end_guarded_step(guard)
        self.update_ema()

        # 3. logs: the unscaled values.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        real_scores = tf.cast(self.scores_of(real_outputs), tf.float32)
        fake_scores = tf.cast(self.scores_of(fake_outputs), tf.float32)
        self.d_real_tracker.update_state(tf.reduce_mean(real_scores))
        self.d_fake_tracker.update_state(tf.reduce_mean(fake_scores))
        return self.step_logs()
