"""The metric registry: every name an evaluation takes, what it needs, which way is better."""

import numpy as np
import pytest

from gan_zoo.metrics import registry, report


def test_every_default_metric_is_registered():
    lists = (
        registry.IMAGE_METRICS,
        registry.DEFAULT_METRICS,
        registry.CONDITIONAL_METRICS,
        registry.POINT_METRICS,
    )
    for names in lists:
        assert names, "an empty list of metrics"
        for name in names:
            assert registry.get_metric(name).name == name
    # Each list is the registered metrics of its needs, in registration order.
    assert registry.IMAGE_METRICS == registry.list_metrics("features", "classifier") == (
        "frechet_distance", "kid", "precision_recall", "density_coverage", "class_modes",
        "inception_score",
    )  # fmt: skip
    assert registry.CONDITIONAL_METRICS == ("cas",)
    assert registry.POINT_METRICS == ("mode_coverage",)
    assert set(registry.list_metrics()) == {n for names in lists for n in names}


def test_metrics_say_what_they_need_and_which_way_is_better():
    for name in registry.list_metrics():
        metric = registry.get_metric(name)
        assert metric.needs in ("features", "classifier", "points", "labels")
        assert callable(metric.fn) and metric.better and metric.description
        for score, way in metric.better.items():
            # Density is best near 1 (Naeem et al. 2020): neither lower nor higher.
            expected = ("~1",) if score == "density" else ("lower", "higher")
            assert way in expected, (name, score, way)
    lower = {"frechet_distance", "kid", "class_kl_to_uniform", "reverse_kl"}
    for score in lower:
        assert registry.better_direction(score) == "lower"
    higher = {"precision", "recall", "coverage", "class_modes_covered", "inception_score", "cas"}
    for score in higher | {"modes_covered", "high_quality_fraction"}:
        assert registry.better_direction(score) == "higher"
    assert registry.better_direction("kid_std") == ""  # no direction: left blank in tables
    assert registry.score_aliases() == {
        "modes": "modes_covered",
        "high_quality": "high_quality_fraction",
    }


def test_unknown_names_get_one_line_listing_the_valid_ones():
    valid = ", ".join(registry.list_metrics())
    with pytest.raises(ValueError) as error:
        registry.get_metric("fid")
    assert str(error.value) == f"unknown metric 'fid'; valid: {valid}"
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=r"^unknown metric\(s\) fid, is; valid: frechet_distance"):
        registry.check_metrics(["fid", "is"], registry.IMAGE_METRICS)
    with pytest.raises(ValueError, match="kid do not apply to a model of 2-D points; valid: mode"):
        registry.check_metrics("kid", registry.POINT_METRICS, kind="a model of 2-D points")
    assert registry.check_metrics(["kid", "kid", "cas"], registry.list_metrics()) == ("kid", "cas")


def test_registered_functions_compute_the_report_scores():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) + 1.0
    features = {}
    for name in registry.list_metrics("features"):
        features.update(registry.get_metric(name).fn(real, fake, seed=0, kid_subsets=3))
    assert set(features) == {
        "frechet_distance", "kid", "kid_std", "precision", "recall", "density", "coverage"
    }  # fmt: skip
    probabilities = np.eye(4)[rng.integers(0, 4, 30)]
    classes = {}
    for name in registry.list_metrics("classifier"):
        classes.update(registry.get_metric(name).fn(probabilities, num_classes=4))
    assert set(classes) == {
        "class_modes_covered", "class_kl_to_uniform", "class_histogram", "inception_score",
        "inception_score_std",
    }  # fmt: skip
    modes = registry.get_metric("mode_coverage").fn(np.zeros((5, 2)), np.zeros((1, 2)), 1.0)
    assert modes["modes_covered"] == 1
    # The table's "better" column and the scalars come from the registry.
    section = {**features, **classes, **modes}
    scalars = report.scalar_metrics(section)
    assert "modes" not in scalars and "class_histogram" not in scalars
    assert "frechet_distance" in scalars and "modes_covered" in scalars


def test_registering_a_metric_checks_it_and_refuses_duplicates(monkeypatch):
    monkeypatch.setattr(registry, "_METRICS", dict(registry._METRICS))
    with pytest.raises(ValueError, match="needs 'pixels'; expected one of: features"):
        registry.Metric("toy", lambda *a, **k: {}, "pixels", {"toy": "lower"})
    with pytest.raises(ValueError, match="each must be one of: lower, higher, ~1"):
        registry.Metric("toy", lambda *a, **k: {}, "features", {"toy": "smaller"})
    toy = registry.Metric(
        "toy", lambda real, other, **_: {"toy": 0.0}, "features", {"toy": "lower"}
    )
    registry.register_metric(toy)
    assert registry.list_metrics("features")[-1] == "toy"
    assert registry.better_direction("toy") == "lower"
    with pytest.raises(ValueError, match="metric 'toy' is already registered"):
        registry.register_metric(toy)
