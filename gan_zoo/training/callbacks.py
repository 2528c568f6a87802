"""Keras callbacks of a GAN run: sample grids, TensorBoard, history files, NaN guard, evals.

Checkpoints are `gan_zoo.training.checkpointing.Checkpointer`; each callback here also works in
a plain `model.fit` (`callbacks=[SampleGrid("out/samples")]`).
"""

import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import families, plotting
from gan_zoo.engine.random import sample_noise
from gan_zoo.training import run_directory


class SampleGrid(keras.callbacks.Callback):
    """Saves samples from fixed noise at the end of every `every_n_epochs` epochs.

    Images go to `directory/epoch_0001.png` (a grid) and 2-D points to a scatter plot; the
    newest is also copied to `directory/latest.png`. With `log_dir`, images are also written to
    TensorBoard. Samples that are not finite (a diverged model) are not drawn.

    Args:
        directory: str. Where the PNGs go.
        num_samples: int. Images per grid (points per scatter plot are 1,000). Defaults to 64.
        seed: int. Seed of the fixed noise. Defaults to 0.
        every_n_epochs: int. Defaults to 1.
        log_dir: str or None. TensorBoard directory for image summaries. Defaults to None.
        reference_points: `[K, 2]` array or None. Mode centres drawn on 2-D scatter plots.
    """

    def __init__(
        self,
        directory: str,
        num_samples: int = 64,
        seed: int = 0,
        every_n_epochs: int = 1,
        log_dir: str | None = None,
        reference_points: np.ndarray | None = None,
    ):
        super().__init__()
        if num_samples < 1 or every_n_epochs < 1:
            raise ValueError("num_samples and every_n_epochs must be positive")
        self.directory = directory
        self.num_samples = num_samples
        self.seed = seed
        self.every_n_epochs = every_n_epochs
        self.log_dir = log_dir
        self.reference_points = reference_points
        self._writer = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        """Creates the directory and the TensorBoard writer."""
        os.makedirs(self.directory, exist_ok=True)
        if self.log_dir:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        """Saves the samples of epoch `epoch + 1` when it is due."""
        if (epoch + 1) % self.every_n_epochs:
            return
        self.last_path = self.save(epoch + 1) or self.last_path

    def save(self, epoch: int) -> str | None:
        """Writes the samples of `epoch`; returns the PNG path (None: NaN samples, not drawn)."""
        model = self.model
        path = os.path.join(self.directory, f"epoch_{epoch:04d}.png")
        title = f"{model.name} · epoch {epoch}"
        if len(model.sampling_generator.output_shape) == 4:
            conditional = families.family_of(model).task == "conditional"
            num_classes = model.num_classes if conditional else None
            if conditional:  # one class per row
                columns = max(1, self.num_samples // num_classes)
                noise = sample_noise(num_classes * columns, model.latent_dim, self.seed)
                labels = np.repeat(np.arange(num_classes), columns)
                images = model.generate(noise, labels=labels)
            else:
                columns = None
                images = model.generate(sample_noise(self.num_samples, model.latent_dim, self.seed))
            if not np.isfinite(images).all():  # a diverged model (see DivergenceGuard)
                return None
            plotting.save_image_grid(images, path, columns=columns, title=title)
            self._log_image(images, epoch, columns)
        else:
            points = model.generate(sample_noise(1000, model.latent_dim, self.seed))
            if not np.isfinite(points).all():
                return None
            plotting.save_scatter(points, path, reference=self.reference_points, title=title)
        self._copy_to_latest(path)
        return path

    def _log_image(self, images: np.ndarray, epoch: int, columns: int | None = None) -> None:
        """Writes the grid of `images` to TensorBoard (when `log_dir` was given)."""
        if self._writer is not None:
            with self._writer.as_default():
                grid = plotting.image_grid(images, columns=columns)[None]
                tf.summary.image("samples", grid, step=epoch)
                self._writer.flush()

    def _copy_to_latest(self, path: str) -> None:
        latest = os.path.join(self.directory, "latest.png")
        with open(path, "rb") as source, open(f"{latest}.tmp", "wb") as target:
            target.write(source.read())
        os.replace(f"{latest}.tmp", latest)


class TranslationGrid(SampleGrid):
    """Saves a translation model's (CycleGAN's) translations of fixed images every few epochs.

    Each grid has six rows of `len(images_a)` columns: real a, G(a), F(G(a)) (its cycle
    reconstruction), then real b, F(b), G(F(b)). Files, `latest.png` and TensorBoard images
    as in `SampleGrid`.

    Args:
        directory: str. Where the PNGs go.
        images_a: float `[n, H, W, C]` in [-1, 1]. Fixed domain A images.
        images_b: float `[n, H, W, C]` in [-1, 1]. Fixed domain B images, same n.
        every_n_epochs: int. Defaults to 1.
        log_dir: str or None. TensorBoard directory for image summaries. Defaults to None.
    """

    def __init__(
        self,
        directory: str,
        images_a: np.ndarray,
        images_b: np.ndarray,
        every_n_epochs: int = 1,
        log_dir: str | None = None,
    ):
        super().__init__(
            directory, num_samples=len(images_a), every_n_epochs=every_n_epochs, log_dir=log_dir
        )
        if len(images_a) != len(images_b) or not len(images_a):
            raise ValueError(
                f"images_a and images_b must hold the same positive number of images; got "
                f"{len(images_a)} and {len(images_b)}"
            )
        self.images_a = np.asarray(images_a, np.float32)
        self.images_b = np.asarray(images_b, np.float32)

    def grid_images(self, model) -> np.ndarray:
        """The six rows (see the class docstring) stacked: `[6 n, H, W, C]` in [-1, 1]."""
        to_b = model.translate(self.images_a, "a_to_b")
        to_a = model.translate(self.images_b, "b_to_a")
        return np.concatenate(
            [
                self.images_a,
                to_b,
                model.translate(to_b, "b_to_a"),
                self.images_b,
                to_a,
                model.translate(to_a, "a_to_b"),
            ]
        )

    def save(self, epoch: int) -> str | None:
        """Writes the translations of `epoch`; returns the PNG path (None: NaN, not drawn)."""
        path = os.path.join(self.directory, f"epoch_{epoch:04d}.png")
        images = self.grid_images(self.model)
        if not np.isfinite(images).all():
            return None
        title = f"{self.model.name} · epoch {epoch} · rows: a, G(a), F(G(a)), b, F(b), G(F(b))"
        plotting.save_image_grid(images, path, columns=len(self.images_a), title=title)
        self._log_image(images, epoch, columns=len(self.images_a))
        self._copy_to_latest(path)
        return path


class TensorBoard(keras.callbacks.TensorBoard):
    """Keras' `TensorBoard` with each epoch's scalars at the step of its sample grid.

    Keras logs epoch i's scalars at step i - 1 (0-based), while the sample grids
    (`SampleGrid`, `samples/epoch_000i.png`) and evaluations (`EvaluationCallback`)
    of epoch i are logged at step i. This logs the scalars at step i too, so that a loss and
    the grid of the same epoch sit at the same step, and adds `epoch_seconds` (wall time of
    the epoch, as `history.json` records it).

    Args:
        log_dir: str. The run's `logs/` directory.
        **kwargs: passed to `keras.callbacks.TensorBoard` (`write_graph`, ...).
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Starts the epoch's clock."""
        self._epoch_start = time.perf_counter()
        super().on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Logs the epoch's scalars and `epoch_seconds` at step `epoch + 1`."""
        logs = dict(logs or {})
        start = getattr(self, "_epoch_start", None)
        if start is not None:
            logs["seconds"] = time.perf_counter() - start  # Keras writes it as epoch_seconds
        super().on_epoch_end(epoch + 1, logs)


class HistoryWriter(keras.callbacks.Callback):
    """Writes `history.json` and `loss_curves.png` after every epoch.

    `history.json` maps each logged name (`d_loss`, `g_loss`, `d_real`, `d_fake`, ...) to its
    per-epoch list, plus `epoch_seconds`; entry i of every list is epoch i + 1 (Keras' epoch
    index), and a name missing from an epoch's logs (`eval_*`, logged every k epochs) is `null`
    there. Values already in the file (an earlier run that a resumed one continues) are kept up
    to the epoch being written: entries of later epochs (written after the checkpoint that
    the run resumed from, then lost with the process) are replaced. The curves plot the
    training logs; `eval_*` go to TensorBoard.

    Args:
        directory: str. The run directory.
    """

    def __init__(self, directory: str):
        super().__init__()
        self.directory = directory
        self.history: dict[str, list[float | None]] = {}
        self._epoch_start = 0.0

    @property
    def json_path(self) -> str:
        """Path of `history.json`."""
        return os.path.join(self.directory, run_directory.HISTORY)

    def on_train_begin(self, logs=None):
        """Reads the history an earlier run (that this one continues) left, if any."""
        if os.path.exists(self.json_path):
            try:
                with open(self.json_path) as f:
                    history = json.load(f)
            except (OSError, UnicodeDecodeError, ValueError) as error:
                history, problem = None, str(error)[:80]
            else:
                problem = "not an object of per-epoch lists"
            if not run_directory.is_history(history):
                raise ValueError(
                    f"{self.json_path} is unusable ({problem}); move it away to start a new "
                    "history (gan_zoo.training does, keeping it as history.json.damaged)"
                )
            self.history = history

    def on_epoch_begin(self, epoch, logs=None):
        """Starts the epoch's clock."""
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        """Adds the epoch's logs to the history; rewrites history.json and the curves."""
        values = {name: float(value) for name, value in (logs or {}).items()}
        values["epoch_seconds"] = time.perf_counter() - self._epoch_start
        # Every list holds one entry per epoch: a key logged only on some epochs (eval_* from
        # EvaluationCallback every k epochs) gets null elsewhere, so indices stay epochs.
        for name in set(self.history) | set(values):
            series = self.history.get(name, [])[:epoch]
            series += [None] * (epoch - len(series))
            series.append(values.get(name))
            self.history[name] = series
        run_directory.write_json(self.history, self.json_path)
        curves = {
            k: v
            for k, v in self.history.items()
            if k != "epoch_seconds" and not k.startswith("eval_")
        }
        plotting.save_loss_curves(
            curves, os.path.join(self.directory, run_directory.LOSS_CURVES), title=self.model.name
        )


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite value in a batch's logs.

    Every logged value is checked (`d_loss`, `g_loss` and every other loss or statistic the
    model logs; a finite `skipped_updates` count is fine like any finite value). On the first
    non-finite one it sets `model.stop_training` and records what it saw in `diverged`;
    Keras then ends the epoch (calling `on_epoch_end` with the epoch's non-finite logs) and
    stops. A `Checkpointer` given this guard saves nothing once it has fired, so the newest
    checkpoint stays the last good one. `gan_zoo.training.train` raises `TrainingDiverged`
    from `diverged`.

    Attributes:
        diverged: None, or a dict with `step` (the training step, 1-based: the model's
            `training_step` after the bad update, or Keras' count when the model has none),
            `steps_per_execution` (the logs came after this many steps: the bad one is among
            the last of them), `epoch` (1-based), `name` and `value` (the offending log).
    """

    def __init__(self):
        super().__init__()
        self.diverged: dict | None = None
        self._epoch = 0
        self._batches = 0

    def on_train_begin(self, logs=None):
        """Forgets an earlier divergence."""
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        """Remembers the epoch, for `diverged`."""
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        """Checks every logged value; stops training at the first NaN or infinite one."""
        self._batches += 1
        if self.diverged is not None:
            return
        for name, value in (logs or {}).items():
            try:
                number = float(value)
            except (TypeError, ValueError):  # not a scalar: nothing to check
                continue
            if not math.isfinite(number):
                self.diverged = {
                    "step": self._step(),
                    "steps_per_execution": int(getattr(self.model, "steps_per_execution", 1)),
                    "epoch": self._epoch + 1,
                    "name": name,
                    "value": number,
                }
                self.model.stop_training = True
                return

    def _step(self) -> int:
        step = getattr(self.model, "training_step", None)
        if step is None:
            step = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        # convert_to_numpy: also a mirrored variable's value (int() refuses those)
        return self._batches if step is None else int(keras.ops.convert_to_numpy(step))

    def describe(self) -> str:
        """One line: where training diverged and on what (`diverged` must be set)."""
        info = self.diverged
        span = info["steps_per_execution"]
        where = f"step {info['step']}"
        if span > 1:
            where = f"steps {max(1, info['step'] - span + 1)}-{info['step']}"
        return f"{info['name']} = {info['value']} at {where} (epoch {info['epoch']})"


class EvaluationCallback(keras.callbacks.Callback):
    """Evaluates the model every `every_n_epochs` epochs into the logs and TensorBoard.

    On the chosen epochs it runs `gan_zoo.evaluation.ModelEvaluator` on `self.model` (samples from
    `model.generate(num_samples, seed=seed)`, real data of `dataset`) and adds every scalar
    result to `logs` as `eval_<name>` (`eval_frechet_distance`, `eval_kid`, `eval_precision`,
    ...; `eval_modes_covered`, ... for 2-D point models). Callbacks after it in the list
    (`HistoryWriter`, `keras.callbacks.CSVLogger`, `TensorBoard`) and the `History` returned
    by `fit` see these keys; epochs without an evaluation lack them. Place it before
    `HistoryWriter` / `CSVLogger` in the callbacks list.

    The real-vs-real baseline (held-out real vs real train data, same metrics) is computed
    once, kept in `real_baseline`, and written to TensorBoard beside the model's numbers:
    the model's scalars go to `log_dir/eval`, the baseline's to `log_dir/eval_real_baseline`
    under the same tags, so TensorBoard draws both on one chart. Full reports are kept in
    `reports` (`{epoch: report}`).

    Args:
        every_n_epochs: int. Evaluate after epochs k, 2k, ... Defaults to 5.
        num_samples: int. Generated samples (and the cap on real ones per split). Defaults to
            1000.
        dataset: str. `make_dataset` name of the real data. Defaults to `"gan_zoo_digits"`.
        data_dir: str or None. TFDS data directory. Defaults to None.
        metrics: list of str or None. Metric names (see `gan_zoo.metrics.registry`); None
            for the defaults of the model's kind. Defaults to None.
        log_dir: str or None. TensorBoard directory. Defaults to None (no summaries).
        seed: int. Seed of the evaluation samples. Defaults to 0.
        extractor: str or None. A `gan_zoo.metrics.EXTRACTORS` name (`"mnist"`, `"digits"`,
            `"inception_v3"`, ...) or None (the default for the dataset). Defaults to None.
        inception_weights: str or None. Local InceptionV3 weights file. Defaults to None.
        kid_subsets: int. KID subsets averaged over. Defaults to 10 (the paper's 100 cost
            about 20 s per evaluation on 2 CPU cores at 1,000 samples; the mean is unbiased
            either way, only its variance grows).
    """

    def __init__(
        self,
        every_n_epochs: int = 5,
        num_samples: int = 1000,
        dataset: str = "gan_zoo_digits",
        data_dir: str | None = None,
        metrics: list[str] | None = None,
        log_dir: str | None = None,
        seed: int = 0,
        extractor: str | None = None,
        inception_weights: str | None = None,
        kid_subsets: int = 10,
    ):
        super().__init__()
        from gan_zoo.evaluation import ModelEvaluator

        if isinstance(every_n_epochs, bool) or not isinstance(every_n_epochs, int):
            raise ValueError(f"every_n_epochs must be a positive integer, got {every_n_epochs!r}")
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be a positive integer, got {every_n_epochs!r}")
        self.every_n_epochs = every_n_epochs
        self.log_dir = log_dir
        self.evaluator = ModelEvaluator(
            dataset=dataset,
            metrics=metrics,
            num_samples=num_samples,
            seed=seed,
            extractor=extractor,
            inception_weights=inception_weights,
            data_dir=data_dir,
            kid_subsets=kid_subsets,
        )
        self.reports: dict[int, dict] = {}
        self.real_baseline: dict | None = None
        self._writers = None

    def on_train_begin(self, logs=None):
        """Opens the TensorBoard writers of the model and of the real-vs-real baseline."""
        if self.log_dir and self._writers is None:
            self._writers = {
                "model": tf.summary.create_file_writer(os.path.join(self.log_dir, "eval")),
                "real_baseline": tf.summary.create_file_writer(
                    os.path.join(self.log_dir, "eval_real_baseline")
                ),
            }

    def on_epoch_end(self, epoch, logs=None):
        """Evaluates when due: `eval_*` into `logs`, both sections into TensorBoard."""
        if (epoch + 1) % self.every_n_epochs:
            return
        from gan_zoo.metrics.report import scalar_metrics

        report = self.evaluator(self.model)
        self.reports[epoch + 1] = report
        self.real_baseline = report["real_baseline"]
        scalars = scalar_metrics(report["model"])
        if logs is not None:
            for name, value in scalars.items():
                logs[f"eval_{name}"] = value
        if self._writers:
            sections = {"model": scalars, "real_baseline": scalar_metrics(self.real_baseline)}
            for side, writer in self._writers.items():
                with writer.as_default():
                    for name, value in sections[side].items():
                        tf.summary.scalar(name, value, step=epoch + 1)
                    writer.flush()

    def on_train_end(self, logs=None):
        """Closes the TensorBoard writers."""
        for writer in (self._writers or {}).values():
            writer.close()
        self._writers = None
