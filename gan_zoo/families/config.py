"""Presets are data: the fields every family's config shares, validated in one place.

Each family declares a frozen dataclass extending `PresetConfig` with its own fields
(`GANConfig` adds `latent_dim` and `d_steps`, `ConditionalGANConfig` adds `conditioning` and
`num_classes`, ...). `config.replace(**overrides)` is the one validator: every error names the
field and what is allowed. Shaped after keras-hub's presets: a name, a description, the paper,
and the settings that rebuild the model.
"""

import dataclasses
import inspect
import numbers
from typing import Any, ClassVar

from gan_zoo import losses
from gan_zoo.families import registry

OPTIMIZERS = ("adam", "rmsprop")
# Arguments a config sets itself (not through generator_kwargs / discriminator_kwargs).
_SET_BY_PRESET = {"latent_dim", "image_size", "channels", "sample_shape", "input_shape", "name"}
# Model arguments set from a config's own fields or its networks, not through model_kwargs.
_SET_BY_BUILD = {
    "self",
    "generator",
    "discriminator",
    "latent_dim",
    "d_steps",
    "pack",
    "ema_decay",
    "seed",
    "name",
    "num_classes",
    "generator_a_to_b",
    "generator_b_to_a",
    "discriminator_a",
    "discriminator_b",
}
_POSITIVE_INTEGERS = (
    "latent_dim",
    "batch_size",
    "epochs",
    "d_steps",
    "image_size",
    "steps_per_epoch",
    "channels",
    "num_classes",
    "label_embedding_dim",
    "pack",
)
_FIXED = ("name", "description", "paper")
# The one-union preset of earlier versions gave every family these defaults.
_LEGACY_DEFAULTS = {"label_embedding_dim": 16, "d_steps": 1, "pack": 1}


