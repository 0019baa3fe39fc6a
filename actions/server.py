"""The action server's entry point (`python -m rasa_sdk --actions actions.server`).

Naming the action modules here, instead of the whole `actions` package, keeps spaCy and with it
TensorFlow (which only the NLU components need) out of the action server: about 500 MB less.
"""

from actions import outcome, providers, questions, screening_form, support  # noqa: F401
from referral.eligibility.engine import rules
from referral.screening.lexicon import lexicon

# Built at start (about a second), so that the first person's first answer does not wait for
# them. The provider directory and the place index are loaded when `providers` is imported.
lexicon()
rules()
