"""StyleGAN2 (Karras et al. 2020, arXiv:1912.04958; Karras et al. 2019, arXiv:1812.04948).

The generator is a mapping network f: z → w followed by a synthesis network g that takes one
style vector per layer (`ws`, `[B, num_ws, w_dim]`) and one per-pixel noise map per
convolution (`gan_zoo.families.stylegan.networks`). `StyleGenerator` holds both with the tracked
average w̄ used for truncation; `StyleGAN` trains it on `fit()` as the reference code
(NVlabs/stylegan2-ada-pytorch, `training/loss.py` `StyleGAN2Loss`) does, with ADA off:

1. **D update**: fakes G(z) (styles mixed, fresh noise maps) and reals through D, descending
   the non-saturating logistic loss `softplus(D(G(z))) + softplus(−D(x))`. Every
   `r1_interval` steps (lazy regularization, 16) the R1 penalty on reals,
   `γ/2 · E‖∇ₓD(x)‖²`, multiplied by the interval, is added. The reference steps the optimizer
   a second time for it (phase `Dreg`); here its gradient joins the main gradient in the same
   Adam step, so one step makes one optimizer update (the schedule stays one update per step).
2. **G update**: new fakes, descending `softplus(−D(G(z)))`. With `path_length_weight > 0`,
   every `path_length_interval` steps the path-length penalty of half the batch,
   `(‖Jᵀ_w y‖ − a)²` with `y ~ N(0, I)/√(HW)`, `a` the running mean of the lengths (decay
   0.01), times the weight and the interval, joins the G gradient the same way.
3. The EMA generator moves towards G; w̄ moves towards the batch's mean w (decay
   `w_average_decay`, 0.995), from the G update's mapping.

**Style mixing** (probability 0.9): a second z is mapped and every style vector from a random
cutoff ∈ [1, num_ws) on comes from it. The decision and the cutoff are drawn once per *global*
batch from (seed, step), so every replica mixes alike.

**Distribution**: every random draw (z, mixing, noise maps, path-length y) is drawn for the
global batch from (seed, step, purpose) and sliced per replica; losses are local means scaled by
1 / replicas; w̄ and the path-length mean are updated from all-reduced means. One step on 2
replicas therefore equals one step on one (the discriminator's minibatch-std groups are
contiguous, so they do not cross replicas).

**Sampling** uses the EMA generator with fixed noise maps (the reference's `noise_mode="const"`)
and truncation `w' = w̄ + ψ (w − w̄)`: ψ = 1 is no truncation, ψ = 0 maps every z to w̄.
"""

import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import losses as losses_lib
from gan_zoo.engine.adversarial import AdversarialModel
from gan_zoo.engine.random import sample_noise, stateless_uniform
from gan_zoo.engine.replicas import assign_in_sync, replica_context
from gan_zoo.engine.steps import LossMean
from gan_zoo.families.stylegan.generator import StyleGenerator, copy_generator
from gan_zoo.families.stylegan.serving import style_archive

# Purposes of the step's random draws (`AdversarialModel.replica_normal`): < 1000 each.
_D_STYLES, _G_STYLES = 0, 10  # z: +0, the mixing z: +1, the mixing decision: +2
_D_NOISE, _G_NOISE = 100, 300  # + the index of the synthesis layer
_PATH_LENGTH_PROJECTION = 500


