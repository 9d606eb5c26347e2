"""Turning data into text for the page. Everything from the tables is data, never markup."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Markdown (and Streamlit's extensions: $math$, :colors[], ~strike~) special characters.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown: `<script>` stays visible, no link or style is made."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return text.replace("\n", " ")


def safe_href(url: str) -> str | None:
    """The URL if it is a well-formed https URL (never javascript:, data: or relative), else None."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        return None
    return url.strip()


def safe_link(url: str, label: str = "source") -> str:
    """A markdown link, only for well-formed https URLs; otherwise the escaped text."""
    if safe_href(url) is None:
        return md_escape(url)
    # Percent-encode whatever could close the markdown link early.
    href = quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")
    href = href.replace("(", "%28").replace(")", "%29")
    return f"[{md_escape(label)}]({href})"
