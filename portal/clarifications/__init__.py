"""Clarification questions about a round, answered and published to everyone."""
