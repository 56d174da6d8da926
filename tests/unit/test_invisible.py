"""Invisible characters are dropped from everything typed, in one shared helper (issue 15)."""

from __future__ import annotations

import pytest

from portal import invisible
from portal.forms import drop_control_characters
from portal.messages import services as messages

BIDIRECTIONAL = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
                 "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u2060", "\ufeff"]


@pytest.mark.parametrize("char", BIDIRECTIONAL + ZERO_WIDTH)
def test_every_bidirectional_control_and_zero_width_character_is_dropped(char):
    assert invisible.strip_invisible(f"Tottenham{char} Mothers{char}") == "Tottenham Mothers"
    assert drop_control_characters(f"\x00Tottenham{char} Mothers") == "Tottenham Mothers"


def test_joiners_that_scripts_need_stay():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a zero-width non-joiner
    bengali = "\u0995\u09cd\u200d\u09b7"
    family = "\U0001f469\u200d\U0001f467"
    for text in (persian, bengali, family):
        assert invisible.strip_invisible(text) == text and drop_control_characters(text) == text


def test_messages_use_the_shared_helper():
    assert messages.strip_invisible is invisible.strip_invisible
    assert messages.clean_text(" Hello\u202e there\u200b \r\n") == "Hello there"
    assert not hasattr(messages, "_INVISIBLE")
