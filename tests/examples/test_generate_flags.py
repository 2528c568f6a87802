"""`gan-zoo generate`'s StyleGAN flag checks, in process (the CLI test runs one of them as a
user would; each subprocess costs seconds of TensorFlow start-up)."""

import types

import pytest


@pytest.fixture(scope="module")
def generate():
    from gan_zoo.cli import generate

    generate.define_flags()  # in absl's FLAGS of this process: only generate defines any here
    return generate


def _signature(*inputs):
    return types.SimpleNamespace(structured_input_signature=((), dict.fromkeys(inputs)))


STYLE = _signature("noise", "truncation_psi")
PLAIN = _signature("noise")


@pytest.mark.parametrize(
    "flags, serve, message",
    [
        (["--truncation_sweep=1,x"], STYLE, "--truncation_sweep must be numbers"),
        (["--mix_row_seeds=1"], STYLE, "needs both --mix_row_seeds and --mix_column_seeds"),
        (["--mix_row_seeds=1", "--mix_column_seeds=2", "--coarse_styles=9"], STYLE, "[0, 8]"),
        (["--truncation_psi=0.5"], PLAIN, "are for StyleGAN models; dcgan_digits takes none"),
        (["--truncation_sweep=1,0"], PLAIN, "are for StyleGAN models"),
    ],
)
def test_style_flag_errors(generate, flags, serve, message):
    generate.FLAGS.unparse_flags()
    generate.FLAGS(["generate.py", "--model_dir=unused", *flags])
    with pytest.raises(ValueError) as error:
        generate.check_style_flags(serve, {"num_ws": 8, "model": "dcgan_digits"})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_style_flags_give_the_signature_inputs(generate):
    generate.FLAGS.unparse_flags()
    generate.FLAGS(["generate.py", "--model_dir=unused", "--truncation_psi=0.25"])
    assert generate.check_style_flags(STYLE, {"num_ws": 8}) == {"truncation_psi": 0.25}
    generate.FLAGS.unparse_flags()
    generate.FLAGS(["generate.py", "--model_dir=unused"])
    assert generate.check_style_flags(STYLE, {"num_ws": 8}) == {"truncation_psi": 1.0}
    assert generate.check_style_flags(PLAIN, {}) == {}
    with pytest.raises(ValueError, match="--mix_row_seeds must be integers"):
        generate._seeds(["a"], "mix_row_seeds")
