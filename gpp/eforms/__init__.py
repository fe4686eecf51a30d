"""eForms: the official code lists (eForms SDK, Publications Office of the EU, CC BY 4.0) that the
criteria library and the exports are checked against, and the official labels of the business
terms, codes and CPV codes in the seven languages (`labels`), with which documents print them."""
