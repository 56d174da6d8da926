"""Invisible characters that make text read differently from what it says, removed from everything typed.

Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, the U+200E/U+200F
marks and U+061C, the Arabic letter mark) reorder a line on screen, so a name can show one thing and hold
another; zero-width characters (U+200B, U+2060 and the other invisible operators U+2061–U+2064, U+FEFF,
U+180E) hide inside a word so it no longer matches itself. Zero-width joiners and non-joiners (U+200C,
U+200D) stay: Persian, Bengali and other scripts, and many emoji, need them to read correctly.

A small kernel module (no Flask): portal/forms.py applies it to every field of every form, and
portal/messages/services.py to messages.
"""

from __future__ import annotations

import re
from typing import Any

INVISIBLE_CHARACTERS = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(text: str) -> str:
    """The text without bidirectional controls and zero-width characters (joiners kept)."""
    return INVISIBLE_CHARACTERS.sub("", text)


def drop_invisible(value: Any) -> Any:
    """Field filter: ``strip_invisible`` for text, anything else as it is."""
    return strip_invisible(value) if isinstance(value, str) else value
