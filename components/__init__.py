"""Pieces plugged into Rasa: NLU components, the tracker store with retention, the socket.io channel.

Importing this package patches nothing in Rasa: our patches are in components/patches/ and are
enabled by the launcher Rasa is started with (`python -m components.rasa_cli`).
"""

import logging
import warnings


def configure_logging_and_warnings() -> None:
    """Our two logging and warning settings; run on import, and again by components/rasa_cli.py
    after Rasa's command line has put its own warning filters in front of ours."""
    # Rasa's recipe validator looks for the exact class `ResponseSelector`, so our subclass
    # (components/faq_selector.py) makes it warn that the FAQ answers would not be trained. They
    # are: the subclass trains as Rasa's own. Only that false alarm is silenced.
    warnings.filterwarnings("ignore", message=r".*does not include a response selector component.*")

    # Rasa's response templating reads the greeting's button payloads
    # ('/check_eligibility{"for_whom": "self"}') as slot placeholders, finds none, returns the
    # response unchanged, and logs an error whose local variables include every slot value of the
    # conversation: health information in the log. The templating is a no-op for those payloads
    # (our responses use no slot placeholders), so that one logger is silenced below ERROR's reach.
    logging.getLogger("rasa.core.nlg.interpolator").setLevel(logging.CRITICAL)


configure_logging_and_warnings()
