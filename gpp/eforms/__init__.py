"""eForms: the official code lists (eForms SDK, Publications Office of the EU, CC BY 4.0) that the
criteria library and the exports are checked against."""
