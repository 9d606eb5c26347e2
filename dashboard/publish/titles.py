"""The custom-title rule: a title someone else wrote never passes for the project's own.

A custom title (the app's Title box, `?title=` in a URL, the command line's `--title`) is
- at most MAX_TITLE characters of letters, digits, spaces and punctuation, after Unicode NFKC
  normalisation: no emoji or symbols that could pass for a seal or a check mark, no markup
  brackets, no control, invisible or right-to-left override characters, no combining marks
  stacked into the lines above or below;
- printed above the project's own title, which stays on the image as a smaller line, and followed
  by the mark `custom_mark(publisher)`, so a reader sees both what the map is and who did not
  write the headline.

Strict where a person types and is answered (the command line and `render_layer` refuse a title
that breaks the rule); forgiving where nobody is (a URL's title is cleaned, with a notice).
Pure and light: the URL parser imports it without loading matplotlib.
"""

from __future__ import annotations

import unicodedata

from geodata.i18n import ENGLISH, Translator

MAX_TITLE = 100
#: symbol characters a headline may use besides letters, digits, spaces and punctuation
ALLOWED_SYMBOLS = frozenset("$€£¥+=%°±×÷")


def custom_mark(publisher: str, tr: Translator = ENGLISH) -> str:
    """The line printed under every custom title."""
    return tr("Custom title: not written by {publisher}.", publisher=publisher)


def _allowed(char: str) -> bool:
    if char == " " or char in ALLOWED_SYMBOLS:
        return True
    return unicodedata.category(char)[0] in "LNP"


def _normalised(text: str) -> str:
    # NFKC folds look-alikes that are only width or style variants (full-width letters, ligatures)
    # into their plain forms; whitespace of every kind, newlines included, becomes one space.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def title_problem(text: str | None) -> str | None:
    """Why `text` can't be printed as a custom title, or None when it can (an empty one means none)."""
    title = _normalised(text or "")
    if len(title) > MAX_TITLE:
        return f"the title is {len(title)} characters long: at most {MAX_TITLE}"
    refused = sorted({c for c in title if not _allowed(c)})
    if refused:
        shown = " ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in refused[:8])
        return f"the title may hold letters, digits, spaces and punctuation only, not {shown}"
    return None


def checked_title(text: str | None) -> str | None:
    """A custom title in its normalised form, or None for none; ValueError when it breaks the rule."""
    problem = title_problem(text)
    if problem:
        raise ValueError(problem)
    return _normalised(text or "") or None


def cleaned_title(text: str | None, tr: Translator = ENGLISH) -> tuple[str | None, tuple[str, ...]]:
    """A custom title that keeps to the rule, made from any text, and notices saying what was changed."""
    # Far past the cap, the rest is cut anyway: a hostile URL's megabyte is never normalised.
    normalised = _normalised((text or "")[: 20 * MAX_TITLE])
    kept = " ".join("".join(c for c in normalised if _allowed(c)).split())
    notices = []
    if kept != normalised:
        notices.append(tr("Characters other than letters, digits, spaces and punctuation were left out of the title."))
    if len(kept) > MAX_TITLE:
        kept = kept[:MAX_TITLE].rstrip()
        notices.append(tr("The title was cut to {count} characters.", count=MAX_TITLE))
    return kept or None, tuple(notices)


def is_custom(title: str | None, default: str) -> bool:
    """Whether `title` is a title of its own, not the project's `default` (which needs no mark)."""
    return bool(title) and _normalised(title or "").casefold() != _normalised(default).casefold()
