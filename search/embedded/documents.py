"""From the search schema and plain documents to tantivy's schema and documents.

Searchable fields are indexed as search.text folds and tokenizes them (so Greek accents, Polish
ł and the query agree exactly), each term stored with its first letter doubled: tantivy's
Levenshtein automaton then counts a typo on the first letter as two, as Meilisearch does, while
every other edit (an adjacent swap too) counts one.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import tantivy

from search.backend import IndexSchema, SearchError
from search.text import field_text, tokens

WORDS = "replan_words"
ID = "id"
STORED = "_document"


def folded_field(name: str) -> str:
    """Return the hidden field that filters a keyword field, case folded as Meilisearch does."""
    return f"{name}__casefold"


def term(token: str) -> str:
    """Return the indexed form of a folded token."""
    return token[:1] + token


@lru_cache(maxsize=8192)
def indexed_text(text: str) -> str:
    """Return a field's text as indexed: its folded tokens as terms, separated by spaces.

    Cached: the labels field repeats across every case of an application."""
    return " ".join([t[:1] + t for t in tokens(text)])  # term(t), inlined: millions of calls


def untermed(indexed: str) -> str:
    return indexed[1:]


def build_schema(schema: IndexSchema) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, fast=True, tokenizer_name="raw")
    for name in schema.searchable:
        builder.add_text_field(name, tokenizer_name=WORDS, index_option="position")
    for name in schema.keywords:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
        builder.add_text_field(folded_field(name), tokenizer_name="raw")
    for name in schema.numbers:
        builder.add_float_field(name, indexed=True, fast=True)
    for name in schema.booleans:
        builder.add_boolean_field(name, indexed=True, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


def to_tantivy(doc: dict, schema: IndexSchema) -> tantivy.Document:
    if not isinstance(doc, dict) or doc.get("id") in (None, ""):
        raise SearchError("every document needs an id")
    out = tantivy.Document()
    out.add_text(ID, str(doc["id"]))
    for name in schema.searchable:
        out.add_text(name, indexed_text(field_text(doc.get(name))))
    for name in schema.keywords:
        for value in _values(doc.get(name)):
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                out.add_text(name, str(value))
                out.add_text(folded_field(name), str(value).casefold())
    for name in schema.numbers:
        for value in _values(doc.get(name)):
            if isinstance(value, int | float) and not isinstance(value, bool):
                if math.isfinite(value):
                    out.add_float(name, float(value))
    for name in schema.booleans:
        for value in _values(doc.get(name)):
            if isinstance(value, bool):
                out.add_boolean(name, value)
    out.add_bytes(STORED, json.dumps(doc, ensure_ascii=False).encode())
    return out


def from_tantivy(stored: tantivy.Document) -> dict:
    return json.loads(bytes(stored[STORED][0]))


def _values(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
