"""The zoo's table: preset name → algorithm + networks + dataset + the paper's hyperparameters.

A preset is data. `build(name, **overrides)` turns it into a compiled model; `training.train`
also reads its dataset, batch size and schedule. Add a family by registering a `Preset`.
"""

import dataclasses
import inspect
import numbers
from typing import Any

import keras

from gan_zoo import builders, losses, models, schedules


@dataclasses.dataclass(frozen=True, eq=False)
class Preset:
    """A recipe: which algorithm, with which networks, on which data, with which settings.

    Attributes:
        name: str. Registry name, e.g. `"dcgan_mnist"`.
        description: str. One line for `--help` and `list_presets`.
        paper: str. Where the recipe comes from.
        dataset: str. A `gan_zoo.data.make_dataset` name.
        image_size: int or None. Image side; None for 2-D point data.
        channels: int or None. Image channels; None for 2-D point data.
        algorithm: str. A `gan_zoo.models.ALGORITHMS` name.
        architecture: str. A `gan_zoo.builders.ARCHITECTURES` name, `"resnet_patchgan"`
            (CycleGAN's ResNet generators and PatchGAN discriminators) or `"stylegan"`
            (StyleGAN2's mapping, synthesis and residual networks; `generator_kwargs` may set
            `w_dim` (default latent_dim), `mapping_layers` (8), `channel_base`, `channel_max`).
        latent_dim: int or None. Size of z; None for translation presets (no z).
        batch_size: int. Global batch size.
        epochs: int. Default number of epochs.
        steps_per_epoch: int or None. Steps per epoch over a repeated dataset; None = one pass.
        loss: str. A `gan_zoo.losses.LOSSES` name.
        g_learning_rate, d_learning_rate, beta_1, beta_2: float. Adam settings.
        d_steps: int. Discriminator updates per generator update.
        ema_decay: float or None. EMA of the generator for sampling.
        optimizer: str. `"adam"` (uses beta_1, beta_2) or `"rmsprop"`.
        conditioning: str or None. None (unconditional), `"concat"` or `"projection"`
            (ConditionalGAN's discriminator) or `"auxiliary_classifier"` (ACGAN).
        num_classes: int or None. Labels of a conditional preset.
        label_embedding_dim: int. Size of the label embedding given to G (and to a flat D).
        generator_kwargs, discriminator_kwargs: dict. Extra builder arguments.
        model_kwargs: dict. Extra model arguments (`clip_value`, `gp_weight`, ...).
        learning_rate_decay_start: float in [0, 1) or None. When set, every learning rate is
            constant for this fraction of the run's `epochs × steps_per_epoch` updates, then
            falls linearly to zero (`gan_zoo.schedules.LinearDecay`; CycleGAN: 0.5).
    """

    name: str
    description: str
    paper: str
    dataset: str
    image_size: int | None
    channels: int | None
    algorithm: str = "gan"
    architecture: str = "dcgan"
    latent_dim: int | None = 100
    batch_size: int = 64
    epochs: int = 10
    steps_per_epoch: int | None = None
    loss: str = "non_saturating"
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1
    ema_decay: float | None = None
    optimizer: str = "adam"
    conditioning: str | None = None
    num_classes: int | None = None
    label_embedding_dim: int = 16
    generator_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    discriminator_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    model_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    learning_rate_decay_start: float | None = None

    @property
    def is_translation(self) -> bool:
        """True for image-to-image translation presets (CycleGAN): `(a, b)` data, no z."""
        return self.algorithm == TRANSLATION_ALGORITHM

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample: `(H, W, C)` for images, `(2,)` for points."""
        if self.image_size is None:
            return (2,)
        return (self.image_size, self.image_size, self.channels)

    def to_dict(self) -> dict[str, Any]:
        """The preset as plain JSON-serializable data."""
        return dataclasses.asdict(self)

    def replace(self, **overrides) -> "Preset":
        """Returns a copy with `overrides`, validated.

        Raises:
            ValueError: an unknown field, algorithm, architecture or loss; a size or count
                that is not a positive integer; a learning rate that is not a positive number.
        """
        fields = {f.name for f in dataclasses.fields(self)} - {"name", "description", "paper"}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise ValueError(
                f"Unknown preset setting(s) {', '.join(unknown)}; expected some of: "
                f"{', '.join(sorted(fields))}"
            )
        preset = dataclasses.replace(self, **overrides)
        for key, valid in (
            ("algorithm", sorted(models.ALGORITHMS)),
            ("architecture", sorted([*builders.ARCHITECTURES, "resnet_patchgan", "stylegan"])),
            ("loss", sorted(losses.LOSSES)),
        ):
            if getattr(preset, key) not in valid:
                raise ValueError(
                    f"Unknown {key} {getattr(preset, key)!r}; expected one of: {', '.join(valid)}"
                )
        if preset.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {preset.optimizer!r}"
            )
        if preset.conditioning not in CONDITIONINGS:
            raise ValueError(
                f"conditioning must be one of {', '.join(map(str, CONDITIONINGS))}; "
                f"got {preset.conditioning!r}"
            )
        if preset.conditioning and not preset.num_classes:
            raise ValueError(f"conditioning {preset.conditioning!r} needs num_classes")
        for key in (
            "latent_dim",
            "batch_size",
            "epochs",
            "d_steps",
            "image_size",
            "steps_per_epoch",
            "channels",
            "num_classes",
            "label_embedding_dim",
        ):
            value = getattr(preset, key)
            if value is not None and not _is_positive(value, numbers.Integral):
                raise ValueError(f"{key} must be a positive integer; got {value!r}")
        for key in ("g_learning_rate", "d_learning_rate"):
            value = getattr(preset, key)
            if not _is_positive(value, numbers.Real):
                raise ValueError(f"{key} must be a positive number; got {value!r}")
        decay = preset.learning_rate_decay_start
        if decay is not None:
            if not isinstance(decay, numbers.Real) or not 0.0 <= decay < 1.0:
                raise ValueError(
                    f"learning_rate_decay_start must be in [0, 1) or None; got {decay}"
                )
            if preset.steps_per_epoch is None:
                raise ValueError(
                    "learning_rate_decay_start needs steps_per_epoch (the schedule's length is "
                    "epochs x steps_per_epoch)"
                )
        if preset.is_translation:
            if preset.architecture != "resnet_patchgan" or preset.conditioning is not None:
                raise ValueError(
                    f"algorithm {TRANSLATION_ALGORITHM!r} needs architecture 'resnet_patchgan' "
                    f"and no conditioning; got {preset.architecture!r}, {preset.conditioning!r}"
                )
        elif preset.latent_dim is None:
            raise ValueError(f"latent_dim must be a positive integer; got {preset.latent_dim}")
        if (preset.algorithm == STYLE_ALGORITHM) != (preset.architecture == "stylegan") or (
            preset.algorithm == STYLE_ALGORITHM
            and (preset.conditioning is not None or preset.image_size is None)
        ):
            raise ValueError(
                f"algorithm {STYLE_ALGORITHM!r} and architecture 'stylegan' go together, on "
                f"images and without conditioning; got {preset.algorithm!r}, "
                f"{preset.architecture!r}, conditioning {preset.conditioning!r}"
            )
        _check_ranges(preset)
        _check_kwargs(preset)
        return preset


def _check_ranges(preset: "Preset") -> None:
    """Adam's betas and the EMA decay in [0, 1); penalty weights >= 0; intervals >= 1."""
    for key in ("beta_1", "beta_2"):
        value = getattr(preset, key)
        if not _is_number(value) or not 0.0 <= value < 1.0:
            raise ValueError(f"{key} must be a number in [0, 1); got {value!r}")
    if preset.ema_decay is not None and (
        not _is_number(preset.ema_decay) or not 0.0 <= preset.ema_decay < 1.0
    ):
        raise ValueError(f"ema_decay must be in [0, 1) or None; got {preset.ema_decay!r}")
    for key, value in preset.model_kwargs.items():
        if key.endswith(("_weight", "_gamma", "_probability", "_decay")) or key == "clip_value":
            if not _is_number(value) or value < 0:
                raise ValueError(f"model_kwargs {key} must be a number >= 0; got {value!r}")
            if key.endswith(("_probability", "_decay")) and value > 1:
                raise ValueError(f"model_kwargs {key} must be in [0, 1]; got {value!r}")
        if key.endswith("_interval") and not _is_positive(value, numbers.Integral):
            raise ValueError(f"model_kwargs {key} must be a positive integer; got {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# Arguments a preset sets itself (not through generator_kwargs / discriminator_kwargs).
_SET_BY_PRESET = {"latent_dim", "image_size", "channels", "sample_shape", "input_shape", "name"}


def _network_builders(preset: "Preset") -> dict[str, list]:
    """The builder functions that receive `generator_kwargs` and `discriminator_kwargs`."""
    if preset.architecture == "resnet_patchgan":
        return {
            "generator_kwargs": [builders.cyclegan.resnet_generator],
            "discriminator_kwargs": [builders.cyclegan.patchgan_discriminator],
        }
    if preset.architecture == "stylegan":
        return {
            "generator_kwargs": [builders.stylegan.synthesis_network, {"w_dim", "mapping_layers"}],
            "discriminator_kwargs": [builders.stylegan.discriminator],
        }
    generator_fn, discriminator_fn = builders.get(preset.architecture)
    return {"generator_kwargs": [generator_fn], "discriminator_kwargs": [discriminator_fn]}


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


def _model_arguments(algorithm: str) -> set[str] | None:
    """Keyword arguments the algorithm's model class accepts through its `__init__` chain."""
    names: set[str] = set()
    for cls in models.get(algorithm).__mro__:
        if "__init__" not in vars(cls) or cls.__module__.startswith("keras"):
            continue
        for parameter in inspect.signature(vars(cls)["__init__"]).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                names.add(parameter.name)
    # Set from the preset's own fields, or networks (positional), not through model_kwargs.
    return names - {
        "self",
        "generator",
        "discriminator",
        "latent_dim",
        "d_steps",
        "ema_decay",
        "seed",
        "name",
        "num_classes",
        "generator_a_to_b",
        "generator_b_to_a",
        "discriminator_a",
        "discriminator_b",
    }


def _check_kwargs(preset: "Preset") -> None:
    """Every key of `generator_kwargs`, `discriminator_kwargs`, `model_kwargs` is accepted."""
    accepted = {key: _accepted(functions) for key, functions in _network_builders(preset).items()}
    accepted["model_kwargs"] = _model_arguments(preset.algorithm)
    for key, names in accepted.items():
        given = getattr(preset, key)
        if not isinstance(given, dict):
            raise ValueError(f"{key} must be a JSON object (a dict); got {given!r}")
        unknown = sorted(set(given) - names) if names is not None else []
        if unknown:
            owner = (
                f"the {preset.algorithm} model"
                if key == "model_kwargs"
                else f"the {preset.architecture} {key.split('_')[0]}"
            )
            raise ValueError(
                f"{key} key(s) {', '.join(map(repr, unknown))} not accepted by {owner}; "
                f"accepted: {', '.join(sorted(names)) or 'none'}"
            )


def _is_positive(value: Any, kind: type) -> bool:
    """Whether `value` is a `kind` (`numbers.Integral` or `Real`, bools excluded) above 0."""
    return isinstance(value, kind) and not isinstance(value, bool) and value > 0


OPTIMIZERS = ("adam", "rmsprop")
TRANSLATION_ALGORITHM = "cyclegan"
STYLE_ALGORITHM = "stylegan"
CONDITIONINGS = (None, "concat", "projection", "auxiliary_classifier")
_REGISTRY: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    """Adds `preset` to the registry; a duplicate name is an error."""
    if preset.name in _REGISTRY:
        raise ValueError(f"preset {preset.name!r} is already registered")
    _REGISTRY[preset.name] = preset
    return preset


def list_presets() -> list[str]:
    """Returns every preset name, sorted."""
    return sorted(_REGISTRY)


def get_preset(name: str) -> Preset:
    """Returns the preset called `name`.

    Raises:
        ValueError: unknown name; the message lists the valid ones.
    """
    if name not in _REGISTRY:
        raise ValueError(f"Unknown preset {name!r}; expected one of: {', '.join(list_presets())}")
    return _REGISTRY[name]


def _unconditional_networks(preset: Preset, latent_dim: int, d_sample_shape: tuple):
    generator_fn, discriminator_fn = builders.get(preset.architecture)
    if preset.architecture == "dense":
        generator = generator_fn(latent_dim, preset.sample_shape, **preset.generator_kwargs)
        discriminator = discriminator_fn(d_sample_shape, **preset.discriminator_kwargs)
    else:
        generator = generator_fn(
            latent_dim=latent_dim,
            image_size=preset.image_size,
            channels=preset.channels,
            **preset.generator_kwargs,
        )
        discriminator = discriminator_fn(
            image_size=preset.image_size, channels=d_sample_shape[-1], **preset.discriminator_kwargs
        )
    return generator, discriminator


def build_networks(preset: Preset) -> tuple[keras.Model, keras.Model]:
    """Builds the (generator, discriminator) pair of `preset`, conditional ones wrapped."""
    shape = preset.sample_shape
    if preset.conditioning is None:
        return _unconditional_networks(preset, preset.latent_dim, shape)
    embedding = preset.label_embedding_dim
    d_shape = shape
    if preset.conditioning == "concat":  # the label enters D's input
        d_shape = (*shape[:-1], shape[-1] + 1) if len(shape) == 3 else (shape[0] + embedding,)
    base_generator, base_discriminator = _unconditional_networks(
        preset, preset.latent_dim + embedding, d_shape
    )
    generator = builders.conditional.generator(base_generator, preset.num_classes, embedding)
    wrap = {
        "concat": lambda d: builders.conditional.concat_discriminator(
            d, shape, preset.num_classes, embedding
        ),
        "projection": lambda d: builders.conditional.projection_discriminator(
            d, preset.num_classes
        ),
        "auxiliary_classifier": lambda d: builders.conditional.auxiliary_classifier_discriminator(
            d, preset.num_classes
        ),
    }[preset.conditioning]
    return generator, wrap(base_discriminator)


def _optimizer(preset: Preset, learning_rate: float) -> keras.optimizers.Optimizer:
    if preset.learning_rate_decay_start is not None:
        total = preset.epochs * preset.steps_per_epoch
        learning_rate = schedules.LinearDecay(
            learning_rate, total, int(preset.learning_rate_decay_start * total)
        )
    if preset.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    return keras.optimizers.Adam(learning_rate, beta_1=preset.beta_1, beta_2=preset.beta_2)


def build(
    name: str | Preset, seed: int = 0, compile_kwargs: dict | None = None, **overrides
) -> models.AdversarialModel:
    """Builds and compiles the model of a preset; call inside `strategy.scope()` to distribute.

    Args:
        name: str preset name, or a `Preset`.
        seed: int. Seeds weight initialisation and every random draw of training.
        compile_kwargs: dict or None. Extra `compile()` arguments (`jit_compile`,
            `steps_per_execution`).
        **overrides: preset fields to change, e.g. `latent_dim=64`.

    Returns:
        A compiled `AdversarialModel` with `latent_dim` and `generate(num, seed=None)`.
    """
    preset = name if isinstance(name, Preset) else get_preset(name)
    preset = preset.replace(**overrides) if overrides else preset
    keras.utils.set_random_seed(seed)
    if preset.is_translation:
        return _build_translation(preset, seed, compile_kwargs)
    if preset.algorithm == STYLE_ALGORITHM:
        return _build_style(preset, seed, compile_kwargs)
    generator, discriminator = build_networks(preset)
    model_kwargs = dict(preset.model_kwargs)
    if preset.conditioning is not None:
        model_kwargs["num_classes"] = preset.num_classes
    model = models.get(preset.algorithm)(
        generator,
        discriminator,
        latent_dim=preset.latent_dim,
        d_steps=preset.d_steps,
        ema_decay=preset.ema_decay,
        seed=seed,
        name=preset.name,
        **model_kwargs,
    )
    model.compile(
        g_optimizer=_optimizer(preset, preset.g_learning_rate),
        d_optimizer=_optimizer(preset, preset.d_learning_rate),
        loss=preset.loss,
        **(compile_kwargs or {}),
    )
    return model


def _build_translation(preset: Preset, seed: int, compile_kwargs: dict | None):
    """CycleGAN: two ResNet generators, two PatchGAN discriminators, four optimizers."""
    nets = builders.cyclegan
    size, channels = preset.image_size, preset.channels
    model = models.get(preset.algorithm)(
        nets.resnet_generator(size, channels, name="generator_a_to_b", **preset.generator_kwargs),
        nets.resnet_generator(size, channels, name="generator_b_to_a", **preset.generator_kwargs),
        nets.patchgan_discriminator(
            size, channels, name="discriminator_a", **preset.discriminator_kwargs
        ),
        nets.patchgan_discriminator(
            size, channels, name="discriminator_b", **preset.discriminator_kwargs
        ),
        seed=seed,
        name=preset.name,
        **preset.model_kwargs,
    )
    model.compile(
        generator_a_to_b_optimizer=_optimizer(preset, preset.g_learning_rate),
        generator_b_to_a_optimizer=_optimizer(preset, preset.g_learning_rate),
        discriminator_a_optimizer=_optimizer(preset, preset.d_learning_rate),
        discriminator_b_optimizer=_optimizer(preset, preset.d_learning_rate),
        **(compile_kwargs or {}),
    )
    return model


def _build_style(preset: Preset, seed: int, compile_kwargs: dict | None):
    """StyleGAN2: mapping + synthesis (`StyleGenerator`), residual D, lazy-regularization Adam."""
    nets = builders.stylegan
    generator_kwargs = dict(preset.generator_kwargs)
    w_dim = generator_kwargs.pop("w_dim", preset.latent_dim)
    mapping_layers = generator_kwargs.pop("mapping_layers", 8)
    generator = models.StyleGenerator(
        nets.mapping_network(preset.latent_dim, w_dim, num_layers=mapping_layers),
        nets.synthesis_network(preset.image_size, preset.channels, w_dim, **generator_kwargs),
    )
    discriminator = nets.discriminator(
        preset.image_size, preset.channels, **preset.discriminator_kwargs
    )
    model = models.StyleGAN(
        generator,
        discriminator,
        ema_decay=preset.ema_decay,
        seed=seed,
        name=preset.name,
        **preset.model_kwargs,
    )
    # The reference's lazy regularization: Adam with lr · c and betas ** c, c = k / (k + 1).
    r1_interval = model.r1_interval if model.r1_gamma > 0 else None
    path_interval = model.path_length_interval if model.path_length_weight > 0 else None
    adam = models.stylegan.lazy_regularization_adam
    model.compile(
        g_optimizer=adam(preset.g_learning_rate, preset.beta_1, preset.beta_2, path_interval),
        d_optimizer=adam(preset.d_learning_rate, preset.beta_1, preset.beta_2, r1_interval),
        loss=preset.loss,
        **(compile_kwargs or {}),
    )
    return model


_DCGAN = "Radford, Metz & Chintala 2015, arXiv:1511.06434"
_VEEGAN_PROTOCOL = (
    "Goodfellow et al. 2014; 2-D protocol of Metz et al. 2016 (arXiv:1611.02163) and "
    "Srivastava et al. 2017 (VEEGAN, arXiv:1705.07761)"
)

register(
    Preset(
        name="dcgan_digits",
        description="DCGAN on the embedded 8x8 digits served at 32 px; trains in minutes on a CPU.",
        paper=_DCGAN,
        dataset="gan_zoo_digits",
        image_size=32,
        channels=1,
        latent_dim=64,
        batch_size=64,
        epochs=40,  # 40 x 22 steps: about 4 minutes of 2-core CPU
        ema_decay=0.99,  # an EMA horizon of ~100 steps suits a short run
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32},
    )
)
register(
    Preset(
        name="dcgan_stacked_digits",
        description=(
            "DCGAN on stacked digits (3 embedded digits as RGB channels, 32 px): the "
            "Stacked-MNIST 1,000-mode count benchmark, offline."
        ),
        paper=(
            f"{_DCGAN}; Stacked-MNIST protocol of Metz et al. 2016 (arXiv:1611.02163) and "
            "Srivastava et al. 2017 (VEEGAN, arXiv:1705.07761), on the embedded 8x8 digits"
        ),
        dataset="stacked_digits",
        image_size=32,
        channels=3,
        latent_dim=64,
        batch_size=64,
        epochs=20,
        steps_per_epoch=100,  # an endless stream of fresh draws: 20 x 100 steps
        ema_decay=0.99,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32},
    )
)
register(
    Preset(
        name="gan_digits",
        description="The original MLP GAN (non-saturating loss) on the embedded digits at 32 px.",
        paper="Goodfellow et al. 2014, arXiv:1406.2661 (MLP networks, Adam as in DCGAN)",
        dataset="gan_zoo_digits",
        image_size=32,
        channels=1,
        architecture="dense",
        latent_dim=100,
        batch_size=64,
        epochs=100,
        generator_kwargs={"hidden_units": (256, 512)},
        discriminator_kwargs={"hidden_units": (512, 256), "dropout": 0.3},
    )
)
register(
    Preset(
        name="gan_ring8",
        description="MLP GAN on the 2-D ring of 8 Gaussians (VEEGAN protocol, 25,000 iterations).",
        paper=_VEEGAN_PROTOCOL,
        dataset="gaussian_mixture/ring8",
        image_size=None,
        channels=None,
        architecture="dense",
        latent_dim=256,
        batch_size=512,
        epochs=50,
        steps_per_epoch=500,
        g_learning_rate=1e-3,
        d_learning_rate=1e-4,
        beta_1=0.5,
        generator_kwargs={
            "hidden_units": (128, 128),
            "activation": "tanh",
            "output_activation": None,
        },
        discriminator_kwargs={"hidden_units": (128, 128), "activation": "tanh"},
    )
)
register(
    Preset(
        name="dcgan_mnist",
        description="DCGAN on MNIST at 28 px with the paper's settings (needs a TFDS download).",
        paper=_DCGAN,
        dataset="mnist",
        image_size=28,
        channels=1,
        latent_dim=100,
        batch_size=128,
        epochs=25,
    )
)
register(
    Preset(
        name="dcgan_celeba64",
        description="DCGAN on CelebA faces at 64 px with the paper's settings (needs a download).",
        paper=_DCGAN,
        dataset="celeb_a",
        image_size=64,
        channels=3,
        latent_dim=100,
        batch_size=128,
        epochs=20,
    )
)

