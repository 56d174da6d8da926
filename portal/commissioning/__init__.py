"""Commissioners: round set-up, screening, assignment, moderation, decisions, and the people who run them."""
