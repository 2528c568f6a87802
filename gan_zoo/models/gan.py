"""The GAN algorithm (Goodfellow et al. 2014, arXiv:1406.2661).

With the `dense` builders it is the original MLP GAN; with the `dcgan` builders it is DCGAN
(Radford et al. 2015); with `loss="least_squares"` LSGAN (Mao et al. 2017); with `loss="hinge"`
and spectral normalization SNGAN (Miyato et al. 2018). The algorithm stays the same.
"""

import keras
import tensorflow as tf

from gan_zoo.models.base import AdversarialModel


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

    Args: see `AdversarialModel`.
    """

    def discriminator_objective(self, real, fake, real_scores, fake_scores) -> tf.Tensor:
        """D's loss on one batch; families add penalties here. Returns a scalar."""
        return self.d_loss_fn(real_scores, fake_scores)

    def after_discriminator_update(self) -> None:
        """Hook run after each D update (weight clipping, ...)."""

    def train_step(self, data):
        """One step of Algorithm 1 of Goodfellow et al. 2014 (with `d_steps` = k)."""
        real = data[0] if isinstance(data, tuple | list) else data
        batch = tf.shape(real)[0]
        d_loss = real_scores = fake_scores = None

        # 1. k discriminator updates: ascend log D(x) + log(1 - D(G(z))) (or the chosen loss).
        for k in range(self.d_steps):
            noise = self.replica_normal(batch, (self.latent_dim,), purpose=k)
            fake = self.generator(noise, training=True)
            with tf.GradientTape() as tape:
                real_scores = self.discriminator(real, training=True)
                fake_scores = self.discriminator(fake, training=True)
                d_loss = self.discriminator_objective(real, fake, real_scores, fake_scores)
                scaled = self.replica_mean(d_loss)
            variables = self.discriminator.trainable_variables
            self.d_optimizer.apply_gradients(
                zip(tape.gradient(scaled, variables), variables, strict=True)
            )
            self.after_discriminator_update()

        # 2. one generator update on fresh noise: descend the generator loss through D.
        noise = self.replica_normal(batch, (self.latent_dim,), purpose=self.d_steps)
        with tf.GradientTape() as tape:
            generated_scores = self.discriminator(
                self.generator(noise, training=True), training=True
            )
            g_loss = self.g_loss_fn(generated_scores)
            scaled = self.replica_mean(g_loss)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(scaled, variables), variables, strict=True)
        )
        self.update_ema()

        # 3. logs: the unscaled values.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.cast(real_scores, tf.float32)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.cast(fake_scores, tf.float32)))
        return {metric.name: metric.result() for metric in self.metrics}
