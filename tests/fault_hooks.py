"""Test-only hooks for `gan-zoo train` processes, installed from environment variables.

The product carries none of this: `tests/train_with_faults.py` installs these hooks
(`install_from_environment`) and then runs the train CLI with its own argv.

  GAN_ZOO_FINAL_WEIGHTS=PATH.npz  every worker writes its model's final weights (`arr_0`,
      `arr_1`, ... in `model.weights` order) to that file once `gan_zoo.training.train` returns
      (tests/test_multi_worker.py compares the workers' weights with it; tests/test_crash.py a
      resumed run's with an uninterrupted one's).
  GAN_ZOO_KILL_IN_CHECKPOINT=N  while writing the checkpoint of epoch N, once its files are
      written and before the checkpoint index names it, the process truncates the checkpoint's
      data file to half (a torn write) and kills itself with SIGKILL (tests/test_crash.py
      checks that the previous checkpoint still loads and that a rerun resumes from it).
  GAN_ZOO_KILL_IN_EXPORT=STAGE  the process kills itself with SIGKILL when the export
      reaches STAGE (`gan_zoo.export.after_stage`): written (the new SavedModel complete in its
      temporary directory), old_moved (between the two renames: no saved_model/, the previous
      one at saved_model.old), replaced (the new one in place, saved_model.old not yet
      deleted). scripts/reliability.py runs each.
"""

import functools
import os
import signal

FINAL_WEIGHTS = "GAN_ZOO_FINAL_WEIGHTS"
KILL_IN_CHECKPOINT = "GAN_ZOO_KILL_IN_CHECKPOINT"
KILL_IN_EXPORT = "GAN_ZOO_KILL_IN_EXPORT"


def install_kill_in_checkpoint(epoch: int) -> None:
    """Dies mid-write of epoch `epoch`'s checkpoint (`Checkpointer.after_write`)."""
    from gan_zoo.training import Checkpointer

    def kill(prefix: str) -> None:
        if not prefix.endswith(f"-{epoch}"):
            return
        directory = os.path.dirname(prefix)
        for name in os.listdir(directory):
            if name.startswith(os.path.basename(prefix) + ".data-"):
                path = os.path.join(directory, name)
                os.truncate(path, os.path.getsize(path) // 2)
        os.kill(os.getpid(), signal.SIGKILL)

    Checkpointer.after_write = staticmethod(kill)


def install_kill_in_export(stage: str) -> None:
    """Dies with SIGKILL when an export reaches `stage` (`gan_zoo.export.after_stage`)."""
    from gan_zoo import export

    def kill(reached: str) -> None:
        if reached == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    export.after_stage = kill


def install_final_weights(path: str) -> None:
    """Writes the trained model's weights to `path` (.npz) when `training.train` returns."""
    import numpy as np

    from gan_zoo import training

    train = training.train

    @functools.wraps(train)
    def train_and_save(config):
        summary = train(config)
        weights = [np.asarray(w.numpy()) for w in summary["model"].weights]
        np.savez(path, *weights)
        return summary

    training.train = train_and_save


def install_from_environment(environ=None) -> list[str]:
    """Installs the hooks the environment asks for; returns the variables it acted on."""
    environ = os.environ if environ is None else environ
    installed = []
    if environ.get(KILL_IN_CHECKPOINT):
        install_kill_in_checkpoint(int(environ[KILL_IN_CHECKPOINT]))
        installed.append(KILL_IN_CHECKPOINT)
    if environ.get(KILL_IN_EXPORT):
        install_kill_in_export(environ[KILL_IN_EXPORT])
        installed.append(KILL_IN_EXPORT)
    if environ.get(FINAL_WEIGHTS):
        install_final_weights(environ[FINAL_WEIGHTS])
        installed.append(FINAL_WEIGHTS)
    return installed
