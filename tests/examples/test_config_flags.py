"""gan_zoo/cli/config_flags.py: absl flags generated from a dataclass, and back (in process,
each test in a FlagValues of its own)."""

import dataclasses
from typing import Any

import pytest
from absl import flags

from gan_zoo.cli import config_flags


@dataclasses.dataclass
class Config:
    name: str = dataclasses.field(default="a", metadata={"help": "A name."})
    mode: str = dataclasses.field(default="x", metadata={"help": "Mode.", "choices": ("x", "y")})
    size: int | None = dataclasses.field(default=None, metadata={"help": "[shape] Size."})
    rate: float = 0.5  # no metadata: an empty help
    on: bool = dataclasses.field(default=True, metadata={"help": "On."})
    xla: bool | str = dataclasses.field(default="auto", metadata={"help": "XLA."})
    level: int | str = dataclasses.field(
        default="auto", metadata={"help": "Level.", "choices": ("auto", 0, 1)}
    )
    tag: int | str = "none"
    items: list[str] = dataclasses.field(default_factory=list, metadata={"help": "Items."})
    settings: dict[str, Any] = dataclasses.field(
        default_factory=dict, metadata={"help": "Settings.", "flag": "set"}
    )


def _parse(*argv):
    flag_values = flags.FlagValues()
    defined = config_flags.define_flags(Config, flag_values, "m", groups={"name": "model"})
    flag_values(["prog", *argv])
    return flag_values, config_flags.config_from_flags(Config, defined, flag_values)


def test_defaults_give_the_default_config_and_help_carries_the_group():
    flag_values, config = _parse()
    assert config == Config()
    assert [flag.name for flag in flag_values.get_flags_for_module("m")] == [
        "name", "mode", "size", "rate", "on", "xla", "level", "tag", "items", "set",
    ]  # fmt: skip
    assert flag_values["name"].help == "[model] A name."
    assert flag_values["size"].help == "[shape] Size."  # its own group kept
    assert flag_values["rate"].help == "(no help available)"  # absl's word for an empty help
    assert flag_values["mode"].parser.enum_values == ["x", "y"]
    assert flag_values["level"].parser.enum_values == ["auto", "0", "1"]
    assert flag_values["xla"].default is None and flag_values["xla"].flag_type() == "bool or auto"


def test_every_kind_parses_back_to_its_field_type():
    _, config = _parse(
        "--name=b",
        "--mode=y",
        "--size=3",
        "--rate=0.25",
        "--noon",
        "--xla=auto",
        "--level=1",
        "--tag=7",
        "--items=p,q",
        "--set=k=1",
        '--set=j={"a": [1]}',
        "--set=s=text",
    )
    assert config == Config(
        name="b",
        mode="y",
        size=3,
        rate=0.25,
        on=False,
        xla="auto",
        level=1,
        tag=7,
        items=["p", "q"],
        settings={"k": 1, "j": {"a": [1]}, "s": "text"},
    )
    assert _parse("--xla")[1].xla is True and _parse("--noxla")[1].xla is False
    assert _parse("--tag=none")[1].tag == "none"


def test_bad_values_are_one_line_errors():
    with pytest.raises(flags.IllegalFlagValueError, match="expected true, false or auto"):
        _parse("--xla=maybe")
    with pytest.raises(ValueError, match="^--set expects key=value; got 'oops'$"):
        _parse("--set=oops")


def test_a_field_no_flag_takes_is_a_type_error():
    @dataclasses.dataclass
    class Odd:
        pair: tuple[int, int] = (1, 2)

    with pytest.raises(TypeError, match="Odd.pair: no flag for a field of type"):
        config_flags.define_flags(Odd, flags.FlagValues(), "m")
