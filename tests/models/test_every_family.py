"""Every registered family through the shared harness; the registry picks checks and batch."""

import pytest
from harness import TINY_PRESETS, family_batch, run_family_checks

from gan_zoo import families


def test_every_registered_family_has_a_harness_case():
    assert set(TINY_PRESETS) == set(families.FAMILIES)
    for family, (preset, _) in TINY_PRESETS.items():
        assert families.get_preset(preset).family.name == family


def test_the_batch_follows_the_task():
    shapes = {}
    for family, (preset, overrides) in TINY_PRESETS.items():
        batch = family_batch(families.get_preset(preset).replace(**overrides), size=4)
        shapes[family] = [b.shape for b in batch] if isinstance(batch, tuple) else batch.shape
    assert shapes["conditional"] == [(4, 32, 32, 1), (4,)]
    assert shapes["cyclegan"] == [(4, 32, 32, 1), (4, 32, 32, 1)]
    assert shapes["wgan"] == (4, 2) and shapes["gan"] == (4, 32, 32, 1)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(TINY_PRESETS))
def test_family_passes_the_shared_harness(family, tmp_path):
    run_family_checks(family, tmp_path)