# ------------------------------------------------------------------------- seed families
_DIGITS = {"dataset": "gan_zoo_digits", "image_size": 32, "channels": 1}
_SMALL_DCGAN = {
    "generator_kwargs": {"base_filters": 32},
    "discriminator_kwargs": {"base_filters": 32},
}
_CONDITIONAL_DIGITS = {
    **_DIGITS,
    **_SMALL_DCGAN,
    "num_classes": 10,
    "latent_dim": 64,
    "epochs": 40,
    "ema_decay": 0.99,
}
# Gulrajani et al. 2017: λ = 10, Adam(1e-4, β1 = 0, β2 = 0.9), 5 critic updates per G update.
_WGAN_GP_SETTINGS = {
    "algorithm": "wgan_gp",
    "loss": "wasserstein",
    "g_learning_rate": 1e-4,
    "d_learning_rate": 1e-4,
    "beta_1": 0.0,
    "beta_2": 0.9,
    "d_steps": 5,
    "model_kwargs": {"gp_weight": 10.0},
}
_CGAN = "Mirza & Osindero 2014, arXiv:1411.1784 (DCGAN networks, Radford et al. 2015)"
_WGAN_GP = "Gulrajani et al. 2017, arXiv:1704.00028"
_SNGAN = "Miyato et al. 2018, arXiv:1802.05957 (hinge loss, spectral normalization)"
# The 2-D protocol of Metz et al. 2016 / VEEGAN: MLPs of 2x128 tanh units, z of 256, batch 512,
# 25,000 iterations (50 epochs of 500 steps over the repeated data).
_PROTOCOL_2D = {
    "image_size": None,
    "channels": None,
    "architecture": "dense",
    "latent_dim": 256,
    "batch_size": 512,
    "epochs": 50,
    "steps_per_epoch": 500,
    "generator_kwargs": {
        "hidden_units": (128, 128),
        "activation": "tanh",
        "output_activation": None,
    },
    "discriminator_kwargs": {"hidden_units": (128, 128), "activation": "tanh"},
}
_GAN_2D = {**_PROTOCOL_2D, "g_learning_rate": 1e-3, "d_learning_rate": 1e-4, "beta_1": 0.5}
# The protocol's networks with WGAN-GP's own update rule (β1 = 0.5 as in the protocol).
_WGAN_GP_2D = {**_PROTOCOL_2D, **_WGAN_GP_SETTINGS, "beta_1": 0.5}

