"""Crisis safety net: patterns (patterns.yml), the matcher, and the crisis resources data."""
