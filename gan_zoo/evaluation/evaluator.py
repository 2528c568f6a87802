"""Evaluating gan_zoo models and SavedModels against their dataset's real data.

`evaluate_model` (one evaluation) and `ModelEvaluator` (repeated ones, caching real data,
extractors and baselines: `gan_zoo.training`'s `EvaluationCallback`) read the model
(`ModelSource`), load the real data (`load_real_data`) and score the samples with
`gan_zoo.metrics`: image models get `evaluate`'s metrics (and CAS for conditional ones),
models of 2-D points `evaluate_mixture`'s mode coverage.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from gan_zoo.evaluation.mixtures import evaluate_mixture
from gan_zoo.evaluation.real_data import load_real_data
from gan_zoo.evaluation.sources import ModelSource
from gan_zoo.metrics.cas import classification_accuracy_score
from gan_zoo.metrics.features import EXTRACTORS, FeatureExtractor, get_extractor
from gan_zoo.metrics.registry import DEFAULT_METRICS, KID_NUM_SUBSETS, check_metrics, list_metrics
from gan_zoo.metrics.scoring import evaluate
from gan_zoo.metrics.validation import check_positive_int

__all__ = ["ModelEvaluator", "evaluate_model"]


class ModelEvaluator:
    """Evaluates gan_zoo models or SavedModels repeatedly, caching real data and baselines.

    Holds the settings of `evaluate_model`; each call evaluates one model. The real images,
    the feature extractor and the real-vs-real baseline are computed once per sample shape
    and reused by later calls (as `gan_zoo.training`'s `EvaluationCallback` does every k epochs).

    Args:
        dataset: `make_dataset` name of the real data; None: the model's (see
            `default_dataset`). Defaults to None.
        metrics: metric names (`gan_zoo.metrics.registry`); None for the defaults of the
            model's kind (`DEFAULT_METRICS` for images, `POINT_METRICS` for points). Image
            models also accept `"cas"` (conditional models only). Defaults to None.
        num_samples: generated samples, and the cap on real examples per split. Defaults to
            2000.
        seed: seeds the samples and KID's subsets. Defaults to 0.
        extractor: `"mnist"`, `"stacked_mnist"`, `"digits"`, `"stacked_digits"`,
            `"inception_v3"`, a `FeatureExtractor`, or None: the shipped classifier of the
            dataset where there is one (`DEFAULT_EXTRACTORS`: `"mnist"` for 1-channel
            `gan_zoo_mnist` or `mnist`, `"stacked_mnist"` for 3-channel `stacked_mnist`, whose
            class modes then count the 1,000 digit triples, `"digits"` and `"stacked_digits"`
            for the 8×8 ones), else `"inception_v3"` (which needs weights). Defaults to None.
        inception_weights: local InceptionV3 weights file. Defaults to None.
        allow_download: let Keras download the InceptionV3 ImageNet weights. Defaults to False.
        data_dir: TFDS data directory. Defaults to None.
        cas_kwargs: extra arguments of `classification_accuracy_score` (`samples_per_class`,
            `epochs`, `reference`). Defaults to None.
        kid_subsets: KID subsets averaged over. Defaults to `KID_NUM_SUBSETS` (100).
    """

    def __init__(
        self,
        dataset: str | None = None,
        metrics: Sequence[str] | None = None,
        num_samples: int = 2000,
        seed: int = 0,
        extractor: str | FeatureExtractor | None = None,
        inception_weights: str | os.PathLike | None = None,
        allow_download: bool = False,
        data_dir: str | os.PathLike | None = None,
        cas_kwargs: dict | None = None,
        kid_subsets: int = KID_NUM_SUBSETS,
    ):
        self.dataset = dataset
        self.kid_subsets = check_positive_int("kid_subsets", kid_subsets)
        self.metrics = None if metrics is None else check_metrics(metrics, list_metrics())
        self.num_samples = check_positive_int("num_samples", num_samples)
        self.seed = seed
        if isinstance(extractor, str) and extractor not in EXTRACTORS:
            raise ValueError(
                f"unknown feature extractor {extractor!r}; valid: {', '.join(sorted(EXTRACTORS))}"
            )
        self.extractor = extractor
        self.inception_weights = inception_weights
        self.allow_download = allow_download
        self.data_dir = data_dir
        self.cas_kwargs = dict(cas_kwargs or {})
        self._real: dict = {}
        self._extractors: dict = {}
        self._baselines: dict = {}

    def __call__(self, model_or_dir) -> dict:
        """Evaluates one model; returns the report (see `evaluate`, plus `dataset`, `source`)."""
        source = ModelSource(model_or_dir)
        dataset = self.dataset or source.dataset()
        if source.is_points:
            report = self._evaluate_points(source, dataset)
        else:
            report = self._evaluate_images(source, dataset)
        return {"dataset": dataset, "source": source.info(), **report}

    # ----------------------------------------------------------------------------- points
    def _evaluate_points(self, source: ModelSource, dataset: str) -> dict:
        point_metrics = list_metrics("points")
        metrics = self.metrics or point_metrics
        check_metrics(metrics, point_metrics, kind="a model of 2-D points")
        base, _, mixture = dataset.partition("/")
        if base != "gaussian_mixture" or not mixture:
            raise ValueError(
                f"2-D point models are evaluated on gaussian_mixture/ring8 or "
                f"gaussian_mixture/grid25, got dataset {dataset!r}"
            )
        real_test = self._load(dataset, "test", source.sample_shape)
        return evaluate_mixture(
            source.sample, real_test, mixture, num_samples=self.num_samples, seed=self.seed
        )

    # ----------------------------------------------------------------------------- images
    def _evaluate_images(self, source: ModelSource, dataset: str) -> dict:
        metrics = self.metrics or DEFAULT_METRICS
        valid = list_metrics("features", "classifier", "labels")
        check_metrics(metrics, valid, kind="an image model")
        image_metrics = tuple(m for m in metrics if m in list_metrics("features", "classifier"))
        shape = source.sample_shape
        report: dict = {
            "extractor": None,
            "comparable_to_published": False,
            "num_samples": self.num_samples,
            "metrics": list(metrics),
            "seed": self.seed,
            "model": {},
            "real_baseline": {},
            "notes": [],
        }
        if image_metrics:
            extractor = self._extractor(dataset, shape)
            real_train = self._load(dataset, "train", shape)
            real_test = self._load(dataset, "test", shape)
            key = (dataset, shape, extractor.name, image_metrics, self.seed)
            report = evaluate(
                source.sample,
                real_train,
                real_test,
                extractor,
                metrics=image_metrics,
                num_samples=self.num_samples,
                seed=self.seed,
                real_baseline=self._baselines.get(key),
                kid_subsets=self.kid_subsets,
            )
            self._baselines[key] = report["real_baseline"]
            report["metrics"] = list(metrics)
        if "cas" in metrics:
            cas = self._cas(source, dataset, shape)
            report["model"]["cas"] = cas["cas"]
            report["real_baseline"]["cas"] = cas["real_data_accuracy"]
            report["cas_details"] = cas
        return report

    def _cas(self, source: ModelSource, dataset: str, shape) -> dict:
        if not source.num_classes:
            raise ValueError("metric 'cas' needs a conditional model (one that takes labels)")
        test_x, test_y = self._load(dataset, "test", shape, with_labels=True, cap=False)
        kwargs = dict(self.cas_kwargs)
        kwargs.setdefault("reference", "shipped" if dataset == "gan_zoo_digits" else "retrain")
        if kwargs["reference"] == "retrain":
            train_x, train_y = self._load(dataset, "train", shape, with_labels=True, cap=False)
            kwargs.update(real_train_images=train_x, real_train_labels=train_y)
        return classification_accuracy_score(
            lambda labels, seed: source.sample(len(labels), seed, labels=labels),
            source.num_classes,
            test_x,
            test_y,
            seed=self.seed,
            **kwargs,
        )

    def _extractor(self, dataset: str, shape) -> FeatureExtractor:
        extractor = self.extractor
        if isinstance(extractor, FeatureExtractor):
            return extractor
        if extractor is None:
            extractor = _default_extractor(dataset, shape)
        if extractor not in self._extractors:
            kwargs = {}
            if extractor == "inception_v3":
                kwargs = {
                    "weights_path": self.inception_weights,
                    "allow_download": self.allow_download,
                }
            self._extractors[extractor] = get_extractor(extractor, **kwargs)
        return self._extractors[extractor]

    def _load(self, dataset, split, shape, with_labels=False, cap=True):
        num = self.num_samples if cap else 10**9
        key = (dataset, split, tuple(shape), with_labels, num)
        if key not in self._real:
            self._real[key] = load_real_data(
                dataset, split, num, shape, data_dir=self.data_dir, with_labels=with_labels
            )
        return self._real[key]


# (dataset, channels) → the shipped extractor that measures it; "inception_v3" otherwise. The
# full TFDS `mnist` is measured with the classifier of the embedded MNIST digits too.
DEFAULT_EXTRACTORS = {
    ("gan_zoo_mnist", 1): "mnist",
    ("mnist", 1): "mnist",
    ("stacked_mnist", 3): "stacked_mnist",
    ("gan_zoo_digits", 1): "digits",
    ("stacked_digits", 3): "stacked_digits",
}


def _default_extractor(dataset: str, shape) -> str:
    """The `EXTRACTORS` name used when none is given: the shipped classifiers where they apply."""
    return DEFAULT_EXTRACTORS.get((dataset, shape[-1]), "inception_v3")


def evaluate_model(
    model_or_saved_model_dir,
    dataset: str | None = "gan_zoo_digits",
    metrics: Sequence[str] | None = None,
    num_samples: int = 2000,
    seed: int = 0,
    extractor: str | FeatureExtractor | None = None,
    inception_weights: str | os.PathLike | None = None,
    allow_download: bool = False,
    data_dir: str | os.PathLike | None = None,
    cas_kwargs: dict | None = None,
    kid_subsets: int = KID_NUM_SUBSETS,
) -> dict:
    """Evaluates a gan_zoo model or an exported SavedModel against its dataset's real data.

    Samples come from `model.generate(num, seed=seed)` or, for a SavedModel (or a run
    directory holding `saved_model/`), from its `serving_default` with
    `noise = gan_zoo.engine.sample_noise(num, latent_dim, seed)` (the same noise, so the same
    samples up to uint8 rounding) and labels cycling 0..C-1 for conditional models. Real
    images are the first `num_samples` of the `train` and `test` splits at the samples' size
    and channels (`load_real_data`).

    Image models get `evaluate`'s metrics (and `"cas"` on request, for conditional models;
    see `classification_accuracy_score`); models of 2-D points get `evaluate_mixture`'s mode
    coverage on `gaussian_mixture/ring8` or `/grid25`.

    Args:
        model_or_saved_model_dir: a gan_zoo model, a SavedModel directory or a run directory.
        dataset: `make_dataset` name of the real data; None: the run's or preset's dataset
            (`default_dataset`). Defaults to `"gan_zoo_digits"`.
        metrics: metric names, or None for the defaults of the model's kind.
        num_samples: generated samples and the cap on real examples per split.
            Defaults to 2000.
        seed: seeds the samples and KID's subsets. Defaults to 0.
        extractor: an `EXTRACTORS` name, a `FeatureExtractor` or None (the shipped classifier
            of the dataset where there is one, see `Evaluator`; else `"inception_v3"`).
        inception_weights: local InceptionV3 weights file.
        allow_download: let Keras download the InceptionV3 ImageNet weights.
        data_dir: TFDS data directory.
        cas_kwargs: extra `classification_accuracy_score` arguments.
        kid_subsets: KID subsets averaged over. Defaults to `KID_NUM_SUBSETS` (100).

    Returns:
        The report of `evaluate` / `evaluate_mixture`, plus `dataset` and `source` (the
        model's path or name, sample shape, latent size, classes, preset), and `cas_details`
        when CAS was computed.

    Raises:
        ValueError: no SavedModel there, unknown metrics or extractor, metrics that do not
            apply to the model, InceptionV3 without weights, or a dataset that cannot be
            loaded.
    """
    evaluator = ModelEvaluator(
        dataset=dataset,
        metrics=metrics,
        num_samples=num_samples,
        seed=seed,
        extractor=extractor,
        inception_weights=inception_weights,
        allow_download=allow_download,
        data_dir=data_dir,
        cas_kwargs=cas_kwargs,
        kid_subsets=kid_subsets,
    )
    return evaluator(model_or_saved_model_dir)
