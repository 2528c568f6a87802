"""What the `gan-zoo` subcommands do before TensorFlow is imported: quiet logs and fast help.

Nothing here imports TensorFlow or any other gan_zoo module, and nothing here runs at import:
the log filter is in place before TensorFlow writes its first line when it is installed before
TensorFlow is imported, and `--help` prints from the flag definitions alone. (Library imports
never touch stderr or the log level: only the command line quiets TensorFlow.)

Quiet command lines: TensorFlow's native log lines kept off the terminal unless asked for.

TensorFlow's C++ runtime logs through absl before it reads `TF_CPP_MIN_LOG_LEVEL` (TF 2.21:
`WARNING: All log messages before absl::InitializeLog() is called are written to STDERR`, then
`I0000 ... cudart_stub.cc:31] Could not find cuda drivers ...`, `E0000 ... cuInit ...`, the
oneDNN and CPU-instruction notices), so the variable alone does not silence it (measured).
`gan_zoo.cli.main` calls `quiet_native_logs()` before it imports a subcommand: it sets the
variable and passes
stderr through a filter that drops exactly those lines (absl's `[IWEF]MMDD hh:mm:ss.micros
thread file.cc:line]` prefix, C++ sources only, and that one banner) and forwards everything
else unchanged: Python errors, tracebacks, gan_zoo's own `error:` and `warning:` lines.

`--verbosity=N` (absl's own flag, `-v N`) given on the command line turns the filter off and
passes the level on: N >= 0 shows every native line (`TF_CPP_MIN_LOG_LEVEL=0`) and Python INFO
logs, -1 warnings and errors, -2 errors only.

Help: `-h`/`--help`/`--helpshort` print the program's summary and its common flags and exit 0;
`--helpfull` prints every flag of the program (absl's own, such as `--verbosity`, at the end).
absl's own help exits with status 1 and, for `--helpfull`, buries the program's flags among
absl's.

Nothing here runs at import.
"""

import atexit
import os
import re
import sys
import textwrap
import threading

_NATIVE_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\]\s]+\.(?:cc|cpp|c|h):\d+\] |"
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR|"
    # the second line of the CPU-instructions notice (cpu_feature_guard.cc)
    rb"To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler)"
)
FILTER_THREAD = "gan_zoo-stderr-filter"


def requested_verbosity(argv: list[str] | None = None) -> int | None:
    """The `--verbosity` / `-v` value on the command line, or None when it is not given."""
    argv = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(argv):
        for name in ("--verbosity", "-v"):
            if arg.startswith(f"{name}="):
                value = arg.split("=", 1)[1]
            elif arg == name and i + 1 < len(argv):
                value = argv[i + 1]
            else:
                continue
            try:
                return int(value)
            except ValueError:
                return None  # absl reports the bad value when it parses the flags
    return None


def is_native_log_line(line: bytes) -> bool:
    """Whether `line` is one of TensorFlow's absl-formatted native log lines."""
    return bool(_NATIVE_LINE.match(line))


def quiet_native_logs(argv: list[str] | None = None) -> bool:
    """Keeps TensorFlow's native log lines off stderr unless `--verbosity` asks for them.

    Call it before TensorFlow is imported. Safe to call twice.

    Args:
        argv: the command line's arguments; None reads `sys.argv[1:]`.

    Returns:
        True when the filter is on.
    """
    verbosity = requested_verbosity(argv)
    if verbosity is not None:
        level = 0 if verbosity >= 0 else min(3, -verbosity)
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = str(level)
        return False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # One filter per process, even when two copies of this module ran (the examples/ scripts
    # load this file by path before `gan_zoo` is imported): look for its thread.
    if any(thread.name == FILTER_THREAD for thread in threading.enumerate()):
        return True
    _install_filter()
    return True


