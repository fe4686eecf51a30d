"""Text normalisation shared by the engines: folding, tokens, and safe highlight markup."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

# A token is a run of letters and digits; everything else (punctuation, emoji, control
# characters, FTS5 operators) separates tokens, so no user input reaches FTS5 as syntax.
TOKEN = re.compile(r"[^\W_]+")

# Letters without a Unicode decomposition that users type without their stroke or slash
# (Polish, Scandinavian, Croatian, Turkish): NFKD alone would leave them apart.
_EXTRA_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ŧ": "t",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)

# Sentinels around matched words: control characters never survive into indexed tokens and
# are stripped from document text first, so they cannot be forged by a document.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"
_MARKED = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}]*){MARK_CLOSE}")


# Marks with a combining class (accents, Greek tonos, cedillas) vanish after NFKD decomposition:
# those of the Basic Multilingual Plane by one character class of their ranges (several times
# faster than `str.translate` with a table), the few beyond it by a table, when text has any.
def _ranges(codepoints: list[int]) -> str:
    out, start = [], None
    for cp, nxt in zip(codepoints, [*codepoints[1:], -1], strict=True):
        start = cp if start is None else start
        if nxt != cp + 1:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(cp)) if cp != start else ""))
            start = None
    return "".join(out)


_COMBINING = re.compile(
    f"[{_ranges([cp for cp in range(0x10000) if unicodedata.combining(chr(cp))])}]"
)
_ASTRAL_COMBINING = {cp: None for cp in range(0x10000, 0x20000) if unicodedata.combining(chr(cp))}
_EXTRA = re.compile(f"[{''.join(map(chr, _EXTRA_FOLD))}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """Return text without case and diacritics (Greek accents included), as indexed."""
    if text.isascii():
        return text.lower()  # the same answer, without the Unicode work
    decomposed = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    if _ASTRAL.search(decomposed):
        decomposed = decomposed.translate(_ASTRAL_COMBINING)
    folded = decomposed.casefold()
    return _EXTRA.sub(lambda m: _EXTRA_FOLD[ord(m.group())], folded)


def tokens(text: str) -> list[str]:
    """Split text into folded tokens, the unit of indexing and matching."""
    return TOKEN.findall(fold(text))


def field_text(value: object) -> str:
    """Return the text of a document field: lists joined by spaces, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(field_text(item) for item in value)
    if isinstance(value, dict):
        return " ".join(field_text(item) for item in value.values())
    return str(value)


@lru_cache(maxsize=65_536)
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(TOKEN.findall(fold(word)))  # words repeat a lot across highlighted fields


@lru_cache(maxsize=8_192)
def _layout(text: str) -> tuple[str, tuple[tuple[int, int], ...], tuple[str, ...], tuple[int, ...]]:
    """Return text as marked (NFC, no sentinels), its words' spans, its folded tokens and the word
    each token comes from. Cached: the same hits come back for many queries."""
    text = unicodedata.normalize("NFC", strip_sentinels(text))
    spans: list[tuple[int, int]] = []
    flat: list[str] = []
    owner: list[int] = []
    for w, match in enumerate(TOKEN.finditer(text)):
        spans.append(match.span())
        for tok in _word_tokens(match.group()):
            flat.append(tok)
            owner.append(w)
    return text, tuple(spans), tuple(flat), tuple(owner)


def mark_tokens(text: str, select: Callable[[Sequence[str]], set[int]]) -> str:
    """Wrap in sentinels each word of text whose folded tokens `select` picks (by position).

    Selecting positions rather than testing words one by one lets a phrase be marked only where
    all its words stand together, not every "a" or "con" of a synonym phrase."""
    text, spans, flat, owner = _layout(text)
    chosen = sorted({owner[i] for i in select(flat)})
    if not chosen:
        return text
    parts: list[str] = []
    last = 0
    for w in chosen:
        start, end = spans[w]
        parts += (text[last:start], MARK_OPEN, text[start:end], MARK_CLOSE)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def strip_sentinels(text: str) -> str:
    """Remove sentinel characters a document might contain."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def render_marked(text: str) -> str:
    """Escape text for HTML, then turn balanced sentinel pairs into `<mark>` elements."""
    escaped = html.escape(text, quote=True)
    if MARK_OPEN not in escaped and MARK_CLOSE not in escaped:
        return escaped  # nothing marked (most fields of most hits)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return strip_sentinels(marked)