@keras.saving.register_keras_serializable(package="gan_zoo")
class StyleGAN(AdversarialModel):
    """StyleGAN2 training on `fit()`: logistic loss, lazy R1, style mixing, EMA, path length.

    Logged metrics: `d_loss` and `g_loss` (the non-saturating losses without regularizers),
    `d_real` and `d_fake` (mean raw D scores), `r1_penalty` (`E‖∇ₓD(x)‖²` of the newest
    regularization step) and, with path-length regularization, `path_length` (the running
    mean a).

    Example:
    >>> from gan_zoo.families.stylegan import networks as nets
    >>> g = StyleGenerator(nets.mapping_network(16, 16), nets.synthesis_network(16, 1, 16))
    >>> d = nets.discriminator(16, 1)
    >>> model = StyleGAN(g, d, r1_gamma=0.01)
    >>> model.compile()
    >>> model.generate(4, seed=0, truncation_psi=0.7).shape
    (4, 16, 16, 1)

    Args:
        generator: `StyleGenerator`.
        discriminator: keras.Model. Images `[B, H, W, C]` → raw scores `[B, 1]`.
        r1_gamma: float ≥ 0. γ of the R1 penalty; 0 turns it off. Defaults to 10 (FFHQ 1024).
        r1_interval: int ≥ 1. Steps between R1 steps (lazy regularization). Defaults to 16.
        style_mixing_probability: float in [0, 1]. Defaults to 0.9.
        path_length_weight: float ≥ 0. Weight of the path-length penalty; 0 (the default)
            turns it off (the paper uses 2).
        path_length_interval: int ≥ 1. Steps between path-length steps. Defaults to 4.
        path_length_decay: float in (0, 1]. Decay of the running mean length. Defaults to 0.01.
        ema_decay: float in (0, 1) or None. EMA of the generator for sampling. Defaults to
            0.999; the reference's half-life of 10k images at batch 32 is 0.99778.
        seed: int. Seeds every random draw of training. Defaults to 0.
        **kwargs: `AdversarialModel` arguments (`latent_dim`, `name`); `d_steps` must be 1.
    """

    def __init__(
        self,
        generator: StyleGenerator,
        discriminator: keras.Model,
        r1_gamma: float = 10.0,
        r1_interval: int = 16,
        style_mixing_probability: float = 0.9,
        path_length_weight: float = 0.0,
        path_length_interval: int = 4,
        path_length_decay: float = 0.01,
        ema_decay: float | None = 0.999,
        seed: int = 0,
        **kwargs,
    ):
        if not isinstance(generator, StyleGenerator):
            raise ValueError(
                "StyleGAN's generator must be a gan_zoo.families.stylegan.StyleGenerator "
                f"(mapping + synthesis); got {type(generator).__name__}"
            )
        if kwargs.get("d_steps", 1) != 1:
            raise ValueError(
                f"StyleGAN makes one D update per step; got d_steps={kwargs['d_steps']}"
            )
        kwargs.setdefault("latent_dim", generator.latent_dim)
        super().__init__(generator, discriminator, ema_decay=None, seed=seed, **kwargs)
        for name, value, low, high in (
            ("r1_gamma", r1_gamma, 0.0, math.inf),
            ("style_mixing_probability", style_mixing_probability, 0.0, 1.0),
            ("path_length_weight", path_length_weight, 0.0, math.inf),
            ("path_length_decay", path_length_decay, 1e-12, 1.0),
        ):
            if not low <= float(value) <= high:
                raise ValueError(f"{name} must be in [{low:g}, {high:g}]; got {value}")
        intervals = (("r1_interval", r1_interval), ("path_length_interval", path_length_interval))
        for name, value in intervals:
            if int(value) < 1 or int(value) != value:
                raise ValueError(f"{name} must be a positive integer; got {value}")
        if ema_decay is not None and not 0.0 < float(ema_decay) < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) or None; got {ema_decay}")
        self.r1_gamma = float(r1_gamma)
        self.r1_interval = int(r1_interval)
        self.style_mixing_probability = float(style_mixing_probability)
        self.path_length_weight = float(path_length_weight)
        self.path_length_interval = int(path_length_interval)
        self.path_length_decay = float(path_length_decay)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        if self.ema_decay is not None:
            self.ema_generator = copy_generator(generator, f"{generator.name}_ema")
        self.path_length_mean = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="path_length_mean"
        )
        self.r1_tracker = LossMean(name="r1_penalty")
        self.path_length_tracker = LossMean(name="path_length")

    def compile(self, g_optimizer=None, d_optimizer=None, loss: str = "non_saturating", **kwargs):
        """As `AdversarialModel.compile`, defaulting to the reference's Adam(0.0025, 0, 0.99)."""
        if loss != "non_saturating":
            raise ValueError(f"StyleGAN trains with the non_saturating loss; got {loss!r}")
        super().compile(
            g_optimizer=g_optimizer or lazy_regularization_adam(0.0025, 0.0, 0.99, None),
            d_optimizer=d_optimizer or lazy_regularization_adam(0.0025, 0.0, 0.99, None),
            loss=loss,
            **kwargs,
        )

    def guarded_variables(self) -> list:
        """The base's, plus the path-length running mean."""
        return [*super().guarded_variables(), self.path_length_mean]

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The base trackers, `r1_penalty`, and `path_length` when it is on."""
        extra = [self.r1_tracker]
        if self.path_length_weight > 0:
            extra.append(self.path_length_tracker)
        return [*super().metrics, *extra]

    # ----------------------------------------------------------------------- the step's draws
    def _global_uniform(self, num: int, purpose: int) -> tf.Tensor:
        """`num` uniform numbers from (seed, step, purpose), the same on every replica."""
        step = tf.cast(self.training_step, tf.int64)
        seed = tf.stack([tf.constant(self.seed, tf.int64), step * 1000 + purpose])
        return stateless_uniform([num], seed=seed)

    def mixing_cutoff(self, purpose: int) -> tf.Tensor:
        """The first style index taken from the second z; `num_ws` means no mixing this step."""
        num_ws = self.generator.num_ws
        decide, where = tf.unstack(self._global_uniform(2, purpose))
        cutoff = 1 + tf.cast(tf.floor(where * (num_ws - 1)), tf.int32)
        return tf.where(decide < self.style_mixing_probability, cutoff, num_ws)

    def sample_styles(self, batch, purpose: int, training: bool = True):
        """Maps this replica's z and mixes styles: `(ws [B, num_ws, w_dim], w [B, w_dim])`."""
        generator = self.generator
        z = self.replica_normal(batch, (self.latent_dim,), purpose)
        w = generator.mapping(z, training=training)
        ws = generator.broadcast(w)
        if self.style_mixing_probability > 0:
            cutoff = self.mixing_cutoff(purpose + 2)
            other = generator.mapping(
                self.replica_normal(batch, (self.latent_dim,), purpose + 1), training=training
            )
            from_first = tf.range(generator.num_ws) < cutoff
            ws = tf.where(from_first[None, :, None], ws, other[:, None, :])
        return ws, w

    def sample_noise_maps(self, batch, purpose: int) -> list[tf.Tensor]:
        """This replica's fresh noise maps, one `[B, r, r, 1]` per synthesis layer."""
        return [
            self.replica_normal(batch, shape, purpose + index)
            for index, shape in enumerate(self.generator.noise_shapes)
        ]

    def _is_regularization_step(self, interval: int) -> tf.Tensor:
        return tf.equal(tf.math.floormod(tf.cast(self.training_step, tf.int64), interval), 0)

    # ------------------------------------------------------------------------ regularizers
    def r1_gradients(self, real) -> tuple[list[tf.Tensor], tf.Tensor]:
        """Gradients of `γ/2 · interval · E‖∇ₓD(x)‖²` (scaled per replica) and the penalty."""
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            penalty = losses_lib.r1_penalty(self.discriminator, real)
            loss = penalty * (self.r1_gamma / 2.0) * self.r1_interval
            scaled = self.scaled_loss(self.d_optimizer, loss)
        gradients = tape.gradient(scaled, variables)
        return _zeros_for_none(gradients, variables), penalty

    def path_length_gradients(self, batch) -> tuple[list[tf.Tensor], tf.Tensor]:
        """Gradients of the path-length penalty (half the batch) and the local mean length."""
        generator = self.generator
        variables = generator.trainable_variables
        half = tf.maximum(batch // 2, 1)
        with tf.GradientTape() as tape:
            ws, _ = self.sample_styles(half, _G_STYLES + 3)
            noise = self.sample_noise_maps(half, _G_NOISE + 50)
            with tf.GradientTape() as inner:
                inner.watch(ws)
                images = tf.cast(generator.synthesize(ws, noise, training=True), tf.float32)
                height, width = images.shape[1], images.shape[2]
                projection = self.replica_normal(
                    half, tuple(images.shape[1:]), _PATH_LENGTH_PROJECTION
                ) / math.sqrt(height * width)
                projected = tf.reduce_sum(images * projection)
            jacobian = tf.cast(inner.gradient(projected, ws), tf.float32)
            lengths = tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(jacobian), axis=2), axis=1))
            penalty = tf.reduce_mean(tf.square(lengths - self.path_length_mean))
            loss = penalty * self.path_length_weight * self.path_length_interval
            scaled = self.scaled_loss(self.g_optimizer, loss)
        gradients = tape.gradient(scaled, variables)
        return _zeros_for_none(gradients, variables), tf.reduce_mean(lengths)

    def _maybe(self, condition, compute, variables):
        """`compute()` when `condition`, else zero gradients and 0: `(gradients, value)`."""
        if not variables:
            return [], tf.constant(0.0)

        def skip():
            return [tf.zeros_like(v) for v in variables], tf.constant(0.0)

        return tf.cond(condition, compute, skip)

    def _all_replicas_mean(self, value: tf.Tensor) -> tf.Tensor:
        num_replicas, _ = replica_context()
        context = tf.distribute.get_replica_context()
        if context is None or num_replicas == 1:
            return value
        total = context.all_reduce(tf.distribute.ReduceOp.SUM, value)
        return total / num_replicas

    # ------------------------------------------------------------------------------- step
    def train_step(self, data):
        """One D update (with lazy R1), one G update (with optional path length), EMA, w̄."""
        real = data[0] if isinstance(data, tuple | list) else data
        batch = tf.shape(real)[0]
        generator, discriminator = self.generator, self.discriminator
        guard = self.begin_guarded_step()

        # 1. D: logistic loss on G(z) and x; R1 on reals every r1_interval steps.
        ws, _ = self.sample_styles(batch, _D_STYLES)
        fake = generator.synthesize(ws, self.sample_noise_maps(batch, _D_NOISE), training=True)
        d_variables = discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_scores = discriminator(real, training=True)
            fake_scores = discriminator(fake, training=True)
            d_loss = self.d_loss_fn(real_scores, fake_scores)
            scaled = self.scaled_loss(self.d_optimizer, d_loss)
        d_gradients = tape.gradient(scaled, d_variables)
        r1 = lengths = tf.constant(0.0)
        if self.r1_gamma > 0:
            regularize = self._is_regularization_step(self.r1_interval)
            r1_gradients, r1 = self._maybe(regularize, lambda: self.r1_gradients(real), d_variables)
            d_gradients = [g + r for g, r in zip(d_gradients, r1_gradients, strict=True)]
            self._update_when(regularize, self.r1_tracker, r1)
        self.apply_update(self.d_optimizer, d_gradients, d_variables, (d_loss, r1))

        # 2. G: non-saturating loss through D; path length every path_length_interval steps.
        g_variables = generator.trainable_variables
        # Read the step before the G optimizer advances it.
        regularize_path = self._is_regularization_step(self.path_length_interval)
        with tf.GradientTape() as tape:
            ws, w = self.sample_styles(batch, _G_STYLES)
            fake = generator.synthesize(ws, self.sample_noise_maps(batch, _G_NOISE), training=True)
            g_loss = self.g_loss_fn(discriminator(fake, training=True))
            scaled = self.scaled_loss(self.g_optimizer, g_loss)
        g_gradients = tape.gradient(scaled, g_variables)
        if self.path_length_weight > 0:
            path_gradients, lengths = self._maybe(
                regularize_path, lambda: self.path_length_gradients(batch), g_variables
            )
            g_gradients = [g + p for g, p in zip(g_gradients, path_gradients, strict=True)]
            mean_length = self._all_replicas_mean(lengths)
            decay = self.path_length_decay
            assign_in_sync(
                self.path_length_mean,
                lambda a, new, on: tf.where(on, a + decay * (new - a), a),
                mean_length,
                regularize_path,
            )
            self.path_length_tracker.update_state(self.path_length_mean)
        self.apply_update(self.g_optimizer, g_gradients, g_variables, (g_loss, lengths))
        self.end_guarded_step(guard)

        # 3. EMA generator and w̄ (from the G update's unmixed w, over the global batch).
        batch_w = self._all_replicas_mean(tf.reduce_mean(tf.cast(w, tf.float32), axis=0))
        beta = generator.w_average_decay
        assign_in_sync(generator.w_average, lambda a, m: m + beta * (a - m), batch_w)
        self.update_ema()

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.cast(real_scores, tf.float32)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.cast(fake_scores, tf.float32)))
        return self.step_logs()

    @staticmethod
    def _update_when(condition, tracker, value) -> None:
        """Adds `value` to a Mean tracker only on the steps where `condition` holds."""
        tracker.update_state(value, sample_weight=tf.cast(condition, tf.float32))

    # --------------------------------------------------------------------------- sampling
    def generate(
        self,
        num_or_noise: int | np.ndarray | tf.Tensor,
        seed: int | None = None,
        batch_size: int = 256,
        truncation_psi: float = 1.0,
    ) -> np.ndarray:
        """Samples from the (EMA) generator with fixed noise maps.

        Args:
            num_or_noise: int number of samples, or z `[N, latent_dim]`.
            seed: int or None. The same seed gives the same z (`sample_noise`) in any process.
            batch_size: int. Samples per forward pass. Defaults to 256.
            truncation_psi: float. ψ of the truncation trick; 1 (no truncation) by default,
                0 gives the image of w̄ for every z.

        Returns:
            np.ndarray float32 `[N, H, W, C]` in [-1, 1].
        """
        noise = self.prepare_noise(num_or_noise, seed)
        psi = float(truncation_psi)
        return self.run_batched(
            lambda z: self.sampling_generator(z, truncation_psi=psi), [noise], batch_size
        )

    def style_mixing(
        self,
        row_seeds: list[int],
        column_seeds: list[int],
        coarse_styles: int | None = None,
        truncation_psi: float = 1.0,
    ) -> np.ndarray:
        """A style-mixing grid (Karras et al. 2019, Figure 3).

        Each mix takes its first `coarse_styles` style vectors from a row's w and the rest from
        a column's.

        Args:
            row_seeds: list of int. One z per row (`sample_noise(1, latent_dim, seed)`).
            column_seeds: list of int. One z per column.
            coarse_styles: int in [0, num_ws] or None. Style vectors taken from the rows: the
                coarse layers (4² and 8² at every resolution: 4 of `num_ws`, the default).
            truncation_psi: float. ψ applied to every w.

        Returns:
            np.ndarray float32 `[R + 1, C + 1, H, W, ch]` in [-1, 1]: `[0, 1:]` are the column
            images, `[1:, 0]` the row images, `[0, 0]` is blank (-1) and `[i, j]` the mixes.
        """
        generator = self.sampling_generator
        num_ws = generator.num_ws
        coarse = min(4, num_ws) if coarse_styles is None else int(coarse_styles)
        if not 0 <= coarse <= num_ws:
            raise ValueError(f"coarse_styles must be in [0, {num_ws}]; got {coarse_styles}")

        def w_of(seeds):
            z = tf.concat([sample_noise(1, self.latent_dim, int(s)) for s in seeds], 0)
            return generator.map(z, truncation_psi)

        rows, columns = w_of(row_seeds), w_of(column_seeds)
        num_rows, num_columns = len(row_seeds), len(column_seeds)
        row_ws = tf.repeat(generator.broadcast(rows), num_columns, axis=0)
        column_ws = tf.tile(generator.broadcast(columns), [num_rows, 1, 1])
        from_row = (tf.range(num_ws) < coarse)[None, :, None]
        mixed = tf.where(from_row, row_ws, column_ws)

        def images(ws):
            return tf.clip_by_value(generator.synthesize(ws), -1.0, 1.0).numpy()

        grid = np.full(
            (num_rows + 1, num_columns + 1, *generator.output_shape[1:]), -1.0, np.float32
        )
        grid[0, 1:] = images(generator.broadcast(columns))
        grid[1:, 0] = images(generator.broadcast(rows))
        grid[1:, 1:] = images(mixed).reshape(num_rows, num_columns, *grid.shape[2:])
        return grid

    # ------------------------------------------------------------------------ serialization
    def serving_archive(self) -> tuple[keras.export.ExportArchive, dict]:
        """`serving_default` (z, ψ → images), `map` (z, ψ → w) and `synthesize` (ws → images)."""
        return style_archive(self)

    def get_config(self) -> dict:
        """Adds the regularization and mixing settings; `d_steps` is always 1."""
        config = super().get_config()
        config.pop("d_steps")
        return {
            **config,
            "r1_gamma": self.r1_gamma,
            "r1_interval": self.r1_interval,
            "style_mixing_probability": self.style_mixing_probability,
            "path_length_weight": self.path_length_weight,
            "path_length_interval": self.path_length_interval,
            "path_length_decay": self.path_length_decay,
        }


def _zeros_for_none(gradients, variables) -> list[tf.Tensor]:
    """Zeros where a variable does not affect the loss (a penalty ignores some biases)."""
    return [tf.zeros_like(v) if g is None else g for g, v in zip(gradients, variables, strict=True)]


def lazy_regularization_adam(
    learning_rate: float | Any, beta_1: float, beta_2: float, interval: int | None
) -> keras.optimizers.Adam:
    """Adam with the reference's lazy-regularization correction.

    For a regularization interval k, c = k / (k + 1): the learning rate becomes lr · c and the
    betas β ** c (no change for `interval=None`).
    """
    ratio = 1.0 if interval is None else interval / (interval + 1.0)
    if isinstance(learning_rate, int | float):
        learning_rate = learning_rate * ratio
    return keras.optimizers.Adam(
        learning_rate, beta_1=beta_1**ratio, beta_2=beta_2**ratio, epsilon=1e-8
    )
