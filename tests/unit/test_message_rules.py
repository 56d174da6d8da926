"""The rules for the text of a message about an application."""

from portal.messages.services import CHARACTER_LIMIT, clean_text, length_problem


def test_direction_overrides_and_zero_width_spaces_are_removed():
    """Characters that make text read differently from what it says never reach the page."""
    typed = "invoice\u202efdp.exe\u2066 and\u200b\ufeff a\u200fb\u061c"
    assert clean_text(typed) == "invoicefdp.exe and ab"


def test_joiners_that_scripts_and_emoji_need_are_kept():
    """Zero-width joiners and non-joiners stay: Persian, Bengali and many emoji need them."""
    assert clean_text("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001F469\u200d\U0001F467") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001F469\u200d\U0001F467")


def test_line_breaks_are_kept_and_made_plain():
    """Windows and old Mac line ends become plain newlines; spaces around the message go."""
    assert clean_text("  First line\r\nSecond\rThird\n\n  ") == "First line\nSecond\nThird"


def test_the_length_limit_says_how_much_to_remove():
    """At the limit is fine; over it, the message says how many characters to remove."""
    assert length_problem("x" * CHARACTER_LIMIT) is None
    assert length_problem("x" * (CHARACTER_LIMIT + 1)) == (
        "Your message must be 3,000 characters or fewer. Remove 1 character")
    assert length_problem("x" * (CHARACTER_LIMIT + 1234)).endswith("Remove 1,234 characters")
