"""Class-conditional GANs: ConditionalGAN (concatenation or projection D) and ACGAN."""

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import serving
from gan_zoo.engine.steps import LossMean
from gan_zoo.families.gan.model import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class ConditionalGAN(GAN):
    """Conditional GAN (Mirza & Osindero 2014, arXiv:1411.1784).

    G(z, y) and D(x, y) both see the label y; fakes in a step are generated for the real
    batch's labels, so each class is trained as often as it appears in the data. Batches are
    `(images, labels)` with labels int32 `[B]` (`make_dataset(..., with_labels=True)`). The
    discriminator may be the concatenation or the projection form
    (`gan_zoo.families.conditional.networks`).

    Args:
        generator: keras.Model `[noise, labels] → samples`.
        discriminator: keras.Model `[samples, labels] → scores`.
        num_classes: int ≥ 2. Number of labels.
        **kwargs: see `AdversarialModel`.
    """

    def __init__(self, generator, discriminator, num_classes: int, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be at least 2; got {num_classes}")
        self.num_classes = int(num_classes)

    def unpack(self, data):
        """Returns `(images, labels)`; a batch without labels is an error."""
        if not isinstance(data, tuple | list) or len(data) < 2:
            raise ValueError(
                f"{type(self).__name__} trains on (samples, labels) batches; build the dataset "
                "with make_dataset(..., with_labels=True)"
            )
        return data[0], tf.cast(data[1], tf.int32)

    def generate_samples(self, noise, conditions, training: bool = True):
        """G(z, y)."""
        return self.generator([noise, conditions], training=training)

    def discriminate(self, samples, conditions, training: bool = True):
        """D(x, y)."""
        return self.discriminator([samples, conditions], training=training)

    def call(self, inputs, training: bool = False):
        """Maps `[noise [B, latent_dim], labels [B]]` to samples with the sampling generator."""
        return self.sampling_generator(inputs, training=training)

    def check_labels(self, labels, num: int) -> tf.Tensor:
        """Validates class labels: int `[num]` in [0, num_classes). Returns an int32 tensor."""
        labels = np.asarray(labels)
        if labels.shape != (num,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"labels must be {num} integers; got shape {labels.shape}, dtype {labels.dtype}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"labels must be in [0, {self.num_classes}); got values from {labels.min()} "
                f"to {labels.max()}"
            )
        return tf.constant(labels, tf.int32)

    def generate(
        self, num_or_noise, labels=None, seed: int | None = None, batch_size: int = 256
    ) -> np.ndarray:
        """Samples for given labels.

        Args:
            num_or_noise: int number of samples, or z `[N, latent_dim]`.
            labels: int array `[N]` in [0, num_classes), or None for 0, 1, ..., cycling.
            seed: int or None. As in `AdversarialModel.generate`.
            batch_size: int. Samples per forward pass.

        Returns:
            np.ndarray float32 `[N, *sample_shape]`.
        """
        noise = self.prepare_noise(num_or_noise, seed)
        num = int(noise.shape[0])
        labels = np.arange(num) % self.num_classes if labels is None else labels
        labels = self.check_labels(labels, num)
        return self.run_batched(
            lambda z, y: self([z, y], training=False), [noise, labels], batch_size
        )

    def serving_archive(self) -> tuple[keras.export.ExportArchive, dict]:
        """`serving_default` takes `noise` and `labels` int32 `[N]` in [0, num_classes)."""
        return serving.generator_archive(
            self.sampling_generator, self.latent_dim, self.num_classes, name=self.name
        )

    def get_config(self) -> dict:
        """Adds `num_classes`."""
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="gan_zoo")
class ACGAN(ConditionalGAN):
    """Auxiliary-classifier GAN (Odena, Olah & Shlens 2017, arXiv:1610.09585).

    D sees only the image and outputs a real/fake score and class logits
    (`networks.auxiliary_classifier_discriminator`). D minimises the adversarial
    loss plus the cross-entropy of the true class on real and generated images; G minimises
    its adversarial loss plus the cross-entropy of the class it was asked for. Logs add
    `class_loss` (D's auxiliary cross-entropy) and `real_class_accuracy`.

    Args:
        class_loss_weight: float ≥ 0. Weight of the auxiliary terms. Defaults to 1.
        **kwargs: see `ConditionalGAN`.
    """

    def __init__(
        self, generator, discriminator, num_classes: int, class_loss_weight: float = 1.0, **kwargs
    ):
        super().__init__(generator, discriminator, num_classes, **kwargs)
        self.class_loss_weight = float(class_loss_weight)
        self.class_loss_tracker = LossMean(name="class_loss")
        self.class_accuracy_tracker = LossMean(name="real_class_accuracy")

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The base trackers plus `class_loss` and `real_class_accuracy`."""
        return [*super().metrics, self.class_loss_tracker, self.class_accuracy_tracker]

    def discriminate(self, samples, conditions, training: bool = True):
        """`[scores, class_logits]` = D(x); the label is not an input."""
        return self.discriminator(samples, training=training)

    @staticmethod
    def scores_of(outputs):
        """The real/fake head."""
        return outputs[0]

    @staticmethod
    def _class_loss(logits, labels) -> tf.Tensor:
        return tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels, tf.cast(logits, tf.float32))
        )

    def discriminator_objective(
        self, real, fake, real_outputs, fake_outputs, conditions, update_index
    ):
        """Adversarial loss + weight · (CE(real class) + CE(fake class))."""
        adversarial = super().discriminator_objective(
            real, fake, real_outputs, fake_outputs, conditions, update_index
        )
        class_loss = self._class_loss(real_outputs[1], conditions) + self._class_loss(
            fake_outputs[1], conditions
        )
        predicted = tf.argmax(real_outputs[1], axis=-1, output_type=tf.int32)
        self.class_loss_tracker.update_state(class_loss)
        self.class_accuracy_tracker.update_state(
            tf.reduce_mean(tf.cast(tf.equal(predicted, conditions), tf.float32))
        )
        return adversarial + self.class_loss_weight * class_loss

    def generator_objective(self, fake_outputs, conditions, real_outputs=None):
        """Adversarial loss + weight · CE(asked-for class)."""
        adversarial = super().generator_objective(fake_outputs, conditions, real_outputs)
        return adversarial + self.class_loss_weight * self._class_loss(fake_outputs[1], conditions)

    def get_config(self) -> dict:
        """Adds `class_loss_weight`."""
        return {**super().get_config(), "class_loss_weight": self.class_loss_weight}
