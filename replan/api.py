"""What every JSON route shares: the documented error answers."""

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class ValidationErrors(BaseModel):
    detail: list[FieldError]


ERRORS = {
    401: {"model": ErrorDetail, "description": "No or a bad API token"},
    403: {"model": ErrorDetail, "description": "The role may not do this"},
    404: {"model": ErrorDetail, "description": "Not found"},
    422: {"model": ValidationErrors, "description": "Invalid parameters, each one named"},
}