for _preset in [
    Preset(
        name="gan_grid25",
        paper=_VEEGAN_PROTOCOL,
        dataset="gaussian_mixture/grid25",
        description="MLP GAN on the 5x5 grid of 25 Gaussians (VEEGAN protocol).",
        **_GAN_2D,
    ),
    Preset(
        name="cgan_digits",
        paper=_CGAN,
        **_CONDITIONAL_DIGITS,
        description="Conditional DCGAN (labels concatenated) on the embedded digits.",
        algorithm="conditional_gan",
        conditioning="concat",
    ),
    Preset(
        name="cgan_projection_digits",
        paper="Miyato & Koyama 2018, arXiv:1802.05637",
        **_CONDITIONAL_DIGITS,
        description="Conditional DCGAN with a projection discriminator, embedded digits.",
        algorithm="conditional_gan",
        conditioning="projection",
    ),
    Preset(
        name="acgan_digits",
        paper="Odena, Olah & Shlens 2017, arXiv:1610.09585",
        **_CONDITIONAL_DIGITS,
        description="ACGAN (auxiliary classifier) on the embedded digits.",
        algorithm="acgan",
        conditioning="auxiliary_classifier",
    ),
    Preset(
        name="cgan_mnist",
        paper=_CGAN,
        dataset="mnist",
        image_size=28,
        channels=1,
        description="Conditional DCGAN on MNIST at 28 px (needs a TFDS download).",
        algorithm="conditional_gan",
        conditioning="concat",
        num_classes=10,
        batch_size=128,
        epochs=25,
    ),
    Preset(
        name="wgan_digits",
        paper="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
        **_DIGITS,
        **_SMALL_DCGAN,
        description="WGAN with weight clipping (c=0.01, RMSprop 5e-5, 5 critic steps).",
        algorithm="wgan",
        loss="wasserstein",
        optimizer="rmsprop",
        g_learning_rate=5e-5,
        d_learning_rate=5e-5,
        d_steps=5,
        latent_dim=64,
        epochs=40,
        model_kwargs={"clip_value": 0.01},
    ),
    Preset(
        name="wgan_gp_digits",
        paper=_WGAN_GP,
        **_DIGITS,
        **_WGAN_GP_SETTINGS,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False},
        description="WGAN-GP (λ=10, Adam 1e-4 β=(0, 0.9), 5 critic steps, no critic BN).",
        latent_dim=64,
        epochs=40,
    ),
    Preset(
        name="wgan_gp_fashion_mnist",
        paper=_WGAN_GP,
        dataset="fashion_mnist",
        image_size=28,
        channels=1,
        **_WGAN_GP_SETTINGS,
        discriminator_kwargs={"batch_norm": False},
        description="WGAN-GP on Fashion-MNIST at 28 px (needs a TFDS download).",
        epochs=25,
    ),
    Preset(
        name="wgan_gp_ring8",
        paper=f"{_WGAN_GP}; {_VEEGAN_PROTOCOL}",
        dataset="gaussian_mixture/ring8",
        description="WGAN-GP on the ring of 8 Gaussians (VEEGAN protocol networks).",
        **_WGAN_GP_2D,
    ),
    Preset(
        name="wgan_gp_grid25",
        paper=f"{_WGAN_GP}; {_VEEGAN_PROTOCOL}",
        dataset="gaussian_mixture/grid25",
        description="WGAN-GP on the grid of 25 Gaussians (VEEGAN protocol networks).",
        **_WGAN_GP_2D,
    ),
    Preset(
        name="lsgan_digits",
        paper="Mao et al. 2017, arXiv:1611.04076 (a=0, b=c=1)",
        **_DIGITS,
        **_SMALL_DCGAN,
        description="LSGAN: the GAN algorithm with the least-squares loss, digits.",
        loss="least_squares",
        latent_dim=64,
        epochs=40,
        ema_decay=0.99,
    ),
    Preset(
        name="sngan_digits",
        paper=_SNGAN,
        **_DIGITS,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32, "batch_norm": False, "spectral_norm": True},
        description="SNGAN: hinge loss and a spectrally normalized D, embedded digits.",
        loss="hinge",
        latent_dim=64,
        epochs=40,
        ema_decay=0.99,
    ),
    Preset(
        name="sngan_cifar10",
        paper=_SNGAN,
        dataset="cifar10",
        image_size=32,
        channels=3,
        discriminator_kwargs={"batch_norm": False, "spectral_norm": True},
        description="SNGAN on CIFAR-10, setting A (Adam 1e-4 β=(0.5, 0.9), 5 D steps).",
        loss="hinge",
        latent_dim=128,
        g_learning_rate=1e-4,
        d_learning_rate=1e-4,
        beta_1=0.5,
        beta_2=0.9,
        d_steps=5,
        epochs=100,
    ),
]:
    register(_preset)

