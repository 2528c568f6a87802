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
from gan_zoo import precision

# Every draw of training and sampling comes from Philox's raw 32-bit words, which XLA and the
# plain kernels produce identically; TensorFlow's own float conversions differ under XLA (a
# `jit_compile=True` step would otherwise see other noise than the plain step, measured).
RANDOM_ALGORITHM = "philox"

# What a step does with a NaN or infinite loss: "stop" applies it (training.py stops the run),
# "skip" drops the update and counts it (`AdversarialModel.apply_update`).
NAN_POLICIES = ("stop", "skip")


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


# `keras.Model.fit`'s positional parameters before `shuffle`: x, y, batch_size, epochs, verbose,
# callbacks, validation_split, validation_data.
_FIT_ARGS_BEFORE_SHUFFLE = 8


class DatasetFit:
    """`fit` whose `shuffle` defaults to False when `x` is a `tf.data.Dataset`.

    Keras' `fit` defaults to `shuffle=True` and then warns, for every dataset, that it ignores
    it ("The Dataset is expected to already be shuffled"). GAN training feeds datasets that
    shuffle themselves (`gan_zoo.data.make_dataset`), so the warning is noise; arrays (`x`
    a NumPy array) are still shuffled by default, and an explicit `shuffle=` is passed on.
    """

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`, with `shuffle` defaulting to `not isinstance(x, tf.data.Dataset)`."""
        if "shuffle" not in kwargs and 2 + len(args) <= _FIT_ARGS_BEFORE_SHUFFLE:
            kwargs["shuffle"] = not isinstance(x, tf.data.Dataset)
        return super().fit(x, y, *args, **kwargs)


@keras.saving.register_keras_serializable(package="gan_zoo")
class AdversarialModel(DatasetFit, keras.Model):
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
    @staticmethod
    def prepare_optimizer(optimizer, network: keras.Model) -> keras.optimizers.Optimizer:
        """The optimizer for `network`, loss-scaled when `network` computes in float16.

        Args:
            optimizer: instance, name, config, or None for Adam(2e-4, beta_1=0.5).
            network: the network it trains. Under a float16 compute dtype the optimizer is
                wrapped in a `LossScaleOptimizer` (unless it already is one).
        """
        optimizer = _get_optimizer(optimizer)
        loss_scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        if precision.needs_loss_scaling(network) and not loss_scaled:
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def set_nan_policy(self, nan_policy: str) -> None:
        """Sets `nan_policy` (`"stop"` or `"skip"`, see `compile`)."""
        if nan_policy not in NAN_POLICIES:
            raise ValueError(
                f"nan_policy must be one of {', '.join(NAN_POLICIES)}; got {nan_policy!r}"
            )
        self.nan_policy = nan_policy
        for metric in self.metrics:
            if isinstance(metric, LossMean):
                metric.ignore_nonfinite = nan_policy == "skip"

    def scaled_loss(self, optimizer: keras.optimizers.Optimizer, loss: tf.Tensor) -> tf.Tensor:
        """What to differentiate (inside the tape) for a local-batch mean `loss`.

        The float32 loss divided by the replica count (`replica_mean`) and multiplied by
        `optimizer`'s loss scale (1 unless it is a `LossScaleOptimizer`, which divides the
        gradients by it again when it applies them).
        """
        return optimizer.scale_loss(self.replica_mean(tf.cast(loss, tf.float32)))

    def apply_update(
        self,
        optimizer: keras.optimizers.Optimizer,
        gradients: list[tf.Tensor],
        variables: list,
        losses: tuple[tf.Tensor, ...] = (),
    ) -> None:
        """`optimizer.apply_gradients(zip(gradients, variables))`, guarded by `nan_policy`.

        With `nan_policy="skip"` the update is applied only when every loss in `losses` and
        every gradient is finite on every replica (under a `LossScaleOptimizer` only the losses
        are checked here: its own check handles overflowing scaled gradients and lowers the
        scale); otherwise it is dropped — weights and optimizer state unchanged — and
        `skipped_updates` grows by one.

        Args:
            optimizer: the network's optimizer.
            gradients: gradients of `scaled_loss`, one per variable.
            variables: the trainable variables.
            losses: scalar losses whose finiteness decides (the unscaled local values).
        """
        if self.nan_policy != "skip":
            optimizer.apply_gradients(zip(gradients, variables, strict=True))
            return
        checked = list(losses)
        if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            checked += [g for g in gradients if g is not None]
        finite = tf.reduce_all(
            [tf.reduce_all(tf.math.is_finite(tf.cast(t, tf.float32))) for t in checked]
        )
        _apply_if(optimizer, gradients, variables, finite, self.skipped_updates)

    # ----------------------------------------------------------------------------- metrics
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

    def begin_guarded_step(self):
        """Remembers `guarded_variables()` before the step's forward passes (under "skip").

        Returns:
            What `end_guarded_step` takes; None unless `nan_policy="skip"`.
        """
        if self.nan_policy != "skip":
            return None
        variables = self.guarded_variables()
        saved = [tf.identity(v.value if isinstance(v, keras.Variable) else v) for v in variables]
        return variables, saved, tf.identity(self.skipped_updates.value)

    def end_guarded_step(self, state) -> None:
        """Puts `guarded_variables()` back when this step skipped an update.

        So NaN batch-norm statistics from a bad forward pass never stay in the networks (or
        reach the EMA generator, which copies them).
        """
        if state is None:
            return
        variables, saved, skipped_before = state
        skipped = self.skipped_updates.value > skipped_before
        for variable, old in zip(variables, saved, strict=True):
            assign_in_sync(variable, lambda v, o, s: tf.where(s, o, v), old, skipped)

    def step_logs(self) -> dict[str, tf.Tensor]:
        """`train_step`'s logs: every metric's result (and `skipped_updates` under "skip").

        `skipped_updates` is the run's total of dropped updates, not a per-epoch mean.
        """
        logs = {metric.name: metric.result() for metric in self.metrics}
        if self.nan_policy == "skip":
            logs["skipped_updates"] = tf.cast(self.skipped_updates, tf.float32)
        return logs

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


class LossMean(keras.metrics.Mean):
    """A step log's epoch mean; under `nan_policy="skip"` it leaves NaN and inf values out.

    So an epoch with dropped updates logs the mean of its finite losses (0 when none was),
    beside `skipped_updates`. `set_nan_policy` sets `ignore_nonfinite`.
    """

    ignore_nonfinite = False

    def update_state(self, values, sample_weight=None):
        """Adds `values` (weighted by `sample_weight`), finite ones only when ignoring."""
        if self.ignore_nonfinite:
            values = tf.cast(values, tf.float32)
            finite = tf.math.is_finite(values)
            weight = tf.cast(finite, tf.float32)
            if sample_weight is not None:
                weight = weight * tf.cast(sample_weight, tf.float32)
            values, sample_weight = tf.where(finite, values, tf.zeros_like(values)), weight
        return super().update_state(values, sample_weight=sample_weight)


def new_skip_counter(model: keras.Model) -> keras.Variable:
    """The model's count of updates dropped by `nan_policy="skip"` (checkpointed with it)."""
    return model.add_weight(
        shape=(), dtype="int64", initializer="zeros", trainable=False, name="skipped_updates"
    )


def _apply_if(optimizer, gradients, variables, finite, counter) -> None:
    """Applies `gradients` when `finite` holds on every replica, else counts a skipped update.

    A `tf.cond` whose branch calls `merge_call` (as optimizers do under MirroredStrategy) must
    run in the cross-replica context; this is the pattern of Keras' `LossScaleOptimizer`.
    """
    context = tf.distribute.get_replica_context()
    num_replicas, _ = _replica_context()
    bad = 1.0 - tf.cast(finite, tf.float32)
    if context is not None and num_replicas > 1:  # ReduceOp has no MIN: count the bad replicas
        bad = context.all_reduce(tf.distribute.ReduceOp.SUM, bad)
    finite = bad < 0.5
    assign_in_sync(counter, lambda c, f: c + tf.cast(tf.logical_not(f), c.dtype), finite)

    def apply(gradients, variables):
        optimizer.apply_gradients(zip(gradients, variables, strict=True))

    if context is None or tf.__internal__.distribute.strategy_supports_no_merge_call():
        tf.cond(finite, lambda: apply(gradients, variables), lambda: None)
        return

    def cross_replica(strategy, finite, gradients, variables):
        decision = strategy.experimental_local_results(finite)[0]

        def apply_everywhere():
            strategy.extended.call_for_each_replica(apply, args=(gradients, variables))

        tf.cond(decision, apply_everywhere, lambda: None)

    context.merge_call(cross_replica, args=(finite, gradients, variables))


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
