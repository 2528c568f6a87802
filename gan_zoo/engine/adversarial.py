"""The shared base of the noise-to-sample families: two networks, two optimizers, one `fit()`.

`AdversarialModel` holds what every such family needs and nothing family-specific:

- the generator G, the discriminator D and `latent_dim`;
- `compile(g_optimizer=..., d_optimizer=..., loss=...)` with one optimizer per network, both built
  at compile time (inside the active `tf.distribute` scope, as MirroredStrategy requires);
- the step's randomness: noise is drawn with stateless ops keyed on (seed, training step, purpose)
  for the *global* batch and sliced for this replica, so one step on 2 replicas sees exactly the
  noise one replica would (the "2 replicas = 1 replica" invariant), runs are reproducible from the
  seed, and a resumed run continues the same random stream (the step is the optimizer's
  iteration count, which checkpoints restore);
- `replica_mean` (from `StepMachinery`): losses are local batch means, scaled by 1 / replicas
  before the gradient so the all-reduced (summed) gradient is the global-batch mean;
- an optional exponential moving average (EMA) of the generator used for sampling
  (Karras et al. 2018, arXiv:1710.10196; Yazıcı et al. 2019, arXiv:1806.04498);
- `generate()`, `serving_archive()` (what `gan_zoo.export.export_model` writes),
  `get_config`/`from_config` and `.keras` round trips.
"""

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import losses as losses_lib
from gan_zoo import serving
from gan_zoo.engine.random import sample_noise, stateless_normal, stateless_uniform
from gan_zoo.engine.replicas import assign_in_sync, replica_context
from gan_zoo.engine.steps import (
    DatasetFit,
    LossMean,
    StepMachinery,
    from_config_with_networks,
    new_skip_counter,
)