@dataclasses.dataclass(frozen=True, eq=False)
class PresetConfig:
    """The settings every family has: the data, the schedule, the optimizers, the networks.

    Attributes:
        name: str. Registry name, e.g. `"dcgan_mnist"`.
        description: str. One line for `--help` and `list_presets`.
        paper: str. Where the recipe comes from.
        dataset: str. A `gan_zoo.data.make_dataset` name.
        image_size: int or None. Image side; None for 2-D point data.
        channels: int or None. Image channels; None for 2-D point data.
        algorithm: str. The model: a name in the family's `algorithms`.
        architecture: str. The networks: one of the config class's `ARCHITECTURES`.
        batch_size: int. Global batch size.
        epochs: int. Default number of epochs.
        steps_per_epoch: int or None. Steps per epoch over a repeated dataset; None = one pass.
        loss: str. A `gan_zoo.losses.LOSSES` name.
        g_learning_rate, d_learning_rate, beta_1, beta_2: float. Optimizer settings.
        ema_decay: float in [0, 1) or None. EMA of the generator for sampling.
        optimizer: str. `"adam"` (uses beta_1, beta_2) or `"rmsprop"`.
        generator_kwargs, discriminator_kwargs: dict. Extra builder arguments (checked against
            the builders' signatures).
        model_kwargs: dict. Extra model arguments (`clip_value`, `gp_weight`, ...; checked
            against the model's `__init__`).
        learning_rate_decay_start: float in [0, 1) or None. When set, every learning rate is
            constant for this fraction of the run's `epochs × steps_per_epoch` updates, then
            falls linearly to zero (`gan_zoo.schedules.LinearDecay`; CycleGAN: 0.5).
    """

    ARCHITECTURES: ClassVar[tuple[str, ...]] = ()

    name: str
    description: str
    paper: str
    dataset: str
    image_size: int | None
    channels: int | None
    algorithm: str = ""
    architecture: str = ""
    batch_size: int = 64
    epochs: int = 10
    steps_per_epoch: int | None = None
    loss: str = "non_saturating"
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    ema_decay: float | None = None
    optimizer: str = "adam"
    generator_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    discriminator_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    model_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    learning_rate_decay_start: float | None = None

    @property
    def family(self) -> registry.Family:
        """The registered family this config builds."""
        return registry.family_of_algorithm(self.algorithm)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample: `(H, W, C)` for images, `(2,)` for points."""
        if self.image_size is None:
            return (2,)
        return (self.image_size, self.image_size, self.channels)

    def to_dict(self) -> dict[str, Any]:
        """The config as plain JSON-serializable data (what a run's `config.json` stores)."""
        return dataclasses.asdict(self)

    def replace(self, **overrides) -> "PresetConfig":
        """Returns a copy with `overrides`, validated.

        An `algorithm` of another family converts the config to that family's class, keeping
        the shared fields (`--override=algorithm=wgan_gp` on a GAN preset).

        Raises:
            ValueError: an unknown field or name, a count that is not a positive integer, a
                rate or weight out of range, a builder or model argument that is not accepted;
                the message names the field and what is allowed.
        """
        target = type(self)
        algorithm = overrides.get("algorithm", self.algorithm)
        if algorithm != self.algorithm:
            target = registry.family_of_algorithm(algorithm).config_class
        fields = {f.name for f in dataclasses.fields(target)} - set(_FIXED)
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise ValueError(
                f"Unknown preset setting(s) {', '.join(unknown)}; expected some of: "
                f"{', '.join(sorted(fields))}"
            )
        if target is type(self):
            config = dataclasses.replace(self, **overrides)
        else:
            shared = {k: v for k, v in self.to_dict().items() if k in fields | set(_FIXED)}
            config = target(**{**shared, **overrides})
        config.validate()
        return config

    def validate(self) -> None:
        """Checks every field (see `replace`); the family's own checks run last."""
        family = self.family
        _choose("algorithm", self.algorithm, sorted(family.algorithms))
        _choose("architecture", self.architecture, list(self.ARCHITECTURES))
        _choose("loss", self.loss, sorted(losses.LOSSES))
        if self.loss in losses.PAIRED_LOSSES and not family.paired_losses:
            unpaired = sorted(set(losses.LOSSES) - set(losses.PAIRED_LOSSES))
            raise ValueError(
                f"loss {self.loss!r} needs a model that scores real and fake in pairs; the "
                f"{family.name} family takes one of: {', '.join(unpaired)}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}"
            )
        for key in _POSITIVE_INTEGERS:
            value = getattr(self, key, None)
            if value is not None and not is_positive(value, numbers.Integral):
                raise ValueError(f"{key} must be a positive integer; got {value!r}")
        for key in ("g_learning_rate", "d_learning_rate"):
            value = getattr(self, key)
            if not is_positive(value, numbers.Real):
                raise ValueError(f"{key} must be a positive number; got {value!r}")
        self._check_schedule()
        self._check_ranges()
        self._check_kwargs(family)
        family.check(self)

    def _check_schedule(self) -> None:
        decay = self.learning_rate_decay_start
        if decay is None:
            return
        if not isinstance(decay, numbers.Real) or not 0.0 <= decay < 1.0:
            raise ValueError(f"learning_rate_decay_start must be in [0, 1) or None; got {decay}")
        if self.steps_per_epoch is None:
            raise ValueError(
                "learning_rate_decay_start needs steps_per_epoch (the schedule's length is "
                "epochs x steps_per_epoch)"
            )

    def _check_ranges(self) -> None:
        """Adam's betas and the EMA decay in [0, 1); penalty weights >= 0; intervals >= 1."""
        for key in ("beta_1", "beta_2"):
            value = getattr(self, key)
            if not is_number(value) or not 0.0 <= value < 1.0:
                raise ValueError(f"{key} must be a number in [0, 1); got {value!r}")
        if self.ema_decay is not None and (
            not is_number(self.ema_decay) or not 0.0 <= self.ema_decay < 1.0
        ):
            raise ValueError(f"ema_decay must be in [0, 1) or None; got {self.ema_decay!r}")
        if not isinstance(self.model_kwargs, dict):
            return  # _check_kwargs names it
        for key, value in self.model_kwargs.items():
            if key.endswith(("_weight", "_gamma", "_probability", "_decay")) or key == "clip_value":
                if not is_number(value) or value < 0:
                    raise ValueError(f"model_kwargs {key} must be a number >= 0; got {value!r}")
                if key.endswith(("_probability", "_decay")) and value > 1:
                    raise ValueError(f"model_kwargs {key} must be in [0, 1]; got {value!r}")
            if key.endswith("_interval") and not is_positive(value, numbers.Integral):
                raise ValueError(f"model_kwargs {key} must be a positive integer; got {value!r}")

    def _check_kwargs(self, family: registry.Family) -> None:
        """Every key of `generator_kwargs`, `discriminator_kwargs`, `model_kwargs` is accepted."""
        accepted = {key: _accepted(fns) for key, fns in family.network_builders(self).items()}
        accepted["model_kwargs"] = _model_arguments(family.algorithms[self.algorithm])
        for key in ("generator_kwargs", "discriminator_kwargs", "model_kwargs"):
            given = getattr(self, key)
            if not isinstance(given, dict):
                raise ValueError(f"{key} must be a JSON object (a dict); got {given!r}")
            names = accepted.get(key)
            unknown = sorted(set(given) - names) if names is not None else []
            if unknown:
                owner = (
                    f"the {self.algorithm} model"
                    if key == "model_kwargs"
                    else f"the {self.architecture} {key.split('_')[0]}"
                )
                raise ValueError(
                    f"{key} key(s) {', '.join(map(repr, unknown))} not accepted by {owner}; "
                    f"accepted: {', '.join(sorted(names)) or 'none'}"
                )


def from_dict(data: dict[str, Any]) -> PresetConfig:
    """The config a run's `config.json` stored, in its family's class.

    Earlier versions stored one union of every family's fields; the fields this family does
    not have are dropped when they hold no setting (None, an empty dict, or the union's
    default: `label_embedding_dim` 16, `d_steps` 1).

    Raises:
        ValueError: unknown algorithm, or a setting this family cannot take.
    """
    family = registry.family_of_algorithm(data.get("algorithm", ""))
    fields = {f.name for f in dataclasses.fields(family.config_class)}
    extra = {
        key: value
        for key, value in data.items()
        if key not in fields and value not in (None, {}, []) and _LEGACY_DEFAULTS.get(key) != value
    }
    if extra:
        raise ValueError(
            f"settings {', '.join(sorted(extra))} do not belong to the {family.name} family"
        )
    config = family.config_class(**{k: v for k, v in data.items() if k in fields})
    config.validate()
    return config


def _choose(key: str, value: Any, valid: list[str]) -> None:
    if value not in valid:
        raise ValueError(f"Unknown {key} {value!r}; expected one of: {', '.join(valid)}")


def is_number(value: Any) -> bool:
    """Whether `value` is a real number (bools excluded)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_positive(value: Any, kind: type) -> bool:
    """Whether `value` is a `kind` (`numbers.Integral` or `Real`, bools excluded) above 0."""
    return isinstance(value, kind) and not isinstance(value, bool) and value > 0


def _accepted(functions: list) -> set[str] | None:
    """Keyword names the functions (or explicit name sets) take; None when any takes **kwargs."""
    names: set[str] = set()
    for item in functions:
        if isinstance(item, set):
            names |= item
            continue
        for parameter in inspect.signature(item).parameters.values():
            if parameter.kind is parameter.VAR_KEYWORD:
                return None
            if parameter.kind is not parameter.VAR_POSITIONAL:
                names.add(parameter.name)
    return names - _SET_BY_PRESET


def _model_arguments(model_class: type) -> set[str]:
    """Keyword arguments a model class accepts through its `__init__` chain."""
    names: set[str] = set()
    for cls in model_class.__mro__:
        if "__init__" not in vars(cls) or cls.__module__.startswith("keras"):
            continue
        for parameter in inspect.signature(vars(cls)["__init__"]).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                names.add(parameter.name)
    return names - _SET_BY_BUILD
