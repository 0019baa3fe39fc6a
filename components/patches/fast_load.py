"""Patch: Rasa's TensorFlow models (DIET, ResponseSelector) load without a training step.

Patches `RasaModel.load` (rasa/utils/tensorflow/models.py), checked on Rasa 3.6.21; installed by
`components.patches.enable()`.

Rasa 3.6 builds a loaded model's weights by running `fit` on one example before it reads the
trained weights: TensorFlow traces the whole training graph (loss, gradients, optimizer) just to
create variables that inference then overwrites. That was 12 of the 31 seconds Rasa took to
start on our 2-core machines (py-spy). Here the trained weights are read first and restored as
the inference pass creates each variable (TensorFlow's delayed restoration); the optimizer state
in the checkpoint is not needed to predict. `tests/test_trained_model.py` checks, on the trained
model, that both ways of loading give the same predictions.

Fine-tuning (`rasa train --finetune`) needs the optimizer, so it keeps Rasa's own loading.
"""

import logging
from typing import Any, Optional, Text

import tensorflow as tf
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"

# Rasa's own `load` (this module is imported before `install()` replaces it).
rasa_load = RasaModel.load.__func__


def load_for_inference(
    cls: Any,
    model_file_name: Text,
    model_data_example: RasaModelData,
    predict_data_example: Optional[RasaModelData] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """`RasaModel.load` for prediction: weights restored as the first inference creates them."""
    if finetune_mode or predict_data_example is None:
        return rasa_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs)
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=config.get(RUN_EAGERLY)
    )
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)
    # Every variable inference uses must now hold its trained value; only the optimizer's slots
    # (and layers used in training alone) may stay unrestored.
    status.assert_existing_objects_matched()
    status.expect_partial()
    logger.debug("Loaded %s for inference from %s.", cls.__name__, model_file_name)
    return model


def install() -> None:
    """Makes `load_for_inference` Rasa's `RasaModel.load`; a second call changes nothing."""
    if RasaModel.load.__func__ is not load_for_inference:
        RasaModel.load = classmethod(load_for_inference)
