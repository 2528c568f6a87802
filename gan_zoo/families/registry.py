"""What a family is, told once: the registry the CLI, export, evaluation and tests ask.

A family is a folder `gan_zoo/families/<name>/` that registers one `Family` (its models, its
typed preset config, how to build them, what it can do) and its presets. Generic code never
asks a model `isinstance`/`hasattr` questions: it asks `family_of(model_or_preset)` and reads
`task` and `styles`, or calls a method of the family.

Example:
>>> from gan_zoo import families
>>> family = families.family_of(families.get_preset("cgan_digits"))
>>> family.name, family.task
('conditional', 'conditional')
"""

from collections.abc import Callable, Iterable
from typing import Any

import keras

from gan_zoo import schedules

# What a family's generator does, which decides data, sampling, export and evaluation:
# "unconditional": z → samples; "conditional": (z, label) → samples, trained on (x, label);
# "translation": images of domain A ↔ images of domain B, trained on unpaired (a, b) batches.
TASKS = ("unconditional", "conditional", "translation")


class Family:
    """One GAN family: subclass it in the family's folder and `register_family` an instance.

    Attributes:
        name: str. Registry key, e.g. `"gan"`; the folder's name.
        description: str. One line for docs and `--help`.
        task: str. One of `TASKS`.
        styles: bool. The generator takes a truncation ψ and mixes styles (StyleGAN); the
            `generate` CLI's `--truncation_psi` and `--mix_*` flags need it.
        algorithms: dict[str, type]. Model classes by the `algorithm` name a preset gives
            (`{"wgan": WGAN, "wgan_gp": WGANGP}`).
        config_class: type. The family's preset dataclass (a `PresetConfig` subclass).
        paired_losses: bool. Its models take the losses of `gan_zoo.losses.PAIRED_LOSSES`
            (RpGAN), whose generator side needs D's scores on the real batch.
    """

    name: str = ""
    description: str = ""
    task: str = "unconditional"
    styles: bool = False
    algorithms: dict[str, type] = {}
    config_class: type = object
    paired_losses: bool = False

    def build(self, config: Any, seed: int, compile_kwargs: dict | None) -> keras.Model:
        """Builds and compiles the model of `config` (a validated `config_class`)."""
        raise NotImplementedError

    def check(self, config: Any) -> None:
        """Family-specific checks of a config, beyond its fields' own (raises ValueError)."""

    def network_builders(self, config: Any) -> dict[str, list]:
        """The builders that receive `generator_kwargs` / `discriminator_kwargs` (checked keys).

        Returns:
            `{"generator_kwargs": [fn or set of names, ...], "discriminator_kwargs": [...]}`;
            an empty dict skips the check.
        """
        return {}

    def step_flops(
        self, model: keras.Model, forward_flops: Callable[[keras.Model], int]
    ) -> tuple[float, dict[str, int], str]:
        """FLOPs per example of one `train_step`, for `benchmarks/flops.py`.

        Args:
            model: a model of this family.
            forward_flops: counts one network's forward FLOPs per example.

        Returns:
            `(per_example, networks, rule)`: the step's FLOPs per example, each network's
            forward FLOPs by name, and the formula in those names.
        """
        raise NotImplementedError(f"family {self.name!r} has no FLOP rule")

    def __repr__(self) -> str:
        return f"<family {self.name}: {self.task}, {', '.join(self.algorithms)}>"


FAMILIES: dict[str, Family] = {}
_PRESETS: dict[str, Any] = {}


def register_family(family: Family) -> Family:
    """Adds `family` to the registry (a duplicate name or algorithm is an error)."""
    if not family.name or family.task not in TASKS:
        raise ValueError(
            f"a family needs a name and a task in {', '.join(TASKS)}; "
            f"got {family.name!r}, {family.task!r}"
        )
    if family.name in FAMILIES:
        raise ValueError(f"family {family.name!r} is already registered")
    taken = set(family.algorithms) & set(algorithms())
    if taken:
        raise ValueError(f"algorithm(s) {', '.join(sorted(taken))} already belong to a family")
    FAMILIES[family.name] = family
    return family


def unregister_family(name: str) -> None:
    """Removes family `name` and its presets (for tests that register a toy family)."""
    get_family(name)
    for preset_name in list_presets(family=name):
        del _PRESETS[preset_name]
    del FAMILIES[name]


def get_family(name: str) -> Family:
    """Returns the family called `name`.

    Raises:
        ValueError: unknown name; the message lists the registered ones.
    """
    if name not in FAMILIES:
        raise ValueError(f"Unknown family {name!r}; expected one of: {', '.join(sorted(FAMILIES))}")
    return FAMILIES[name]


def algorithms() -> dict[str, type]:
    """Every registered algorithm name → its model class."""
    return {name: cls for family in FAMILIES.values() for name, cls in family.algorithms.items()}


def family_of_algorithm(algorithm: str) -> Family:
    """The family whose models include `algorithm`.

    Raises:
        ValueError: no family has it; the message lists the known algorithms.
    """
    for family in FAMILIES.values():
        if algorithm in family.algorithms:
            return family
    raise ValueError(
        f"Unknown algorithm {algorithm!r}; expected one of: {', '.join(sorted(algorithms()))}"
    )


