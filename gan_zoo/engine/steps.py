"""The step machinery every gan_zoo model shares, whatever its networks.

- `StepMachinery`: optimizers loss-scaled under float16, local-batch means scaled by
  1 / replicas before the gradient (the all-reduced gradient is the global-batch mean), the NaN
  guard (`nan_policy`), and the step's logs. A model mixes it in and lists its own metrics and
  guarded variables.
- `DatasetFit`: `fit` on a `tf.data.Dataset` defaults to `shuffle=False`.
- `LossMean`: an epoch mean of a loss that can leave NaN out.
"""

import keras
import tensorflow as tf

from gan_zoo import precision
from gan_zoo.engine.replicas import assign_in_sync, replica_context

# What a step does with a NaN or infinite loss: "stop" applies it (training.py stops the run),
# "skip" drops the update and counts it (`AdversarialModel.apply_update`).
NAN_POLICIES = ("stop", "skip")

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


class StepMachinery:
    """Optimizer preparation, replica scaling, the NaN guard and step logs.

    The host class is a `keras.Model` that defines `metrics` (its `LossMean` trackers),
    `guarded_variables()` (state a skipped step puts back) and `skipped_updates`
    (`new_skip_counter`).
    """

    @staticmethod
    def prepare_optimizer(optimizer, network: keras.Model) -> keras.optimizers.Optimizer:
        """The optimizer for `network`, loss-scaled when `network` computes in float16.

        Args:
            optimizer: instance, name, config, or None for Adam(2e-4, beta_1=0.5).
            network: the network it trains. Under a float16 compute dtype the optimizer is
                wrapped in a `LossScaleOptimizer` (unless it already is one).
        """
        optimizer = get_optimizer(optimizer)
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
    def replica_mean(self, loss: tf.Tensor) -> tf.Tensor:
        """Scales a local-batch mean so that summing the replicas' gradients averages them."""
        num_replicas, _ = replica_context()
        return loss / tf.cast(num_replicas, loss.dtype)


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
    num_replicas, _ = replica_context()
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


def get_optimizer(optimizer) -> keras.optimizers.Optimizer:
    """An optimizer from an instance, name or config; None gives Adam(2e-4, beta_1=0.5)."""
    if optimizer is None:
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    return keras.optimizers.get(optimizer)
