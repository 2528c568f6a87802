"""R3GAN's objective: RpGAN with both zero-centred penalties (Huang et al. 2024)."""

import math

import keras
import tensorflow as tf

from gan_zoo import losses
from gan_zoo.engine.steps import LossMean
from gan_zoo.families.gan.model import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class R3GAN(GAN):
    """RpGAN + R1 + R2 (Huang et al. 2024, "The GAN is dead; long live the GAN!", arXiv:2501.05441).

    D minimises `softplus(D(G(z)) − D(x))` over pairs plus `γ/2 · R1 + γ/2 · R2`, the
    zero-centred gradient penalties on the reals and on the fakes, every step; G minimises
    `softplus(D(x) − D(G(z)))` (`loss="relativistic"`, the default). With
    `loss="non_saturating"` it is the paper's "GAN + R1 + R2" ablation. γ may follow a cosine
    from `gamma` to `gamma_end` over `schedule_steps` generator steps (the paper ramps γ and the
    learning rate down together). Under PacGAN packing the penalties are taken per pack, as D
    sees them. Logs add `r1_penalty`, `r2_penalty` (unweighted) and `gamma`.

    Args:
        gamma: float ≥ 0. γ at the start. Defaults to 0.1.
        gamma_end: float ≥ 0 or None. γ at `schedule_steps` (cosine in between); None keeps γ
            constant. Defaults to None.
        schedule_steps: int ≥ 1 or None. Length of the γ schedule in generator steps; needed
            with `gamma_end`. Defaults to None.
        **kwargs: see `GAN` (`pack`, `ema_decay`, ...).
    """

    def __init__(
        self,
        generator,
        discriminator,
        gamma: float = 0.1,
        gamma_end: float | None = None,
        schedule_steps: int | None = None,
        **kwargs,
    ):
        super().__init__(generator, discriminator, **kwargs)
        if not float(gamma) >= 0:
            raise ValueError(f"gamma must be a number >= 0; got {gamma!r}")
        if gamma_end is not None:
            if not float(gamma_end) >= 0:
                raise ValueError(f"gamma_end must be a number >= 0 or None; got {gamma_end!r}")
            if schedule_steps is None or int(schedule_steps) < 1:
                raise ValueError(
                    f"gamma_end needs schedule_steps, a positive integer; got {schedule_steps!r}"
                )
        self.gamma = float(gamma)
        self.gamma_end = None if gamma_end is None else float(gamma_end)
        self.schedule_steps = None if schedule_steps is None else int(schedule_steps)
        self.r1_tracker = LossMean(name="r1_penalty")
        self.r2_tracker = LossMean(name="r2_penalty")
        self.gamma_tracker = LossMean(name="gamma")

    def compile(self, g_optimizer=None, d_optimizer=None, loss: str = "relativistic", **kwargs):
        """As `AdversarialModel.compile`, with R3GAN's Adam(2e-4, β1 = 0, β2 = 0.99) default."""
        super().compile(
            g_optimizer=g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.99),
            d_optimizer=d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.99),
            loss=loss,
            **kwargs,
        )

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The base trackers plus `r1_penalty`, `r2_penalty` and `gamma`."""
        return [*super().metrics, self.r1_tracker, self.r2_tracker, self.gamma_tracker]

    def gamma_now(self) -> tf.Tensor:
        """This step's γ: `gamma`, or the cosine from `gamma` to `gamma_end` (float32)."""
        if self.gamma_end is None:
            return tf.constant(self.gamma, tf.float32)
        progress = tf.minimum(tf.cast(self.training_step, tf.float32) / self.schedule_steps, 1.0)
        cosine = 0.5 * (1.0 + tf.cos(math.pi * progress))
        return self.gamma_end + (self.gamma - self.gamma_end) * cosine

    def discriminator_objective(
        self, real, fake, real_outputs, fake_outputs, conditions, update_index
    ):
        """The pairing loss plus `γ/2 · (R1 + R2)`, the penalties on D's (packed) inputs."""
        adversarial = self.d_loss_fn(self.scores_of(real_outputs), self.scores_of(fake_outputs))
        gamma = self.gamma_now()
        r1 = losses.r1_penalty(self.discriminator, self.pack_samples(real))
        r2 = losses.r2_penalty(self.discriminator, self.pack_samples(tf.stop_gradient(fake)))
        self.r1_tracker.update_state(r1)
        self.r2_tracker.update_state(r2)
        self.gamma_tracker.update_state(gamma)
        return adversarial + 0.5 * gamma * (r1 + r2)

    def get_config(self) -> dict:
        """Adds `gamma`, `gamma_end` and `schedule_steps`."""
        return {
            **super().get_config(),
            "gamma": self.gamma,
            "gamma_end": self.gamma_end,
            "schedule_steps": self.schedule_steps,
        }
