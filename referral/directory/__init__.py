"""Provider directory: HSDS-aligned data files, offline geocoding and nearest-provider look-up.

The actions use only this interface; see README.md in this folder for the data format.
"""

from .geo import PlaceMatch, distance_miles, place_names, resolve_place
from .lexicon import canonical_language
from .loader import default_directory, load_directory
from .model import DirectoryError, Provider, SearchResult
from .search import Directory

__all__ = [
    "Directory",
    "DirectoryError",
    "PlaceMatch",
    "Provider",
    "SearchResult",
    "canonical_language",
    "default_directory",
    "distance_miles",
    "load_directory",
    "place_names",
    "resolve_place",
]
