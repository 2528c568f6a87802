"""The CycleGAN family's recipes: thin ↔ thick digits on a CPU, and horse ↔ zebra."""

from gan_zoo.families.cyclegan.family import CycleGANConfig

_CYCLEGAN = "Zhu, Park, Isola & Efros 2017, arXiv:1703.10593"
# The paper's recipe: LSGAN loss, λ_cyc = 10, identity 0.5 λ_cyc, pool of 50, Adam(2e-4,
# β1 = 0.5) for all four networks, constant then linear decay to 0 over the second half.
_CYCLEGAN_SETTINGS = {
    "loss": "least_squares",
    "g_learning_rate": 2e-4,
    "d_learning_rate": 2e-4,
    "beta_1": 0.5,
    "learning_rate_decay_start": 0.5,
    "model_kwargs": {"cycle_weight": 10.0, "identity_weight": 5.0, "pool_size": 50},
}
PRESETS = [
    CycleGANConfig(
        name="cyclegan_digits_thickness",
        description=(
            "CycleGAN thin <-> thick digits (embedded, unpaired halves, 32 px); trains in "
            "minutes on a CPU."
        ),
        paper=f"{_CYCLEGAN} (networks narrowed for 32 px digits)",
        dataset="digits_thickness",
        image_size=32,
        channels=1,
        batch_size=8,
        epochs=5,  # 5 x 200 steps of 8 pairs: ~7 minutes on 2 CPU cores
        steps_per_epoch=200,
        generator_kwargs={"base_filters": 16, "num_residual_blocks": 6},
        discriminator_kwargs={"base_filters": 16, "num_layers": 2},
        **_CYCLEGAN_SETTINGS,
    ),
    CycleGANConfig(
        name="cyclegan_horse2zebra",
        description="CycleGAN horse <-> zebra at 256 px, the paper's setting (TFDS download).",
        paper=_CYCLEGAN,
        dataset="cycle_gan/horse2zebra",
        image_size=256,
        channels=3,
        batch_size=1,
        epochs=200,
        steps_per_epoch=1334,  # max(|trainA|, |trainB|) = max(1067, 1334) at batch 1
        generator_kwargs={"base_filters": 64, "num_residual_blocks": 9},
        discriminator_kwargs={"base_filters": 64, "num_layers": 3},
        **_CYCLEGAN_SETTINGS,
    ),
]
