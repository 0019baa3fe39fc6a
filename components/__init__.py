"""Pieces plugged into Rasa: NLU components, the tracker store with retention, the socket.io channel."""

import logging
import warnings

from components import action_validation  # noqa: F401  (faster, equivalent action result validation)
from components import fast_load  # noqa: F401  (TensorFlow models loaded without a training step)

# Rasa's recipe validator looks for the exact class `ResponseSelector`, so our subclass
# (components/faq_selector.py) makes it warn that the FAQ answers would not be trained. They
# are: the subclass trains as Rasa's own. Only that false alarm is silenced.
warnings.filterwarnings("ignore", message=r".*does not include a response selector component.*")

# Rasa's response templating reads the greeting's button payloads ('/check_eligibility{"for_whom":
# "self"}') as slot placeholders, finds none, returns the response unchanged, and logs an error
# whose local variables include every slot value of the conversation: health information in the
# log. The templating is a no-op for those payloads (our responses use no slot placeholders), so
# that one logger is silenced below ERROR's reach.
logging.getLogger("rasa.core.nlg.interpolator").setLevel(logging.CRITICAL)