@keras.saving.register_keras_serializable(package="gan_zoo")
class AdversarialModel(StepMachinery, DatasetFit, keras.Model):
    """Base class of gan_zoo's GAN families; subclasses implement `train_step`.

    Args:
        generator: keras.Model. Maps z `[B, latent_dim]` to samples (images in [-1, 1]).
        discriminator: keras.Model. Maps samples to raw scores `[B, 1]`.
        latent_dim: int or None. Size of z; read from the generator's input when None.
        d_steps: int ≥ 1. Discriminator updates per generator update. Defaults to 1.
        ema_decay: float in (0, 1) or None. When set, an EMA copy of the generator is kept and
            used by `generate()` and export. Defaults to None.
        ema_warmup: bool. Ramp the EMA's decay up as `tf.train.ExponentialMovingAverage` does
            with `num_updates`: after t generator updates it is `min(ema_decay, (1 + t) /
            (10 + t))` (0.18 at the first step, 0.9 at t = 80, 0.99 at t = 890), so the EMA
            follows the generator early on instead of holding its random start for ~1/(1 -
            ema_decay) steps (which made a short run's samples flat grey). Defaults to True.
        seed: int. Seeds every random draw of training. Defaults to 0.
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int | None = None,
        d_steps: int = 1,
        ema_decay: float | None = None,
        seed: int = 0,
        ema_warmup: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer; got {d_steps}")
        if ema_decay is not None and not 0.0 < float(ema_decay) < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) or None; got {ema_decay}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or generator.inputs[0].shape[-1])
        self.d_steps = int(d_steps)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_warmup = bool(ema_warmup)
        self.seed = int(seed)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.d_loss_tracker = LossMean(name="d_loss")
        self.g_loss_tracker = LossMean(name="g_loss")
        self.d_real_tracker = LossMean(name="d_real")
        self.d_fake_tracker = LossMean(name="d_fake")
        self.skipped_updates = new_skip_counter(self)
        # The networks arrive built; marking the wrapper built lets fit() skip its symbolic build.
        self.built = True

    # ----------------------------------------------------------------------------- compile
    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        d_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        loss: str = "non_saturating",
        nan_policy: str = "stop",
        **kwargs,
    ) -> None:
        """Configures training.

        Under a float16 dtype policy (`gan_zoo.precision`) each optimizer is wrapped in a
        `keras.optimizers.LossScaleOptimizer`.

        Args:
            g_optimizer: generator optimizer (instance, name or config). Defaults to
                Adam(2e-4, beta_1=0.5), the DCGAN setting.
            d_optimizer: discriminator optimizer. Defaults to Adam(2e-4, beta_1=0.5).
            loss: str. A name from `gan_zoo.losses.LOSSES`. Defaults to `"non_saturating"`.
            nan_policy: `"stop"` or `"skip"`. With `"skip"` an update whose loss or gradients
                are NaN or infinite (on any replica) is dropped and counted in the logged
                `skipped_updates`; with `"stop"` the step applies it and the caller stops
                (`gan_zoo.training` does). Defaults to `"stop"`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`, `steps_per_execution`,
                `run_eagerly`).
        """
        # One optimizer instance for both networks would mix their moments and steps. Names
        # and configs build one instance each ("adam" twice is two optimizers: the same
        # interned string must not be mistaken for a shared instance).
        if isinstance(g_optimizer, keras.optimizers.Optimizer) and g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizers")
        self.g_optimizer = self.prepare_optimizer(g_optimizer, self.generator)
        self.d_optimizer = self.prepare_optimizer(d_optimizer, self.discriminator)
        self.set_nan_policy(nan_policy)
        self.loss_name = loss
        self.g_loss_fn, self.d_loss_fn = losses_lib.get_loss(loss)
        # Keras' `optimizer` is the generator's: its iteration count is the training step
        # that callbacks (TensorBoard) and the noise seeds read.
        super().compile(optimizer=self.g_optimizer, **kwargs)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self) -> dict:
        """Returns the `compile()` arguments, serialized, for `.keras` files."""
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self.loss_name,
            "nan_policy": self.nan_policy,
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles from `get_compile_config()`'s output."""
        self.compile(
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
            loss=config["loss"],
            nan_policy=config.get("nan_policy", "stop"),
        )

    # ------------------------------------------------------------- precision and NaN guard
    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss trackers, reset by `fit()` at each epoch."""
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def guarded_variables(self) -> list:
        """State a step changes besides the optimizers' updates: batch-norm statistics.

        A step that skipped an update puts it back (`begin_guarded_step`).
        """
        return [
            *self.generator.non_trainable_variables,
            *self.discriminator.non_trainable_variables,
        ]

    @property
    def training_step(self) -> tf.Variable:
        """Number of completed training steps (the generator optimizer's iterations)."""
        return self.g_optimizer.iterations

    def replica_normal(self, local_batch: tf.Tensor, shape: tuple, purpose: int) -> tf.Tensor:
        """This replica's slice of a standard-normal draw over the global batch.

        Args:
            local_batch: scalar int tensor. The per-replica batch size.
            shape: tuple of int. Per-example shape, e.g. `(latent_dim,)`.
            purpose: int in [0, 1000). Distinguishes the draws of one step (the k-th
                discriminator update, the generator update, ...).

        Returns:
            float32 `[local_batch, *shape]`; the same numbers for the same global batch position
            whatever the number of replicas.
        """
        return self._replica_draw(stateless_normal, local_batch, shape, purpose)

    def replica_uniform(self, local_batch: tf.Tensor, shape: tuple, purpose: int) -> tf.Tensor:
        """Like `replica_normal`, uniform in [0, 1)."""
        return self._replica_draw(stateless_uniform, local_batch, shape, purpose)

    def _replica_draw(self, sampler, local_batch, shape, purpose):
        num_replicas, replica_id = replica_context()
        step = tf.cast(self.training_step, tf.int64)
        seed = tf.stack([tf.constant(self.seed, tf.int64), step * 1000 + purpose])
        full_shape = tf.concat([[local_batch * num_replicas], tf.constant(shape, tf.int32)], 0)
        values = sampler(full_shape, seed=seed)
        start = tf.cast(replica_id, tf.int32) * local_batch
        return values[start : start + local_batch]

    def ema_decay_now(self) -> tf.Tensor:
        """The decay of this step's EMA update: `ema_decay`, ramped up under `ema_warmup`.

        Called after the generator update, when `training_step` = t counts it:
        `min(ema_decay, (1 + t) / (10 + t))`, `tf.train.ExponentialMovingAverage`'s ramp.
        """
        decay = tf.constant(self.ema_decay, tf.float32)
        if not self.ema_warmup:
            return decay
        step = tf.cast(self.training_step, tf.float32)
        return tf.minimum(decay, (1.0 + step) / (10.0 + step))

    def update_ema(self) -> None:
        """Moves the EMA generator towards the generator; no-op without `ema_decay`."""
        if self.ema_generator is None:
            return
        decay = self.ema_decay_now()
        for ema, live in zip(self.ema_generator.weights, self.generator.weights, strict=True):
            if live.trainable:
                assign_in_sync(ema, lambda e, v, d: d * e + (1.0 - d) * v, live, decay)
            else:  # batch-norm statistics are copied, not averaged
                assign_in_sync(ema, lambda e, v: v, live)

    # --------------------------------------------------------------------------- sampling
    @property
    def sampling_generator(self) -> keras.Model:
        """The network used for samples and export: the EMA generator when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, noise, training: bool = False):
        """Maps z `[B, latent_dim]` to samples with the sampling generator."""
        return self.sampling_generator(noise, training=training)

    def generate(
        self,
        num_or_noise: int | np.ndarray | tf.Tensor,
        seed: int | None = None,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Draws samples from the (EMA) generator in inference mode.

        Args:
            num_or_noise: int number of samples, or z as an array `[N, latent_dim]`.
            seed: int or None. With an int the same seed gives the same samples in any process
                (`sample_noise`); None draws fresh noise. Ignored when noise is given.
            batch_size: int. Samples generated per forward pass. Defaults to 256.

        Returns:
            np.ndarray float32 `[N, *sample_shape]`; images are in [-1, 1].
        """
        noise = self.prepare_noise(num_or_noise, seed)
        return self.run_batched(lambda z: self(z, training=False), [noise], batch_size)

    def prepare_noise(self, num_or_noise, seed: int | None) -> tf.Tensor:
        """Turns `generate`'s first argument into z `[N, latent_dim]`, validating it."""
        if isinstance(num_or_noise, int | np.integer):
            num = int(num_or_noise)
            if num < 1:
                raise ValueError(f"number of samples must be positive; got {num}")
            if seed is None:
                seed = int(np.random.default_rng().integers(2**31))
            return sample_noise(num, self.latent_dim, seed)
        noise = tf.convert_to_tensor(num_or_noise, tf.float32)
        if noise.shape.rank != 2 or noise.shape[-1] != self.latent_dim:
            raise ValueError(
                f"noise must have shape [N, {self.latent_dim}]; got {list(noise.shape)}"
            )
        return noise

    @staticmethod
    def run_batched(fn, arrays: list, batch_size: int) -> np.ndarray:
        """Applies `fn(*slices)` over `batch_size` slices of `arrays`; concatenates as float32."""
        total = int(arrays[0].shape[0])
        outputs = [
            keras.ops.convert_to_numpy(fn(*[a[i : i + batch_size] for a in arrays]))
            for i in range(0, total, batch_size)
        ]
        return np.concatenate(outputs, axis=0).astype(np.float32)

    def checkpoint_items(self) -> dict:
        """The trackables a `tf.train.Checkpoint` needs besides the model: the optimizers."""
        return {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}

    def serving_archive(self) -> tuple[keras.export.ExportArchive, dict]:
        """What `gan_zoo.export.export_model` writes: the sampling generator's signatures.

        Returns:
            `(archive, info)`: `serving_default` (`noise` → `images` uint8 or `points`), and
            the `gan_zoo.json` entries. Families with other inputs override this.
        """
        return serving.generator_archive(self.sampling_generator, self.latent_dim, name=self.name)

    # ------------------------------------------------------------------------ serialization
    def get_config(self) -> dict:
        """Returns the constructor arguments, sub-models serialized."""
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "d_steps": self.d_steps,
            "ema_decay": self.ema_decay,
            "ema_warmup": self.ema_warmup,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict):
        """Inverse of `get_config`."""
        return from_config_with_networks(cls, config, ("generator", "discriminator"))