# ------------------------------------------------------------------------------- CycleGAN
_CYCLEGAN = "Zhu, Park, Isola & Efros 2017, arXiv:1703.10593"
# The paper's recipe: LSGAN loss, λ_cyc = 10, identity 0.5 λ_cyc, pool of 50, Adam(2e-4,
# β1 = 0.5) for all four networks, constant then linear decay to 0 over the second half.
_CYCLEGAN_SETTINGS = {
    "algorithm": TRANSLATION_ALGORITHM,
    "architecture": "resnet_patchgan",
    "latent_dim": None,
    "loss": "least_squares",
    "g_learning_rate": 2e-4,
    "d_learning_rate": 2e-4,
    "beta_1": 0.5,
    "learning_rate_decay_start": 0.5,
    "model_kwargs": {"cycle_weight": 10.0, "identity_weight": 5.0, "pool_size": 50},
}
register(
    Preset(
        name="cyclegan_digits_thickness",
        description=(
            "CycleGAN thin <-> thick digits (embedded, unpaired halves, 32 px); trains in "
            "minutes on a CPU."
        ),
        paper=f"{_CYCLEGAN} (networks narrowed for 32 px digits)",
        dataset="digits_thickness",
        image_size=32,
        channels=1,
        batch_size=8,
        epochs=5,  # 5 x 200 steps of 8 pairs: ~7 minutes on 2 CPU cores
        steps_per_epoch=200,
        generator_kwargs={"base_filters": 16, "num_residual_blocks": 6},
        discriminator_kwargs={"base_filters": 16, "num_layers": 2},
        **_CYCLEGAN_SETTINGS,
    )
)
register(
    Preset(
        name="cyclegan_horse2zebra",
        description="CycleGAN horse <-> zebra at 256 px, the paper's setting (TFDS download).",
        paper=_CYCLEGAN,
        dataset="cycle_gan/horse2zebra",
        image_size=256,
        channels=3,
        batch_size=1,
        epochs=200,
        steps_per_epoch=1334,  # max(|trainA|, |trainB|) = max(1067, 1334) at batch 1
        generator_kwargs={"base_filters": 64, "num_residual_blocks": 9},
        discriminator_kwargs={"base_filters": 64, "num_layers": 3},
        **_CYCLEGAN_SETTINGS,
    )
)

