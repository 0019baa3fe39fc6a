"""The one use of Rasa's private SQL tracker store API: which of a tracker's events are not stored.

Uses `SQLTrackerStore._additional_events(session, tracker)` (rasa/core/tracker_store.py), checked
on Rasa 3.6.21. Nothing is installed into Rasa: `components/retention.py` calls
`events_not_stored` when a tracker it did not hand out is saved, and `components.patches.enable()`
checks the Rasa version with the other patches. Rasa's count is the one its own `save` uses (the
events since the latest session start in the database), so our store writes the same rows.
"""

from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

RASA_VERSION = "3.6.21"


def events_not_stored(store: SQLTrackerStore, session: Any, tracker: DialogueStateTracker) -> Iterator:
    """The tracker's events not in the store's database yet, counted as Rasa counts them."""
    return SQLTrackerStore._additional_events(store, session, tracker)
