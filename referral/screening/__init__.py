"""The screening: its questions (questions.yml) and the reading of free-text answers (answers.py)."""