# ------------------------------------------------------------------------------- StyleGAN2
_STYLEGAN2 = (
    "Karras et al. 2020, arXiv:1912.04958 (StyleGAN2); settings of NVlabs/stylegan2-ada-pytorch"
)
# The reference: non-saturating logistic loss, Adam(β1 = 0, β2 = 0.99, ε = 1e-8) with the lazy
# regularization correction, R1 every 16 steps, style mixing 0.9, path length 2 every 4 steps.
_STYLEGAN_SETTINGS = {
    "algorithm": STYLE_ALGORITHM,
    "architecture": "stylegan",
    "loss": "non_saturating",
    "g_learning_rate": 0.0025,
    "d_learning_rate": 0.0025,
    "beta_1": 0.0,
    "beta_2": 0.99,
}


def _ema_decay(batch_size: int, half_life_images: int) -> float:
    """The reference's EMA: a half-life of `ema_kimg` thousand images, per step of a batch."""
    return 0.5 ** (batch_size / half_life_images)


register(
    Preset(
        name="stylegan_digits",
        description=(
            "StyleGAN2 on the embedded digits at 32 px (small networks); trains to clear digits "
            "in about half an hour on a 2-core CPU."
        ),
        paper=f"{_STYLEGAN2} (networks narrowed for 32 px digits; CIFAR-like R1 γ)",
        **_DIGITS,
        latent_dim=64,
        batch_size=32,
        epochs=20,
        steps_per_epoch=100,
        ema_decay=_ema_decay(32, 10_000),
        generator_kwargs={"w_dim": 64, "channel_base": 1024, "channel_max": 64},
        discriminator_kwargs={"channel_base": 1024, "channel_max": 64},
        model_kwargs={"r1_gamma": 0.01, "style_mixing_probability": 0.9},
        **_STYLEGAN_SETTINGS,
    )
)
register(
    Preset(
        name="stylegan_celeba64",
        description="StyleGAN2 on CelebA faces at 64 px, the reference's settings (TFDS download).",
        paper=(
            f"{_STYLEGAN2}, config 'auto' at 64 px: batch 32, γ = 0.0002·64²/32, EMA 10 kimg, "
            "8 mapping layers as the paper"
        ),
        dataset="celeb_a",
        image_size=64,
        channels=3,
        latent_dim=512,
        batch_size=32,
        epochs=150,  # ~25,000 kimg over CelebA's 162,770 training images
        ema_decay=_ema_decay(32, 10_000),
        generator_kwargs={"channel_base": 16384, "channel_max": 512},
        discriminator_kwargs={"channel_base": 16384, "channel_max": 512},
        model_kwargs={"r1_gamma": 0.0256, "path_length_weight": 2.0},
        **_STYLEGAN_SETTINGS,
    )
)
register(
    Preset(
        name="stylegan_ffhq256",
        description=(
            "StyleGAN2 on FFHQ at 256 px, the reference's paper256 settings; FFHQ is not in "
            "TFDS: download it and pass --dataset=folder:PATH."
        ),
        paper=f"{_STYLEGAN2}, config 'paper256' (batch 64, minibatch-std group 8, γ = 1)",
        dataset="folder:data/ffhq256",
        image_size=256,
        channels=3,
        latent_dim=512,
        batch_size=64,
        epochs=357,  # 25,000 kimg over FFHQ's 70,000 images
        ema_decay=_ema_decay(64, 20_000),
        generator_kwargs={"channel_base": 16384, "channel_max": 512},
        discriminator_kwargs={
            "channel_base": 16384,
            "channel_max": 512,
            "minibatch_std_group_size": 8,
        },
        model_kwargs={"r1_gamma": 1.0, "path_length_weight": 2.0},
        **_STYLEGAN_SETTINGS,
    )
)
