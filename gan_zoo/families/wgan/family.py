"""The WGAN family: a critic under a Lipschitz constraint (weight clipping or gradient penalty)."""

import dataclasses

from gan_zoo.families.gan.family import GANConfig, GANFamily
from gan_zoo.families.wgan.model import WGAN, WGANGP


@dataclasses.dataclass(frozen=True, eq=False)
class WGANConfig(GANConfig):
    """A WGAN preset: `GANConfig` with the Wasserstein loss and 5 critic updates by default.

    `model_kwargs` sets `clip_value` (WGAN) or `gp_weight` (WGAN-GP).
    """

    algorithm: str = "wgan_gp"
    loss: str = "wasserstein"
    d_steps: int = 5


class WGANFamily(GANFamily):
    """WGAN (weight clipping) and WGAN-GP (gradient penalty) on the GAN family's networks."""

    name = "wgan"
    description = "Wasserstein GANs: clipped critic (WGAN) or gradient penalty (WGAN-GP)."
    algorithms = {"wgan": WGAN, "wgan_gp": WGANGP}
    config_class = WGANConfig

    def gradient_penalty(self, model) -> bool:
        """WGAN-GP with a positive `gp_weight` differentiates its penalty in each D update."""
        return isinstance(model, WGANGP) and model.gp_weight > 0
