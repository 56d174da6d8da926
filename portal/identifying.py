"""Whether a text names a group: the check on anything published about a declined or reserve group.

Declined and reserve decisions are published without the group's name, so any text meant for the public
about one is refused when it contains something that identifies the group, however it is disguised. Both
the text and each detail are normalised the same way before comparing:

- Unicode compatibility forms are folded (NFKD, which also makes fullwidth "Ｔｏｔｔｅｎｈａｍ" and the "ﬁ"
  ligature plain) and case is folded; accents and other combining marks are dropped, and digits of any
  script are read as 0-9;
- Cyrillic and Greek letters drawn like Latin ones are read as those ("Тоttеnhаm" with Cyrillic Т, о, е, а;
  ``LOOKALIKES``), on both sides, so a name in those scripts still matches itself;
- apostrophes and single quotes of every kind are dropped ("Mothers’", "Mothers'" and "Mothers" agree);
- invisible format characters (zero-width spaces and joiners, bidirectional controls, soft hyphens) are
  dropped without splitting a word (though a word may start after one);
- everything else that is not a letter or digit (spaces, hyphens and dashes of every kind, double quotes,
  punctuation) is dropped, so "Tottenham-Mothers-Network" and "TottenhamMothersNetwork" agree.

A detail matches only where it starts and ends at a word boundary in the text (a space or punctuation, a
dropped apostrophe, a change from lower to upper case, or between letters and digits), so "Reference
10999990" does not match charity number 1099999 and "kickboxing" does not match "boxing".

What is compared, and of what kind (``Kind``): the group's name (as sent and as now, with and without a
legal suffix such as "CIC") and every distinctive run of two or more of its words; its charity and company
numbers (digits only: "1187-654" and "1 187 654" match 1187654; a company number also without its leading
zeros); its postcode (with or without a space or dash); its address lines (not the town, which says only
where the group is, as the published description does); the names of its members and contacts, whole and
as runs of two or more words; and the project's title.

A run is distinctive unless it starts or ends with a joining word ("of", "and": ``JOINING_WORDS``) or all
its words are common words (``COMMON_WORDS``): joining words, words for kinds of group ("community",
"group", "network", "club", "trust"...), words for the people a youth fund is about ("youth", "young",
"people", "women"...), and places ("London", "north", every borough's name). So for "Tottenham Mothers'
Network", "Tottenham Mothers" and "Mothers Network" are refused, while "A community group in Haringey" and
"young people in Tottenham" are not; a name made only of common words ("Brent Faith Forum") is refused only
whole; for "Friends of Finsbury Park", "Friends of Finsbury" is refused but "east of Finsbury" is not. A
single word is never refused on its own unless it is the whole name.

What matched is reported by kind and position, never by the detail itself, so messages say "Remove the
group's name" and nothing identifying is repeated into logs. A small kernel module: no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from portal.boroughs import BOROUGHS


class Kind(StrEnum):
    """Which kind of identifying detail matched."""

    NAME = "name"
    NUMBER = "number"
    POSTCODE = "postcode"
    ADDRESS = "address"
    PERSON = "person"
    PROJECT = "project"


# What to remove, in the words a message uses ("Remove the group's name and the postcode").
KIND_WORDS = {
    Kind.NAME: "the group's name, or any part of it",
    Kind.NUMBER: "the group's charity or company number",
    Kind.POSTCODE: "the group's postcode",
    Kind.ADDRESS: "the group's address",
    Kind.PERSON: "the names of people in the group",
    Kind.PROJECT: "the project's title",
}

# Cyrillic and Greek letters (after case folding) that look like Latin ones, read as the Latin letter.
LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ԝ": "w", "х": "x",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w",
})
# Apostrophes and single quotes of every kind: dropped, as if never typed (but they end a word).
APOSTROPHES = frozenset("'`´ʹʻʼʽʾʿˈˊˋ՚׳‘’‚‛′‵❛❜＇")
# Words that join others ("Friends of Finsbury Park"): a run starting or ending with one is no name.
JOINING_WORDS = frozenset({"a", "an", "the", "and", "or", "of", "for", "in", "on", "at", "to", "by", "with", "from",
                           "de", "la", "le", "du", "da", "di", "van", "von", "der", "den", "bin", "ibn"})
LEGAL_SUFFIXES = ("cic", "cio", "ltd", "limited", "plc", "llp", "inc", "scio")
_PLACE_WORDS = {word for name in BOROUGHS.values() for word in name.lower().split()}
# Words too common to make a run of a name distinctive on their own (see the module's docstring).
COMMON_WORDS = frozenset({
    # joining words
    *JOINING_WORDS, "our", "we", "us", "its",
    # kinds of group
    "community", "communities", "group", "groups", "network", "networks", "club", "clubs", "association",
    "associations", "society", "trust", "foundation", "project", "projects", "centre", "center", "centres",
    "forum", "alliance", "partnership", "partners", "collective", "charity", "charitable", "company",
    "organisation", "organization", "services", "service", "support", "hub", "initiative", "team", "programme",
    "program", "council", "committee", "union", "federation", "coalition", "cooperative", "coop", "co",
    "registered", "incorporated", "interest", "benefit", "not", "profit", "faith", "school", "schools",
    "college", "academy", "hall", "trustees", "friends", "action", "voluntary", "volunteers", "volunteer",
    "local", "neighbourhood", "neighborhood", *LEGAL_SUFFIXES,
    # the people a youth fund is about
    "youth", "young", "people", "person", "persons", "children", "child", "kids", "teenagers", "families",
    "family", "parents", "women", "men", "girls", "boys", "residents", "adults",
    # places
    "london", "greater", "north", "south", "east", "west", "central", "inner", "outer", "borough", "city",
    *_PLACE_WORDS,
})
# A postcode as people write it: "N17 9LN", "n179ln", "N17-9LN".
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[\s-]*[0-9][A-Z]{2}$", re.IGNORECASE)
# Hangul fillers count as letters but show nothing: dropped like the invisible format characters.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_MINIMUM = 3  # a stray initial or a one-digit house number names nobody
_MINIMUM_RUN = 5  # two short words ("St Jo") are too common to refuse


# Normalising -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    """A text folded for comparing: its letters and digits, where words start, and where each came from."""

    chars: str
    starts: tuple[bool, ...]  # starts[k]: a word boundary comes just before chars[k]
    words_at: tuple[bool, ...]  # words_at[k]: a space or punctuation (not just an apostrophe) comes before it
    origin: tuple[int, ...]  # origin[k]: the index in the original text chars[k] came from

    def boundary_after(self, end: int) -> bool:
        """Whether a word boundary comes just before position ``end`` (or the text ends there)."""
        return end >= len(self.chars) or self.starts[end]

    def words(self) -> list[str]:
        """The words, split at spaces and punctuation only (so "Mary's" stays one word)."""
        words: list[str] = []
        for k, char in enumerate(self.chars):
            if k == 0 or self.words_at[k]:
                words.append(char)
            else:
                words[-1] += char
        return words


def _folded(char: str) -> str:
    """One character in compatibility form, case-folded, with combining marks dropped and digits as 0-9."""
    out = []
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold()).translate(LOOKALIKES)
    for part in folded:
        if unicodedata.category(part).startswith("M"):
            continue
        value = unicodedata.decimal(part, None)
        out.append(str(value) if value is not None else part)
    return "".join(out)


def normalise(text: str | None) -> Normalised:
    """The text as the matcher compares it (see the module's docstring)."""
    chars: list[str] = []
    starts: list[bool] = []
    words_at: list[bool] = []
    origin: list[int] = []
    separated = soft = True  # a boundary is pending before the next letter or digit
    previous = ""  # the previous letter or digit as typed
    for index, char in enumerate(text or ""):
        if char in APOSTROPHES:
            soft = True
            continue
        if unicodedata.category(char) == "Cf" or char in _INVISIBLE_LETTERS:
            soft = True  # a word may end here, but one broken by it still matches
            continue  # invisible: zero-width, bidirectional controls, soft hyphens, Hangul fillers
        if char == "&":
            char = " and "
        folded = _folded(char) if char != " and " else char
        if not folded:
            continue  # a combining mark on its own
        for part in folded:
            if not part.isalnum():
                separated = soft = True
                continue
            kind_changed = previous and (previous.isdigit() != part.isdigit())
            camel = previous.islower() and char.isupper()
            chars.append(part)
            starts.append(soft or separated or bool(kind_changed) or camel)
            words_at.append(separated)
            origin.append(index)
            separated = soft = False
            previous = char if char.isalnum() and len(folded) == 1 else part
    return Normalised("".join(chars), tuple(starts), tuple(words_at), tuple(origin))


# The details ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """Something identifying in a text: its kind and where it is in the text as typed."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True)
class _Term:
    kind: Kind
    chars: str


def _runs(words: list[str], *, common: frozenset[str]) -> list[str]:
    """Every run of two or more neighbouring words that neither starts nor ends with a joining word ("of",
    "and"...) and holds at least one word not in ``common``: "Tottenham Mothers", "Friends of Finsbury"."""
    runs = []
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            run = words[start:end]
            if run[0] in JOINING_WORDS or run[-1] in JOINING_WORDS or all(word in common for word in run):
                continue
            if len("".join(run)) >= _MINIMUM_RUN:
                runs.append("".join(run))
    return runs


def _without_suffix(words: list[str]) -> list[str]:
    """The name's words without a legal suffix at the end ("Southwark Boxing Club CIC")."""
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words = words[:-1]
    return words


class Identifying:
    """What would identify one group, compiled for matching texts against."""

    def __init__(self, *, names: Iterable[str | None] = (), numbers: Iterable[str | None] = (),
                 postcodes: Iterable[str | None] = (), address_lines: Iterable[str | None] = (),
                 people: Iterable[str | None] = (), project_titles: Iterable[str | None] = (),
                 places: Iterable[str | None] = ()) -> None:
        place_words = {normalise(place).chars for place in places if place}
        self._terms: dict[str, Kind] = {}
        for name in filter(None, names):
            words = normalise(name).words()
            self._add(Kind.NAME, "".join(words))
            self._add(Kind.NAME, "".join(_without_suffix(words)))
            for run in _runs(_without_suffix(words), common=COMMON_WORDS | place_words):
                self._add(Kind.NAME, run)
        for number in filter(None, numbers):
            digits = normalise(number).chars
            self._add(Kind.NUMBER, digits)
            if digits.isdigit() and len(digits.lstrip("0")) >= 6:
                self._add(Kind.NUMBER, digits.lstrip("0"))
        for postcode in filter(None, postcodes):
            self._add(Kind.POSTCODE, normalise(postcode).chars)
        for line in filter(None, address_lines):
            folded = normalise(line).chars
            if folded in place_words or folded in COMMON_WORDS:
                continue  # the town says only where the group is
            self._add(Kind.POSTCODE if POSTCODE.match(line.strip()) else Kind.ADDRESS, folded)
        for person in filter(None, people):
            words = normalise(person).words()
            self._add(Kind.PERSON, "".join(words))
            for run in _runs(words, common=frozenset()):
                self._add(Kind.PERSON, run)
        for title in filter(None, project_titles):
            self._add(Kind.PROJECT, normalise(title).chars)

    def _add(self, kind: Kind, chars: str) -> None:
        """Remember one folded detail (the first kind given for it wins)."""
        if len(chars) >= _MINIMUM:
            self._terms.setdefault(chars, kind)

    def __bool__(self) -> bool:
        return bool(self._terms)

    def find(self, text: str | None) -> list[Found]:
        """Everything identifying in the text, in the order it appears (overlapping matches merged by kind)."""
        folded = normalise(text)
        found: list[Found] = []
        for chars, kind in self._terms.items():
            at = folded.chars.find(chars)
            while at >= 0:
                end = at + len(chars)
                if folded.starts[at] and folded.boundary_after(end):
                    found.append(Found(kind=kind, start=folded.origin[at], end=folded.origin[end - 1] + 1))
                at = folded.chars.find(chars, at + 1)
        return sorted(set(found), key=lambda f: (f.start, -f.end, f.kind))

    def kinds(self, text: str | None) -> list[Kind]:
        """The kinds of identifying detail in the text, in the order they first appear."""
        kinds: list[Kind] = []
        for found in self.find(text):
            if found.kind not in kinds:
                kinds.append(found.kind)
        return kinds


NOTHING = Identifying()


def removal_words(kinds: Iterable[Kind]) -> str:
    """What to remove, as a phrase: "the group's name, or any part of it, and the group's postcode"."""
    words = [KIND_WORDS[kind] for kind in kinds]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