def family_of(thing: Any) -> Family:
    """The family of a preset config, a preset name, or a model built by one.

    A model's family is the one whose model class is its most specific base (an `ACGAN` is
    conditional, not plain `gan`, although it extends `GAN`).

    Raises:
        ValueError: `thing` belongs to no registered family.
    """
    if isinstance(thing, str):
        thing = get_preset(thing)
    if isinstance(thing, keras.Model):
        best, best_depth = None, None
        for family in FAMILIES.values():
            for cls in family.algorithms.values():
                if isinstance(thing, cls):
                    depth = type(thing).__mro__.index(cls)
                    if best_depth is None or depth < best_depth:
                        best, best_depth = family, depth
        if best is None:
            raise ValueError(
                f"{type(thing).__name__} is not a model of any gan_zoo family "
                f"({', '.join(sorted(FAMILIES))})"
            )
        return best
    return get_family(_family_name(thing))


def _family_name(config: Any) -> str:
    return family_of_algorithm(config.algorithm).name


# --------------------------------------------------------------------------------- presets
def register_preset(config: Any) -> Any:
    """Adds a preset (a validated family config) to the registry; duplicates are an error."""
    if config.name in _PRESETS:
        raise ValueError(f"preset {config.name!r} is already registered")
    config = config.replace()  # validates
    _PRESETS[config.name] = config
    return config


def register_presets(configs: Iterable[Any]) -> None:
    """`register_preset` for each of `configs`."""
    for config in configs:
        register_preset(config)


def list_presets(family: str | None = None) -> list[str]:
    """Every preset name (of one family when `family` is given), sorted."""
    return sorted(
        name for name, config in _PRESETS.items() if family in (None, _family_name(config))
    )


def get_preset(name: str) -> Any:
    """Returns the preset called `name`.

    Raises:
        ValueError: unknown name; the message lists the valid ones.
    """
    if name not in _PRESETS:
        raise ValueError(f"Unknown preset {name!r}; expected one of: {', '.join(list_presets())}")
    return _PRESETS[name]


def build(
    name: Any,
    seed: int = 0,
    compile_kwargs: dict | None = None,
    *,
    pretrained: bool = False,
    **overrides,
) -> keras.Model:
    """Builds and compiles the model of a preset; call inside `strategy.scope()` to distribute.

    Args:
        name: str preset name, or a family config (`families.gan.GANConfig(...)`, ...).
        seed: int. Seeds weight initialisation and every random draw of training.
        compile_kwargs: dict or None. Extra `compile()` arguments (`jit_compile`,
            `steps_per_execution`).
        pretrained: bool. Load the preset's pretrained generator weights shipped in
            `gan_zoo/pretrained/` (offline; `gan_zoo.pretrained.available()` lists the presets
            that have them) into the sampling generator and the generator. The discriminator
            and optimizers stay fresh. Defaults to False.
        **overrides: preset fields to change, e.g. `latent_dim=64`. With `pretrained=True`
            only fields that keep the generator's shapes may change (not `latent_dim`,
            `image_size`, `channels`, `architecture`, `generator_kwargs`, `num_classes`, ...).

    Returns:
        A compiled model of the preset's family (`generate(num, seed=None)` for noise-to-sample
        families: float32 `[num, H, W, C]` images in [-1, 1], or `[num, 2]` points;
        `translate_a_to_b(images)` for translation).

    Raises:
        ValueError: an unknown preset, or an override the family does not accept; with
            `pretrained=True`, a preset without shipped weights (the message lists those
            with weights), an override that changes the generator's shapes (naming the
            field), or a missing or damaged weights file (naming it).

    Example:
    >>> model = build("cgan_projection_mnist", pretrained=True)  # doctest: +SKIP
    >>> model.generate(16, seed=0).shape  # doctest: +SKIP
    (16, 28, 28, 1)
    """
    config = get_preset(name) if isinstance(name, str) else name
    config = config.replace(**overrides) if overrides else config
    if pretrained:
        # Imported here: `import gan_zoo` stays light, and it is needed only with weights.
        from gan_zoo import pretrained as pretrained_weights  # noqa: PLC0415

        pretrained_weights.check_compatible(config)  # before the (maybe large) build
    keras.utils.set_random_seed(seed)
    model = family_of(config).build(config, seed, compile_kwargs)
    if pretrained:
        pretrained_weights.load_pretrained(model, config)
    return model


def optimizer_factory(config: Any) -> Callable[[float], keras.optimizers.Optimizer]:
    """`learning_rate → optimizer` of a config's `optimizer`, betas and decay schedule."""

    def make(learning_rate: float) -> keras.optimizers.Optimizer:
        if config.learning_rate_decay_start is not None:
            total = config.epochs * config.steps_per_epoch
            learning_rate = schedules.LinearDecay(
                learning_rate, total, int(config.learning_rate_decay_start * total)
            )
        if config.optimizer == "rmsprop":
            return keras.optimizers.RMSprop(learning_rate)
        return keras.optimizers.Adam(learning_rate, beta_1=config.beta_1, beta_2=config.beta_2)

    return make
