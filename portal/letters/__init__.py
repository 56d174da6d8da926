"""Outcome letters: rendered from the decision as accessible PDFs, issued in versions that never change."""
