"""Rasa's ResponseSelector, run only on messages whose intent can end up as the FAQ intent.

The ResponseSelector picks the answer (`faq/<topic>`) for a program question. Rasa runs it on
every message, although its pick is used only when the intent is `faq`: on a screening answer
("twice", "01608"), a greeting or a button it is a second neural network run for nothing, about
a tenth of a turn (py-spy). Here it runs when the intent is `faq`, and also when the model's top
intent is `crisis` with `faq` next, because the crisis layer (last in the pipeline) replaces a
crisis said by the model alone with the next intent, and on a message with a question mark (an
answer may carry a program question). Training is Rasa's own.
"""

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

CRISIS_INTENT = "crisis"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    """`ResponseSelector` that skips the messages whose intent cannot become the FAQ intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        wanted = [message for message in messages if self.may_be_faq(message)]
        if wanted:
            super().process(wanted)
        return messages

    def may_be_faq(self, message: Message) -> bool:
        faq = self.retrieval_intent
        if not faq:
            return True  # one selector for every retrieval intent: keep Rasa's behaviour
        top = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if top == faq or "?" in (message.get(TEXT) or ""):
            # A question mark: maybe a program question in an answer ("we live in Worcester, does
            # it cost anything?"); the action decides with the ranking whether it is one.
            return True
        ranking = [r.get(INTENT_NAME_KEY) for r in message.get(INTENT_RANKING_KEY) or []]
        return top == CRISIS_INTENT and faq in ranking[1:2]
