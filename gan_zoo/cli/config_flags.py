"""absl flags generated from a config dataclass, and the dataclass built back from them.

A config's fields say everything a flag needs: the name, the type, the default, and in
`field.metadata` the help (`"help"`), the allowed values (`"choices"`, optional) and, where it
is not the field's own, the flag's name (`"flag"`, optional). `define_flags` turns each field
into one flag; `config_from_flags` reads them back into an instance. `gan-zoo train` uses it on
`gan_zoo.training.TrainConfig`, so a new config field is a new `--flag` with no CLI change.

Field types and the flags they give:

    str                 --name=VALUE            (an enum of the choices when it has choices)
    int, float          --name=NUMBER           (an enum of the choices when it has choices)
    bool                --name / --noname
    bool | str          --name / --noname / --name=auto: a str default ("auto") is parsed
                        as None and given back as that default
    int | str           an enum of the choices ("auto", 0, 1, 2), given back with its type;
                        without choices a string, given back as an int when it is one
    list[str]           --name=a,b,c            (comma-separated)
    dict[str, Any]      --name=key=value, repeatable; a value is JSON when it parses, else a
                        string (`--override=latent_dim=64`)

`X | None` is X with None allowed (a None default shows no default in `--help`).

Nothing here imports TensorFlow or gan_zoo.
"""

import dataclasses
import json
import types
import typing
from typing import Any

from absl import flags

# A field's flag when it is not the field's own name and the field does not say
# (`metadata["flag"]`): one `--override=key=value` per entry of `overrides`.
FLAG_NAMES = {"overrides": "override"}


class AutoBooleanParser(flags.BooleanParser):
    """A boolean flag's parser that also takes "auto" (parsed as None: the default)."""

    def parse(self, argument):
        """True, False, or None for "auto"."""
        if isinstance(argument, str) and argument.strip().lower() == "auto":
            return None
        try:
            return super().parse(argument)
        except ValueError:
            raise ValueError(f"expected true, false or auto; got {argument!r}") from None

    def flag_type(self):
        """Shown by absl's own help."""
        return "bool or auto"


@dataclasses.dataclass(frozen=True)
class ConfigFlag:
    """One field's flag: what `define_flags` defined and how `config_from_flags` reads it."""

    field: str
    flag: str
    kind: str  # str, int, float, bool, auto_bool, int_or_str, enum, list, dict
    default: Any
    choices: tuple | None


def _kind(annotation: Any) -> str:
    """The flag kind of a field's (resolved) type annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = {arg for arg in typing.get_args(annotation) if arg is not type(None)}
        if members == {bool, str}:
            return "auto_bool"
        if members == {int, str}:
            return "int_or_str"
        if len(members) == 1:
            return _kind(members.pop())
        raise TypeError(f"no flag for a field of type {annotation}")
    if origin is list or annotation is list:
        return "list"
    if origin is dict or annotation is dict:
        return "dict"
    for simple in (bool, int, float, str):  # bool first: it is an int
        if annotation is simple:
            return simple.__name__
    raise TypeError(f"no flag for a field of type {annotation}")


def _default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return None


def flag_name(field: dataclasses.Field) -> str:
    """The flag of `field`: `metadata["flag"]`, else `FLAG_NAMES`, else the field's name."""
    return field.metadata.get("flag") or FLAG_NAMES.get(field.name, field.name)


def config_flags(config_class: type) -> list[ConfigFlag]:
    """What `define_flags` defines for `config_class`, one entry per field, in field order.

    Raises:
        TypeError: a field of a type no flag takes.
    """
    hints = typing.get_type_hints(config_class)
    found = []
    for field in dataclasses.fields(config_class):
        if not field.init:
            continue
        try:
            kind = _kind(hints[field.name])
        except TypeError as error:
            raise TypeError(f"{config_class.__name__}.{field.name}: {error}") from None
        choices = field.metadata.get("choices")
        choices = tuple(choices) if choices is not None else None
        if choices is not None and kind in ("str", "int", "float", "int_or_str"):
            kind = "enum"
        found.append(ConfigFlag(field.name, flag_name(field), kind, _default(field), choices))
    return found


