"""The few layer helpers Keras lacks, shared by the builders."""

from keras import layers


def maybe_spectral_norm(layer: layers.Layer, spectral_norm: bool) -> layers.Layer:
    """Returns `layer`, wrapped in `keras.layers.SpectralNormalization` when asked.

    Spectral normalization (Miyato et al. 2018, arXiv:1802.05957) divides the kernel by its
    largest singular value, estimated by one power iteration per training call.

    Args:
        layer: a Dense or convolution layer.
        spectral_norm: bool. Whether to wrap it.

    Returns:
        The layer or its wrapper (named `<layer name>_spectral`).
    """
    if not spectral_norm:
        return layer
    return layers.SpectralNormalization(layer, name=f"{layer.name}_spectral")
