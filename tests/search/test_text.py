"""Folding, tokens and highlight markup shared by the engines."""

from hypothesis import given
from hypothesis import strategies as st

from search.text import MARK_CLOSE, MARK_OPEN, fold, mark_tokens, render_marked, tokens


def test_fold_removes_case_and_diacritics():
    assert fold("Città Málaga ŁÓDŹ Spielplätze") == "citta malaga lodz spielplatze"
    assert fold("Άσφαλτος") == fold("ασφαλτος") == "ασφαλτοσ"
    assert fold("Øresund Straße") == "oresund strasse"


def test_tokens_drop_punctuation_operators_and_emoji():
    assert tokens('end-of-life "tyres" AND (NEAR) 🦄 x*y^z:1') == [
        "end",
        "of",
        "life",
        "tyres",
        "and",
        "near",
        "x",
        "y",
        "z",
        "1",
    ]
    assert tokens("\x00\x02\x1f") == []


def test_marked_text_is_escaped_and_only_balanced_marks_count():
    assert (
        render_marked(f"<b>{MARK_OPEN}rubber{MARK_CLOSE}</b>")
        == "&lt;b&gt;<mark>rubber</mark>&lt;/b&gt;"
    )
    assert render_marked(f"a{MARK_CLOSE}b{MARK_OPEN}c") == "abc"


def test_mark_tokens_strips_forged_sentinels():
    text = f"{MARK_OPEN}<i>fake</i>{MARK_CLOSE} Rubber"
    html = render_marked(
        mark_tokens(text, lambda toks: {i for i, t in enumerate(toks) if t == "rubber"})
    )
    assert html == "&lt;i&gt;fake&lt;/i&gt; <mark>Rubber</mark>"


@given(st.text())
def test_highlights_never_contain_raw_markup(text):
    html = render_marked(
        mark_tokens(text, lambda toks: {i for i, t in enumerate(toks) if len(t) % 2 == 0})
    )
    without_marks = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
