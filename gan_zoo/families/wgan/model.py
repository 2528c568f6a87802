"""Wasserstein GANs: weight clipping (WGAN) and gradient penalty (WGAN-GP)."""

import keras
import tensorflow as tf

from gan_zoo import losses
from gan_zoo.engine.replicas import assign_in_sync
from gan_zoo.engine.steps import LossMean
from gan_zoo.families.gan.model import GAN

# Seeds of the gradient penalty's interpolation weights: purpose ids 100 + k for the k-th
# critic update, apart from the noise draws (0 .. d_steps).
_PENALTY_PURPOSE = 100


@keras.saving.register_keras_serializable(package="gan_zoo")
class WGAN(GAN):
    """WGAN (Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875), Algorithm 1.

    The critic (a discriminator without sigmoid) maximises E[D(x)] - E[D(G(z))] with
    `d_steps` updates per generator update, and after every critic update each critic weight
    is clipped to [-clip_value, clip_value] to keep it (roughly) Lipschitz. The paper uses
    RMSprop 5e-5, `d_steps=5`, `clip_value=0.01`; `compile()` defaults to the Wasserstein loss.

    Args:
        clip_value: float > 0. The clipping bound c. Defaults to 0.01.
        d_steps: int. Critic updates per generator update. Defaults to 5.
        **kwargs: see `AdversarialModel`.
    """

    def __init__(
        self, generator, discriminator, clip_value: float = 0.01, d_steps: int = 5, **kwargs
    ):
        super().__init__(generator, discriminator, d_steps=d_steps, **kwargs)
        if not float(clip_value) > 0:
            raise ValueError(f"clip_value must be positive; got {clip_value}")
        self.clip_value = float(clip_value)

    def compile(self, g_optimizer=None, d_optimizer=None, loss: str = "wasserstein", **kwargs):
        """As `AdversarialModel.compile`, with RMSprop(5e-5) and the Wasserstein loss default."""
        super().compile(
            g_optimizer=g_optimizer or keras.optimizers.RMSprop(5e-5),
            d_optimizer=d_optimizer or keras.optimizers.RMSprop(5e-5),
            loss=loss,
            **kwargs,
        )

    def after_discriminator_update(self) -> None:
        """Clips every critic weight to [-c, c] (Algorithm 1, line 7)."""
        c = self.clip_value
        for variable in self.discriminator.trainable_variables:
            assign_in_sync(variable, lambda v: tf.clip_by_value(v, -c, c))

    def get_config(self) -> dict:
        """Adds `clip_value` to the base config."""
        return {**super().get_config(), "clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="gan_zoo")
class WGANGP(GAN):
    """WGAN-GP (Gulrajani et al. 2017, arXiv:1704.00028), Algorithm 1.

    The critic loss is E[D(G(z))] - E[D(x)] + λ E[(‖∇D(x̂)‖₂ - 1)²] with x̂ = εx + (1-ε)G(z),
    ε ~ U[0, 1] per example. The paper uses λ = 10, Adam(1e-4, β1=0, β2=0.9), 5 critic steps and
    no batch normalization in the critic (the penalty is per example). ε is drawn for the
    global batch from (seed, step) and sliced per replica, so 2 replicas compute what 1 does.
    The logs add `gradient_penalty` (unweighted).

    Args:
        gp_weight: float ≥ 0. λ. Defaults to 10.
        d_steps: int. Critic updates per generator update. Defaults to 5.
        **kwargs: see `AdversarialModel`.
    """

    def __init__(
        self, generator, discriminator, gp_weight: float = 10.0, d_steps: int = 5, **kwargs
    ):
        super().__init__(generator, discriminator, d_steps=d_steps, **kwargs)
        if float(gp_weight) < 0:
            raise ValueError(f"gp_weight must be non-negative; got {gp_weight}")
        self.gp_weight = float(gp_weight)
        self.gradient_penalty_tracker = LossMean(name="gradient_penalty")

    def compile(self, g_optimizer=None, d_optimizer=None, loss: str = "wasserstein", **kwargs):
        """As `AdversarialModel.compile`, with the paper's Adam(1e-4, 0, 0.9) default."""
        super().compile(
            g_optimizer=g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            d_optimizer=d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            loss=loss,
            **kwargs,
        )

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The base trackers plus `gradient_penalty`."""
        return [*super().metrics, self.gradient_penalty_tracker]

    def discriminator_objective(
        self, real, fake, real_outputs, fake_outputs, conditions, update_index
    ):
        """Wasserstein critic loss plus λ times the gradient penalty."""
        real, fake = self.pack_samples(real), self.pack_samples(fake)  # the penalty is per pack
        weights = self.replica_uniform(tf.shape(real)[0], (), _PENALTY_PURPOSE + update_index)
        penalty = losses.gradient_penalty(
            self.discriminator, real, fake, interpolation_weights=weights
        )
        self.gradient_penalty_tracker.update_state(penalty)
        wasserstein = self.d_loss_fn(self.scores_of(real_outputs), self.scores_of(fake_outputs))
        return wasserstein + self.gp_weight * penalty

    def get_config(self) -> dict:
        """Adds `gp_weight` to the base config."""
        return {**super().get_config(), "gp_weight": self.gp_weight}
