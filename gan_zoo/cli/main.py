"""`gan-zoo`: the command line, one subcommand per job.

  gan-zoo <subcommand> [--flags]
  gan-zoo <subcommand> --help       that subcommand's common flags (--helpfull: every flag)

`pip install .` puts `gan-zoo` on the PATH (setup.cfg's console_scripts); without installing,
`python -m gan_zoo.cli.main` or the scripts in examples/ run the same code. Each subcommand is
a module of this package with `run(argv)`, imported only when it is asked for, so one process
defines one subcommand's flags and `gan-zoo --help` imports none of them.
"""

import importlib
import sys

from gan_zoo.cli import common

# name: one line for `gan-zoo --help`.
SUBCOMMANDS = {
    "train": "train a preset into a run directory (resumes one that holds a checkpoint)",
    "generate": "sample an exported model into a PNG grid, or translate a folder of images",
    "evaluate": "score an exported generator beside the real-vs-real floor (FID, KID, ...)",
    "export": "export a run directory's newest checkpoint or a .keras file as a SavedModel",
}
HELP_FLAGS = (*common.HELP_FLAGS, *common.FULL_HELP_FLAGS, "help")


def usage() -> str:
    """`gan-zoo --help`: the subcommands, one line each."""
    width = max(map(len, SUBCOMMANDS))
    lines = [
        "usage: gan-zoo <subcommand> [--flags]",
        "",
        "A Keras 3 GAN model zoo: train presets, sample, evaluate and export their models.",
        "",
        "Subcommands:",
        *(f"  {name:<{width}}  {line}" for name, line in SUBCOMMANDS.items()),
        "",
        "gan-zoo <subcommand> --help shows its common flags, --helpfull all of them.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs `gan-zoo <subcommand> [--flags]`; returns (or exits with) the exit status.

    Args:
        argv: the arguments after the program name; None reads `sys.argv[1:]`.

    Returns:
        0 after help; 2 (one `error:` line on stderr) for a missing or unknown subcommand. A
        subcommand exits the process with its own status.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in HELP_FLAGS:
        sys.stdout.write(usage())
        return 0
    name = argv[0] if argv else None
    if name not in SUBCOMMANDS:
        given = "no subcommand" if name is None else f"unknown subcommand {name!r}"
        print(
            f"error: {given}; expected one of: {', '.join(SUBCOMMANDS)} (gan-zoo --help)",
            file=sys.stderr,
        )
        return 2
    common.quiet_native_logs(argv[1:])  # before the subcommand imports TensorFlow
    module = importlib.import_module(f"gan_zoo.cli.{name}")
    return module.run([f"gan-zoo {name}", *argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
