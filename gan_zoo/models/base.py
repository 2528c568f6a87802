"""The shared base of every gan_zoo model: two networks, two optimizers, one `fit()`.

`AdversarialModel` holds what every family needs and nothing family-specific:

- the generator G, the discriminator D and `latent_dim`;
- `compile(g_optimizer=..., d_optimizer=..., loss=...)` with one optimizer per network, both built
  at compile time (inside the active `tf.distribute` scope, as MirroredStrategy requires);
- the step's randomness: noise is drawn with stateless ops keyed on (seed, training step, purpose)
  for the *global* batch and sliced for this replica, so one step on 2 replicas sees exactly the
  noise one replica would (the "2 replicas = 1 replica" invariant), runs are reproducible from the
  seed, and a resumed run continues the same random stream (the step is the optimizer's
  iteration count, which checkpoints restore);
- `replica_mean`: losses are local batch means, scaled by 1 / replicas before the gradient so the
  all-reduced (summed) gradient is the global-batch mean;
- an optional exponential moving average (EMA) of the generator used for sampling
  (Karras et al. 2018, arXiv:1710.10196; Yazıcı et al. 2019, arXiv:1806.04498);
- `generate()`, `get_config`/`from_config` and `.keras` round trips.
"""

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import losses as losses_lib

# Every draw of training and sampling comes from Philox's raw 32-bit words, which XLA and the
# plain kernels produce identically; TensorFlow's own float conversions differ under XLA (a
# `jit_compile=True` step would otherwise see other noise than the plain step, measured).
RANDOM_ALGORITHM = "philox"


def philox_words(shape, seed) -> tf.Tensor:
    """Philox's raw uint32 words for (shape, seed): identical with and without XLA."""
    return tf.random.stateless_uniform(
        shape, seed=seed, minval=None, maxval=None, dtype=tf.uint32, alg=RANDOM_ALGORITHM
    )


def words_to_uniform(words: tf.Tensor) -> tf.Tensor:
    """uint32 words → float32 in [0, 1): the top 24 bits / 2²⁴ (exact in float32)."""
    high = tf.bitwise.right_shift(words, tf.constant(8, tf.uint32))
    return tf.cast(high, tf.float32) * (1.0 / 2**24)


def words_to_normal(words: tf.Tensor) -> tf.Tensor:
    """uint32 words → standard normal float32 through the inverse normal CDF.

    The top 23 bits give u = (k + ½) / 2²³, exactly representable and strictly inside (0, 1)
    (24 bits plus ½ would round the largest to 1.0, whose inverse CDF is infinite), so
    |z| ≤ 5.3.
    """
    high = tf.bitwise.right_shift(words, tf.constant(9, tf.uint32))
    return tf.math.ndtri((tf.cast(high, tf.float32) + 0.5) * (1.0 / 2**23))


def stateless_uniform(shape, seed) -> tf.Tensor:
    """Uniform float32 in [0, 1) on a 2⁻²⁴ grid; the same numbers with and without XLA.

    Args:
        shape: 1-D int shape.
        seed: int tensor `[2]`.
    """
    return words_to_uniform(philox_words(shape, seed))


def stateless_normal(shape, seed) -> tf.Tensor:
    """Standard-normal float32 (|z| ≤ 5.3); the same with and without XLA up to round-off.

    The inverse CDF's XLA and plain kernels differ by at most 2e-5 (measured).

    Args:
        shape: 1-D int shape.
        seed: int tensor `[2]`.
    """
    return words_to_normal(philox_words(shape, seed))


def sample_noise(num: int, latent_dim: int, seed: int) -> tf.Tensor:
    """Standard-normal z for `generate(num, seed=seed)`, identical in every process.

    Args:
        num: int. Number of noise vectors.
        latent_dim: int. Size of each vector.
        seed: int. The same seed always gives the same noise (stateless random op).

    Returns:
        float32 tensor `[num, latent_dim]`.
    """
    return stateless_normal([num, latent_dim], seed=tf.constant([int(seed), 0x5EED], tf.int64))


