"""Transparency: the public decision log, its hash chain, statistics and open data."""
