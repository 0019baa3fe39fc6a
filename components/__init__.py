"""Pieces plugged into Rasa: NLU components, the tracker store with retention, the socket.io channel."""

from components import action_validation  # noqa: F401  (faster, equivalent action result validation)
