"""CycleGAN: unpaired image-to-image translation (Zhu et al. 2017, arXiv:1703.10593).

Two generators translate between domains A and B (`generator_a_to_b` G: A → B and
`generator_b_to_a` F: B → A) and two discriminators judge each domain (`discriminator_a` tells
real A images from F(b), `discriminator_b` real B images from G(a)). One training step, in the
order of the paper's code (`CycleGANModel.optimize_parameters`):

1. Generators, one tape, one optimizer each, descending
   `L_G = L_adv(G) + L_adv(F) + λ_cyc (‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁)
   + λ_id (‖G(b) − b‖₁ + ‖F(a) − a‖₁)`, with the least-squares adversarial terms
   `L_adv(G) = mean((D_B(G(a)) − 1)²)` (the paper's MSE to the "real" target), λ_cyc = 10 and
   λ_id = 0.5 λ_cyc = 5.
2. Discriminators, one optimizer each, descending
   `0.5 · [mean((D(real) − 1)²) + mean(D(fake)²)]`, where `fake` comes from a **history pool**
   of the last 50 generated images of that domain (Shrivastava et al. 2017, arXiv:1612.07828):
   while the pool fills, generated images enter it and are used as they are; once it is full,
   each generated image, with probability ½, is swapped for a random stored one (which D then
   sees) and otherwise used as it is.

Distribution: every loss is a local-batch mean scaled by 1 / replicas (the all-reduced gradient
is the global mean). The pool is one state shared by all replicas: each step gathers the global
batch of generated images (`all_gather`, in replica order), runs the pool's sequential update
on it with random draws keyed on (seed, step), so every replica computes the same new pool and
takes its own slice of the answer. One step on 2 replicas therefore equals one step on one.
"""

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import losses as losses_lib
from gan_zoo.engine.random import stateless_uniform
from gan_zoo.engine.replicas import assign_in_sync, replica_context
from gan_zoo.engine.steps import (
    DatasetFit,
    LossMean,
    StepMachinery,
    from_config_with_networks,
    new_skip_counter,
)
from gan_zoo.families.cyclegan.serving import translation_archive

DIRECTIONS = ("a_to_b", "b_to_a")
NETWORKS = ("generator_a_to_b", "generator_b_to_a", "discriminator_a", "discriminator_b")
# Purposes of the step's random draws (see `_pool_draws`).
_POOL_A, _POOL_B = 0, 1


