"""The `gan-zoo` command line: `gan-zoo <subcommand> [--flags]` (see `gan_zoo.cli.main`).

Modules: `main` (the `gan-zoo` entry point: dispatch and the subcommand list), one module per
subcommand (`train`, `generate`, `evaluate`, `export`), each with `define_flags()`, absl's
`main(argv)` and `run(argv)`; `common` (the native-log filter and fast help, no TensorFlow),
`config_flags` (flags generated from a config dataclass: `train`'s from
`gan_zoo.training.TrainConfig`) and `image_files` (the images `generate` translates).

Importing this package imports no subcommand and defines no flag.
"""