def define_flags(
    config_class: type,
    flag_values: flags.FlagValues,
    module_name: str,
    groups: dict[str, str] | None = None,
) -> list[ConfigFlag]:
    """Defines one flag per field of `config_class` in `flag_values`.

    Args:
        config_class: a dataclass whose fields carry `metadata={"help": ..., "choices": ...}`
            (a field without help gets an empty one).
        flag_values: where to define them (`absl.flags.FLAGS`).
        module_name: the module the flags belong to (`help_text` lists that module's flags).
        groups: `{flag name: group}`; a flag with a group gets `[group] ` before its help
            unless the field's `metadata["group"]` names one (or the help starts with `[`).

    Returns:
        The flags defined, for `config_from_flags`.
    """
    groups = groups or {}
    fields = {field.name: field for field in dataclasses.fields(config_class)}
    defined = config_flags(config_class)
    for spec in defined:
        metadata = fields[spec.field].metadata
        text = metadata.get("help", "")
        group = metadata.get("group") or groups.get(spec.flag)
        if group and not text.startswith("["):
            text = f"[{group}] {text}"
        common = {"flag_values": flag_values, "module_name": module_name}
        if spec.kind == "enum":
            default = None if spec.default is None else str(spec.default)
            values = [str(choice) for choice in spec.choices]
            flags.DEFINE_enum(spec.flag, default, values, text, **common)
        elif spec.kind == "auto_bool":
            default = spec.default if isinstance(spec.default, bool) else None
            flag = flags.BooleanFlag(spec.flag, default, text)
            flag.parser = AutoBooleanParser()
            flags.DEFINE_flag(flag, **common)
        elif spec.kind == "list":
            flags.DEFINE_list(spec.flag, list(spec.default or []), text, **common)
        elif spec.kind == "dict":
            flags.DEFINE_multi_string(spec.flag, [], text, **common)
        else:
            define = {
                "str": flags.DEFINE_string,
                "int_or_str": flags.DEFINE_string,
                "int": flags.DEFINE_integer,
                "float": flags.DEFINE_float,
                "bool": flags.DEFINE_bool,
            }[spec.kind]
            default = spec.default
            if spec.kind == "int_or_str" and default is not None:
                default = str(default)
            define(spec.flag, default, text, **common)
    return defined


def parse_key_values(items: list[str], flag: str) -> dict:
    """Parses `key=value` strings; values are JSON when they parse, else strings.

    Raises:
        ValueError: an item without `=` or without a key (one line naming `--flag`).
    """
    parsed = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--{flag} expects key=value; got {item!r}")
        try:
            parsed[key] = json.loads(value)
        except json.JSONDecodeError:
            parsed[key] = value
    return parsed


def flag_value(spec: ConfigFlag, value: Any) -> Any:
    """A parsed flag's value as its field takes it.

    Raises:
        ValueError: a `dict` flag's item that is not key=value.
    """
    if spec.kind == "auto_bool" and value is None:
        return spec.default  # "auto"
    if spec.kind == "enum" and value is not None:
        return {str(choice): choice for choice in spec.choices}[value]
    if spec.kind == "int_or_str" and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    if spec.kind == "dict":
        return parse_key_values(value or [], spec.flag)
    if spec.kind == "list":
        return list(value or [])
    return value


def config_from_flags(config_class: type, defined: list[ConfigFlag], flag_values) -> Any:
    """Builds a `config_class` from the parsed flags `define_flags` defined.

    Raises:
        ValueError: a flag value its field does not take (`flag_value`).
    """
    return config_class(
        **{spec.field: flag_value(spec, flag_values[spec.flag].value) for spec in defined}
    )