def _replica_context() -> tuple[int, Any]:
    """Returns (number of replicas in sync, this replica's id) in any context."""
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: a caller outside strategy.run
        return tf.distribute.get_strategy().num_replicas_in_sync, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def assign_in_sync(variable, new_value_fn, *args) -> None:
    """`variable.assign(new_value_fn(variable, *args))` on every replica, from any context.

    Keras variables are created with `aggregation="none"`, which MirroredStrategy refuses to
    assign in a replica context; this does what Keras' own optimizers do: a merge call, then
    `extended.update` on each replica's copy. The new values must agree across replicas (they
    do for EMA and clipping, which read synchronized weights).

    Args:
        variable: a `keras.Variable` (or `tf.Variable`) to update.
        new_value_fn: `(current, *args) -> new value`, applied per replica copy.
        *args: variables or tensors passed to `new_value_fn` (per replica copy).
    """
    unwrap = lambda v: v.value if isinstance(v, keras.Variable) else v  # noqa: E731
    args = tuple(unwrap(a) for a in args)

    def apply(strategy, target, *values):
        strategy.extended.update(
            target, lambda t, *v: t.assign(new_value_fn(t, *v)), args=values, group=False
        )

    context = tf.distribute.get_replica_context()
    if context is None:
        apply(tf.distribute.get_strategy(), unwrap(variable), *args)
    else:
        context.merge_call(apply, args=(unwrap(variable), *args))


@keras.saving.register_keras_serializable(package="gan_zoo")
class AdversarialModel(keras.Model):
    """Base class of gan_zoo's GAN families; subclasses implement `train_step`.

    Args:
        generator: keras.Model. Maps z `[B, latent_dim]` to samples (images in [-1, 1]).
        discriminator: keras.Model. Maps samples to raw scores `[B, 1]`.
        latent_dim: int or None. Size of z; read from the generator's input when None.
        d_steps: int ≥ 1. Discriminator updates per generator update. Defaults to 1.
        ema_decay: float in (0, 1) or None. When set, an EMA copy of the generator is kept and
            used by `generate()` and export. Defaults to None.
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
        self.seed = int(seed)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # The networks arrive built; marking the wrapper built lets fit() skip its symbolic build.
        self.built = True

    # ----------------------------------------------------------------------------- compile
    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        d_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        loss: str = "non_saturating",
        **kwargs,
    ) -> None:
        """Configures training.

        Args:
            g_optimizer: generator optimizer (instance, name or config). Defaults to
                Adam(2e-4, beta_1=0.5), the DCGAN setting.
            d_optimizer: discriminator optimizer. Defaults to Adam(2e-4, beta_1=0.5).
            loss: str. A name from `gan_zoo.losses.LOSSES`. Defaults to `"non_saturating"`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`, `steps_per_execution`,
                `run_eagerly`).
        """
        self.g_optimizer = _get_optimizer(g_optimizer)
        self.d_optimizer = _get_optimizer(d_optimizer)
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizers")
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
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles from `get_compile_config()`'s output."""
        self.compile(
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
            loss=config["loss"],
        )

    # ----------------------------------------------------------------------------- metrics
    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss trackers, reset by `fit()` at each epoch."""
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    # ------------------------------------------------------------------------ the step's tools
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
        num_replicas, replica_id = _replica_context()
        step = tf.cast(self.training_step, tf.int64)
        seed = tf.stack([tf.constant(self.seed, tf.int64), step * 1000 + purpose])
        full_shape = tf.concat([[local_batch * num_replicas], tf.constant(shape, tf.int32)], 0)
        values = sampler(full_shape, seed=seed)
        start = tf.cast(replica_id, tf.int32) * local_batch
        return values[start : start + local_batch]

    def replica_mean(self, loss: tf.Tensor) -> tf.Tensor:
        """Scales a local-batch mean so that summing the replicas' gradients averages them."""
        num_replicas, _ = _replica_context()
        return loss / tf.cast(num_replicas, loss.dtype)

    def update_ema(self) -> None:
        """Moves the EMA generator towards the generator; no-op without `ema_decay`."""
        if self.ema_generator is None:
            return
        decay = self.ema_decay
        for ema, live in zip(self.ema_generator.weights, self.generator.weights, strict=True):
            if live.trainable:
                assign_in_sync(ema, lambda e, v: decay * e + (1.0 - decay) * v, live)
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
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict):
        """Inverse of `get_config`."""
        return from_config_with_networks(cls, config, ("generator", "discriminator"))


def from_config_with_networks(cls, config: dict, networks: tuple[str, ...]):
    """`cls(**config)` with the entries named in `networks` deserialized into models first."""
    config = dict(config)
    for key in networks:
        config[key] = keras.saving.deserialize_keras_object(config[key])
    return cls(**config)


def _get_optimizer(optimizer) -> keras.optimizers.Optimizer:
    if optimizer is None:
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    return keras.optimizers.get(optimizer)
