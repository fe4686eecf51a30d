"""The strict base of the criteria library's models and a criterion's eForms codes (BT-805,
BT-774, BT-809), each checked against the official code list (`gpp.eforms.codelists`)."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gpp.eforms import codelists


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Eforms(Strict):
    """The eForms codes of a criterion, each a value of the official code list.

    BT-805 depends on the buyer's country: a criterion that is a national rule of one country
    (`national_rule_of: IT` for the Italian CAM) is `national` only in that country's specs and
    `bt_805` (`other`, or `eu` for EU GPP criteria) elsewhere; so `bt_805` is never `national`."""

    bt_805: str
    national_rule_of: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    bt_774: list[str] = Field(default_factory=list)  # empty: the criterion is not environmental
    bt_809: str | None = None  # the selection-criterion code, for selection criteria only

    @field_validator("bt_805")
    @classmethod
    def _gpp_code(cls, value: str) -> str:
        codelists.check(codelists.GPP_CRITERIA, value)
        if value in ("national", "none"):
            raise ValueError(
                f"'{value}' depends on the buyer's country: give bt_805 'eu' or 'other' "
                "and national_rule_of the country whose national rule the criterion is"
            )
        return value

    @field_validator("bt_774")
    @classmethod
    def _impact_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            codelists.check(codelists.ENVIRONMENTAL_IMPACT, code)
        if len(set(value)) != len(value):
            raise ValueError("a code is listed twice")
        return value

    @field_validator("bt_809")
    @classmethod
    def _selection_code(cls, value: str | None) -> str | None:
        return None if value is None else codelists.check(codelists.SELECTION_CRITERION, value)

    def bt_805_for(self, country: str | None) -> str:
        """Return the BT-805 code of this criterion in a spec for a buyer in that country."""
        national = self.national_rule_of and (country or "").upper() == self.national_rule_of
        return "national" if national else self.bt_805