def _install_filter() -> None:
    """Points fd 2 at a pipe whose reader thread forwards all but native log lines."""
    sys.stderr.flush()
    terminal = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            pending = b""
            while chunk := pipe.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                kept = b"".join(line + b"\n" for line in lines if not is_native_log_line(line))
                if kept:
                    os.write(terminal, kept)
            if pending and not is_native_log_line(pending):
                os.write(terminal, pending)

    thread = threading.Thread(target=forward, name=FILTER_THREAD, daemon=True)
    thread.start()

    def drain() -> None:
        # At exit: give fd 2 back to the terminal, which closes the pipe's last writer, and
        # let the thread write out what is left (the final error line, for one).
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(terminal, 2)
        thread.join(timeout=5)

    atexit.register(drain)


HELP_FLAGS = ("-h", "--help", "-?", "--helpshort")
FULL_HELP_FLAGS = ("--helpfull",)


def _flag_text(flag) -> str:
    """One flag as help shows it: `--name: help` wrapped, then its default."""
    name = f"--{flag.name}"
    if flag.flag_type() == "bool":
        name = f"--[no]{flag.name}"
    lines = textwrap.wrap(
        f"{name}: {flag.help}".replace(".;", ";"),
        width=96,
        initial_indent="  ",
        subsequent_indent="      ",
    )
    if flag.default is not None and flag.default != []:
        lines.append(f"      (default: {flag.default_as_str})")
    return "\n".join(lines)


def help_text(doc: str, flag_values, module_name: str, common: list[str] | None) -> str:
    """The program's help: its docstring, then its common flags (`common`) or all of them.

    Args:
        doc: the program's module docstring.
        flag_values: absl's `flags.FLAGS`, the program's flags defined.
        module_name: the module that defined them (`__name__` of the program).
        common: names of the flags to show, in order; None shows every flag of the program
            alphabetically, then absl's logging flags.
    """
    own = {flag.name: flag for flag in flag_values.get_flags_for_module(module_name)}
    parts = [doc.strip(), ""]
    if common is None:
        parts.append("Flags:")
        parts += [_flag_text(own[name]) for name in sorted(own)]
        absl_flags = {flag.name: flag for flag in flag_values.get_flags_for_module("absl.logging")}
        if absl_flags:
            parts += ["", "absl logging flags:"]
            parts += [_flag_text(absl_flags[name]) for name in sorted(absl_flags)]
    else:
        parts.append("Common flags:")
        parts += [_flag_text(own[name]) for name in common]
        rest = len(own) - len(common)
        parts += ["", f"{rest} more flags: --helpfull lists every flag."]
    return "\n".join(parts) + "\n"


def handle_help(
    doc: str, flag_values, module_name: str, common: list[str], argv: list[str] | None = None
) -> None:
    """Prints help and exits 0 when the command line asks for it; returns otherwise.

    Call it after the program's flags are defined and before anything heavy is imported.
    """
    argv = sys.argv[1:] if argv is None else argv
    if any(arg in FULL_HELP_FLAGS for arg in argv):
        sys.stdout.write(help_text(doc, flag_values, module_name, None))
        sys.exit(0)
    if any(arg in HELP_FLAGS for arg in argv):
        sys.stdout.write(help_text(doc, flag_values, module_name, common))
        sys.exit(0)


def run_subcommand(define_flags, main, doc: str, flag_values, module_name: str, common, argv):
    """A subcommand's `run`: quiet logs, define its flags, answer `--help`, then `app.run(main)`.

    Args:
        define_flags: `() -> None`, defines the subcommand's flags in `flag_values`.
        main: absl's `main(argv)`; its return value is the exit status.
        doc: str. The help text's description.
        flag_values: absl `FlagValues` holding the flags.
        module_name: str. The module whose flags are the subcommand's own.
        common: list of str. The flags `--help` shows (`--helpfull` shows all).
        argv: the program name, then the flags; None reads `sys.argv`.
    """
    from absl import app  # noqa: PLC0415 (this module stays stdlib-only at import)

    argv = sys.argv if argv is None else argv
    quiet_native_logs(argv[1:])
    define_flags()
    handle_help(doc, flag_values, module_name, common, argv[1:])
    app.run(main, argv=argv)
