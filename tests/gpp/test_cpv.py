"""The CPV list: both written forms of a code, unknown and malformed codes."""

from gpp import cpv


def test_codes_with_or_without_check_digit_are_known():
    assert cpv.is_known("45233140") and cpv.is_known("45233140-2")
    assert cpv.description("45233140-2") == "Roadworks"
    assert len(cpv.codes()) > 9000 and all(len(c) == 8 and c.isdigit() for c in cpv.codes())


def test_unknown_malformed_and_artefact_codes_are_not():
    for code in ("45233149", "4523314", "45233140-22", "abc", "", "00000004"):
        assert not cpv.is_known(code), code
