"""The youth panel: conflicts of interest, scoring, interviews."""
