"""StyleGAN's serving signatures: sampling with truncation, mapping, and synthesis from styles."""

import keras
import tensorflow as tf

from gan_zoo import serving


def style_archive(model) -> tuple[keras.export.ExportArchive, dict]:
    """The serving archive of a StyleGAN's sampling generator (EMA when present), 3 signatures.

    - `serving_default`: `noise` float32 `[N, latent_dim]` (z) and `truncation_psi` float32
      scalar (1 = no truncation, 0 = every sample is the image of the average w) → `images`
      uint8 `[N, H, W, C]`.
    - `map`: the same inputs → `w` float32 `[N, w_dim]` (truncated).
    - `synthesize`: `ws` float32 `[N, num_ws, w_dim]`, one style vector per layer (repeat one w
      for an unmixed image, splice two for style mixing) → `images` uint8.

    Sampling uses the fixed noise maps, so the same inputs always give the same images.

    Args:
        model: a `StyleGAN`.

    Returns:
        `(archive, info)` for `gan_zoo.export.export_model`.
    """
    generator = model.sampling_generator
    latent_dim, num_ws, w_dim = generator.latent_dim, generator.num_ws, generator.w_dim
    noise_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="noise")
    psi_spec = tf.TensorSpec([], tf.float32, name="truncation_psi")
    ws_spec = tf.TensorSpec([None, num_ws, w_dim], tf.float32, name="ws")

    def serve(noise, truncation_psi):
        noise = serving.checked(noise, "noise", "float32", [None, latent_dim])
        return {"images": serving.uint8_images(generator(noise, truncation_psi=truncation_psi))}

    def map_noise(noise, truncation_psi):
        noise = serving.checked(noise, "noise", "float32", [None, latent_dim])
        return {"w": tf.cast(generator.map(noise, truncation_psi), tf.float32)}

    def synthesize(ws):
        ws = serving.checked(ws, "ws", "float32", [None, num_ws, w_dim])
        return {"images": serving.uint8_images(generator.synthesize(ws))}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint(name="serving_default", fn=serve, input_signature=[noise_spec, psi_spec])
    archive.add_endpoint(name="map", fn=map_noise, input_signature=[noise_spec, psi_spec])
    archive.add_endpoint(name="synthesize", fn=synthesize, input_signature=[ws_spec])
    info = {
        "latent_dim": latent_dim,
        "noise": serving.noise_description(latent_dim),
        "output": "images",
        "sample_shape": list(generator.output_shape[1:]),
        "model": getattr(model, "name", None),
        "num_classes": None,
        "signatures": ["serving_default", "map", "synthesize"],
        "num_ws": num_ws,
        "w_dim": w_dim,
    }
    return archive, info
