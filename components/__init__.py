"""Pieces plugged into Rasa: NLU components, the tracker store with retention, the socket.io channel."""

import warnings

from components import action_validation  # noqa: F401  (faster, equivalent action result validation)
from components import fast_load  # noqa: F401  (TensorFlow models loaded without a training step)

# Rasa's recipe validator looks for the exact class `ResponseSelector`, so our subclass
# (components/faq_selector.py) makes it warn that the FAQ answers would not be trained. They
# are: the subclass trains as Rasa's own. Only that false alarm is silenced.
warnings.filterwarnings("ignore", message=r".*does not include a response selector component.*")
