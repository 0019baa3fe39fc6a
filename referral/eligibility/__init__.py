"""Eligibility per program: the rules as data (rules.yml) and the engine that applies them."""