def query_image_pool(
    pool: tf.Tensor,
    count: tf.Tensor,
    images: tf.Tensor,
    swap_draws: tf.Tensor,
    slot_draws: tf.Tensor,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """One query of the image history pool, image by image as the reference `ImagePool.query`.

    For each image i in order: while the pool is not full it is stored in the next free slot
    and returned; once full, if `swap_draws[i] > 0.5` a stored image at slot
    `floor(slot_draws[i] · P)` is returned and replaced by image i, otherwise image i is
    returned and the pool is unchanged.

    Args:
        pool: float `[P, H, W, C]`, P ≥ 1. The stored images (slots ≥ `count` are unused).
        count: integer scalar in [0, P]. Filled slots (returned as int32).
        images: float `[N, H, W, C]`. The newly generated images, in order.
        swap_draws: float `[N]` in [0, 1). Decides swap (> 0.5) or pass-through when full.
        slot_draws: float `[N]` in [0, 1). Picks the slot of a swap.

    Returns:
        `(outputs, new_pool, new_count)`: the images to show D `[N, H, W, C]`, the pool after
        the query and the new count.
    """
    pool_size = tf.shape(pool)[0]
    num = tf.shape(images)[0]
    images = tf.cast(images, pool.dtype)
    swap_draws = tf.cast(swap_draws, tf.float32)
    slot_draws = tf.cast(slot_draws, tf.float32)

    # `tf.gather`, not `pool[slot]`: under XLA a strided slice wants its index at compile time,
    # and the slot comes from the step's random draws, so `pool[slot]` made XLA compile the step
    # again at every step (~30 s each on this CPU, measured).
    def body(i, pool, count, outputs):
        image = tf.gather(images, i)
        filling = count < pool_size
        swap = tf.logical_and(tf.logical_not(filling), tf.gather(swap_draws, i) > 0.5)
        random_slot = tf.minimum(
            tf.cast(tf.floor(tf.gather(slot_draws, i) * tf.cast(pool_size, tf.float32)), tf.int32),
            pool_size - 1,
        )
        slot = tf.where(filling, tf.minimum(count, pool_size - 1), random_slot)
        stored = tf.gather(pool, slot)
        outputs = outputs.write(i, tf.where(swap, stored, image))
        written = tf.where(tf.logical_or(filling, swap), image, stored)
        pool = tf.tensor_scatter_nd_update(pool, [[slot]], written[None])
        return i + 1, pool, count + tf.cast(filling, tf.int32), outputs

    outputs = tf.TensorArray(pool.dtype, size=num, element_shape=images.shape[1:])
    _, pool, count, outputs = tf.while_loop(
        lambda i, *_: i < num,
        body,
        (tf.constant(0), pool, tf.cast(count, tf.int32), outputs),
    )
    result = outputs.stack()
    result.set_shape(images.shape)
    return result, pool, count


@keras.saving.register_keras_serializable(package="gan_zoo")
class CycleGAN(StepMachinery, DatasetFit, keras.Model):
    """CycleGAN on `fit()`: batches are `(a, b)` pairs of *unpaired* image batches.

    Logged metrics (unscaled local-batch means averaged over the epoch): `g_loss` (the total
    generator objective), `adversarial_loss` (both generators' least-squares terms),
    `cycle_loss` and `identity_loss` (both directions' mean absolute errors, before their
    weights), `d_a_loss`, `d_b_loss` and `d_loss` (their sum).

    Example:
    >>> from gan_zoo.families.cyclegan import networks as nets
    >>> model = CycleGAN(nets.resnet_generator(32, 1), nets.resnet_generator(32, 1),
    ...                  nets.patchgan_discriminator(32, 1), nets.patchgan_discriminator(32, 1))
    >>> model.compile()
    >>> model.fit(make_dataset("digits_thickness", batch_size=1), epochs=1)  # (a, b) batches
    >>> thick = model.translate(thin_images)  # float32 [N, 32, 32, 1] in [-1, 1]

    Args:
        generator_a_to_b: keras.Model G, images `[B, H, W, C]` in [-1, 1] → the same shape.
        generator_b_to_a: keras.Model F, the same shapes as G.
        discriminator_a: keras.Model, images → raw patch scores `[B, h, w, 1]` (any shape with
            a leading batch axis).
        discriminator_b: keras.Model, like `discriminator_a`, for domain B.
        cycle_weight: float ≥ 0. λ_cyc of the cycle-consistency L1 terms. Defaults to 10.
        identity_weight: float ≥ 0. Weight of the identity L1 terms; the paper's 0.5 λ_cyc.
            Defaults to 5.
        pool_size: int ≥ 0. Images in each history pool; 0 feeds D the newest fakes.
            Defaults to 50.
        seed: int. Seeds the pool's random draws. Defaults to 0.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Raises:
        ValueError: generators or discriminators whose shapes do not fit together, or a
            negative weight or pool size.
    """

    def __init__(
        self,
        generator_a_to_b: keras.Model,
        generator_b_to_a: keras.Model,
        discriminator_a: keras.Model,
        discriminator_b: keras.Model,
        cycle_weight: float = 10.0,
        identity_weight: float = 5.0,
        pool_size: int = 50,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        shape_a = tuple(generator_a_to_b.inputs[0].shape[1:])
        shape_b = tuple(generator_a_to_b.outputs[0].shape[1:])
        for network, expected_in, expected_out in (
            (generator_b_to_a, shape_b, shape_a),
            (discriminator_a, shape_a, None),
            (discriminator_b, shape_b, None),
        ):
            got = tuple(network.inputs[0].shape[1:])
            if got != expected_in or (
                expected_out is not None and tuple(network.outputs[0].shape[1:]) != expected_out
            ):
                raise ValueError(
                    f"network {network.name!r} takes {list(got)}; CycleGAN needs domain A "
                    f"images {list(shape_a)} and domain B images {list(shape_b)} to line up "
                    "(G: A → B, F: B → A, D_A on A, D_B on B)"
                )
        for arg, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if not float(value) >= 0:
                raise ValueError(f"{arg} must be a number >= 0; got {value}")
        if isinstance(pool_size, bool) or int(pool_size) != pool_size or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0; got {pool_size}")
        self.generator_a_to_b = generator_a_to_b
        self.generator_b_to_a = generator_b_to_a
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.pool_size = int(pool_size)
        self.seed = int(seed)
        self.image_shape_a = shape_a
        self.image_shape_b = shape_b
        self.pools = {}
        if self.pool_size:
            for domain, shape in (("a", shape_a), ("b", shape_b)):
                images = self.add_weight(
                    shape=(self.pool_size, *shape),
                    initializer="zeros",
                    trainable=False,
                    name=f"pool_{domain}_images",
                )
                # int64: TF keeps int32 variables in host memory, where a GPU step can't reach.
                count = self.add_weight(
                    shape=(), initializer="zeros", dtype="int64", trainable=False,
                    name=f"pool_{domain}_count",
                )  # fmt: skip
                self.pools[domain] = (images, count)
        self.trackers = {
            name: LossMean(name=name)
            for name in (
                "g_loss",
                "adversarial_loss",
                "cycle_loss",
                "identity_loss",
                "d_a_loss",
                "d_b_loss",
                "d_loss",
            )
        }
        self.skipped_updates = new_skip_counter(self)
        self.built = True

    # ----------------------------------------------------------------------------- compile
    def compile(
        self,
        generator_a_to_b_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        generator_b_to_a_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        discriminator_a_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        discriminator_b_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        nan_policy: str = "stop",
        **kwargs,
    ) -> None:
        """Configures training with one optimizer per network, each built here.

        Each optimizer is an instance, name or config and defaults to Adam(2e-4, beta_1=0.5),
        the paper's setting; the four must be distinct objects.

        Args:
            generator_a_to_b_optimizer: G's optimizer.
            generator_b_to_a_optimizer: F's optimizer.
            discriminator_a_optimizer: D_A's optimizer.
            discriminator_b_optimizer: D_B's optimizer.
            nan_policy: `"stop"` or `"skip"`, as in `AdversarialModel.compile`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`, `steps_per_execution`).
        """
        given = (
            generator_a_to_b_optimizer,
            generator_b_to_a_optimizer,
            discriminator_a_optimizer,
            discriminator_b_optimizer,
        )
        instances = [o for o in given if isinstance(o, keras.optimizers.Optimizer)]
        if len({id(o) for o in instances}) != len(instances):
            raise ValueError("CycleGAN needs four different optimizer objects, one per network")
        optimizers = {
            name: self.prepare_optimizer(optimizer, getattr(self, name))
            for name, optimizer in zip(NETWORKS, given, strict=True)
        }
        self.set_nan_policy(nan_policy)
        self.generator_a_to_b_optimizer = optimizers["generator_a_to_b"]
        self.generator_b_to_a_optimizer = optimizers["generator_b_to_a"]
        self.discriminator_a_optimizer = optimizers["discriminator_a"]
        self.discriminator_b_optimizer = optimizers["discriminator_b"]
        # Keras' `optimizer` is G's: its iteration count is the step callbacks and draws read.
        super().compile(optimizer=self.generator_a_to_b_optimizer, **kwargs)
        for name, optimizer in optimizers.items():
            optimizer.build(getattr(self, name).trainable_variables)

    @property
    def network_optimizers(self) -> dict[str, tuple[keras.Model, keras.optimizers.Optimizer]]:
        """`{name: (network, its optimizer)}` for the four networks (after `compile`)."""
        return {
            name: (getattr(self, name), getattr(self, f"{name}_optimizer")) for name in NETWORKS
        }

    def checkpoint_items(self) -> dict[str, Any]:
        """The trackables a `tf.train.Checkpoint` needs besides the model: the optimizers."""
        return {f"{name}_optimizer": opt for name, (_, opt) in self.network_optimizers.items()}

    def get_compile_config(self) -> dict:
        """Returns the four optimizers, serialized, for `.keras` files."""
        if not self.compiled:
            return {}
        return {
            **{
                f"{name}_optimizer": keras.optimizers.serialize(optimizer)
                for name, (_, optimizer) in self.network_optimizers.items()
            },
            "nan_policy": self.nan_policy,
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles from `get_compile_config()`'s output."""
        config = dict(config)
        nan_policy = config.pop("nan_policy", "stop")
        self.compile(
            **{key: keras.optimizers.deserialize(value) for key, value in config.items()},
            nan_policy=nan_policy,
        )

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss trackers, reset by `fit()` at each epoch."""
        return list(self.trackers.values())

    @property
    def training_step(self) -> tf.Variable:
        """Number of completed training steps (G's optimizer's iterations)."""
        return self.generator_a_to_b_optimizer.iterations

    # ------------------------------------------------------------------------------- step
    def _pool_draws(self, global_batch: tf.Tensor, purpose: int) -> tuple[tf.Tensor, tf.Tensor]:
        step = tf.cast(self.training_step, tf.int64)
        seed = tf.stack([tf.constant(self.seed, tf.int64), step * 1000 + purpose])
        draws = stateless_uniform([2, global_batch], seed=seed)
        return draws[0], draws[1]

    def _from_pool(self, domain: str, fake: tf.Tensor, purpose: int) -> tf.Tensor:
        """This replica's slice of the pool's answer to the global batch of `fake`."""
        if not self.pool_size:
            return fake
        images, count = self.pools[domain]
        context = tf.distribute.get_replica_context()
        _, replica_id = replica_context()
        everything = context.all_gather(fake, axis=0) if context is not None else fake
        swap_draws, slot_draws = self._pool_draws(tf.shape(everything)[0], purpose)
        answer, new_images, new_count = query_image_pool(
            images.value, count.value, everything, swap_draws, slot_draws
        )
        assign_in_sync(images, lambda _, value: value, new_images)
        assign_in_sync(count, lambda _, value: tf.cast(value, tf.int64), new_count)
        local = tf.shape(fake)[0]
        start = tf.cast(replica_id, tf.int32) * local
        return answer[start : start + local]

    def guarded_variables(self) -> list:
        """The four networks' batch/instance-norm statistics and the image pools."""
        networks = [getattr(self, name).non_trainable_variables for name in NETWORKS]
        pools = [variable for pool in self.pools.values() for variable in pool]
        return [variable for group in networks for variable in group] + pools

    def train_step(self, data):
        """One CycleGAN step: both generators, then both discriminators (see the module)."""
        if not isinstance(data, tuple | list) or len(data) != 2:
            raise ValueError(
                "CycleGAN trains on (a, b) batches of unpaired images, e.g. "
                "make_dataset('digits_thickness') or make_dataset('cycle_gan/horse2zebra')"
            )
        real_a, real_b = data
        generator_a_to_b, generator_b_to_a = self.generator_a_to_b, self.generator_b_to_a
        guard = self.begin_guarded_step()
        # 1. Generators.
        with tf.GradientTape(persistent=True) as tape:
            fake_b = generator_a_to_b(real_a, training=True)
            fake_a = generator_b_to_a(real_b, training=True)
            adversarial = losses_lib.least_squares_generator_loss(
                self.discriminator_b(fake_b, training=True)
            ) + losses_lib.least_squares_generator_loss(self.discriminator_a(fake_a, training=True))
            adversarial = 2.0 * adversarial  # the paper's MSE(D(fake), 1), no ½
            cycle = losses_lib.mean_absolute_error(
                real_a, generator_b_to_a(fake_b, training=True)
            ) + losses_lib.mean_absolute_error(real_b, generator_a_to_b(fake_a, training=True))
            identity = tf.constant(0.0)
            if self.identity_weight:
                identity = losses_lib.mean_absolute_error(
                    real_b, generator_a_to_b(real_b, training=True)
                ) + losses_lib.mean_absolute_error(real_a, generator_b_to_a(real_a, training=True))
            g_loss = adversarial + self.cycle_weight * cycle + self.identity_weight * identity
            generators = ("generator_a_to_b", "generator_b_to_a")
            scaled = {  # one loss, scaled by each generator's optimizer
                name: self.scaled_loss(self.network_optimizers[name][1], g_loss)
                for name in generators
            }
        for name in generators:
            network, optimizer = self.network_optimizers[name]
            gradients = tape.gradient(scaled[name], network.trainable_variables)
            self.apply_update(optimizer, gradients, network.trainable_variables, (g_loss,))
        del tape

        # 2. Discriminators, on fakes from before the generator update, through the pools.
        d_losses = {}
        for domain, real, fake, purpose in (
            ("a", real_a, fake_a, _POOL_A),
            ("b", real_b, fake_b, _POOL_B),
        ):
            shown = self._from_pool(domain, tf.stop_gradient(tf.cast(fake, tf.float32)), purpose)
            network, optimizer = self.network_optimizers[f"discriminator_{domain}"]
            with tf.GradientTape() as tape:
                d_loss = losses_lib.least_squares_discriminator_loss(
                    network(real, training=True), network(shown, training=True)
                )
                scaled = self.scaled_loss(optimizer, d_loss)
            gradients = tape.gradient(scaled, network.trainable_variables)
            self.apply_update(optimizer, gradients, network.trainable_variables, (d_loss,))
            d_losses[domain] = d_loss

        self.end_guarded_step(guard)

        # 3. Logs: the unscaled values.
        values = {
            "g_loss": g_loss,
            "adversarial_loss": adversarial,
            "cycle_loss": cycle,
            "identity_loss": identity,
            "d_a_loss": d_losses["a"],
            "d_b_loss": d_losses["b"],
            "d_loss": d_losses["a"] + d_losses["b"],
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self.step_logs()

    # -------------------------------------------------------------------------- translation
    def call(self, images, training: bool = False):
        """G(a): translates domain A images `[B, H, W, C]` in [-1, 1] to domain B."""
        return self.generator_a_to_b(images, training=training)

    def translate(self, images, direction: str = "a_to_b", batch_size: int = 64) -> np.ndarray:
        """Translates images in inference mode.

        Args:
            images: float array `[N, H, W, C]` in [-1, 1] of the source domain.
            direction: `"a_to_b"` (G) or `"b_to_a"` (F). Defaults to `"a_to_b"`.
            batch_size: int ≥ 1. Images per forward pass. Defaults to 64.

        Returns:
            np.ndarray float32 `[N, H, W, C]` in [-1, 1], the target domain's images.

        Raises:
            ValueError: an unknown direction or images of the wrong shape.
        """
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
        network = self.generator_a_to_b if direction == "a_to_b" else self.generator_b_to_a
        expected = tuple(network.inputs[0].shape[1:])
        images = tf.convert_to_tensor(images, tf.float32)
        if images.shape.rank != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(
                f"{direction} translation takes images [N, {', '.join(map(str, expected))}] "
                f"in [-1, 1]; got shape {list(images.shape)}"
            )
        outputs = [
            keras.ops.convert_to_numpy(network(images[i : i + batch_size], training=False))
            for i in range(0, int(images.shape[0]), int(batch_size))
        ]
        if not outputs:
            return np.zeros((0, *expected), np.float32)
        return np.concatenate(outputs, axis=0).astype(np.float32)

    # ------------------------------------------------------------------------ serialization
    def serving_archive(self) -> tuple[keras.export.ExportArchive, dict]:
        """`translate_a_to_b` (also `serving_default`) and `translate_b_to_a` signatures."""
        return translation_archive(self)

    def get_config(self) -> dict:
        """Returns the constructor arguments, networks serialized."""
        config = {
            name: keras.saving.serialize_keras_object(getattr(self, name)) for name in NETWORKS
        }
        return {
            "name": self.name,
            **config,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict):
        """Inverse of `get_config`."""
        return from_config_with_networks(cls, config, NETWORKS)
