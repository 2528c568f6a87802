"""The step machinery every family's model shares: random draws, replicas, the NaN guard.

- `random`: stateless Philox draws, identical with and without XLA (`sample_noise`).
- `replicas`: the replica context and `assign_in_sync`.
- `steps`: `StepMachinery` (loss scaling, replica means, `nan_policy`, logs), `LossMean`,
  `DatasetFit`.
- `adversarial`: `AdversarialModel`, the base of the noise-to-sample families.
"""

from gan_zoo.engine.adversarial import AdversarialModel
from gan_zoo.engine.random import sample_noise
from gan_zoo.engine.replicas import assign_in_sync
from gan_zoo.engine.steps import NAN_POLICIES, DatasetFit, LossMean, StepMachinery

__all__ = [
    "NAN_POLICIES",
    "AdversarialModel",
    "DatasetFit",
    "LossMean",
    "StepMachinery",
    "assign_in_sync",
    "sample_noise",
]
