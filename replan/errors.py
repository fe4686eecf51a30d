"""The errors every domain's services raise, mapped to HTTP once by `replan.app`.

Each carries a message id (marked with `N_`) and its variables: pages show it translated into the
reader's language, the API answers it in English. `Invalid` may name the field at fault, so that a
form shows the message beside it and the API names the field. Services never build an HTTP answer
and never know a status code: the class says what went wrong, the app says how to answer."""

from collections.abc import Callable, Sequence
from typing import ClassVar


class DomainError(Exception):
    """A request the domain refuses; `message` is a message id, `variables` fill it."""

    status: ClassVar[int] = 400

    def __init__(self, message: str, /, *, field: str | None = None, **variables: object) -> None:
        super().__init__(message % variables if variables else message)
        self.message = message
        self.variables = variables
        self.field = field

    def text(self, gettext: Callable[[str], str] | None = None) -> str:
        """Return the message, translated by `gettext` when one is given, else in English."""
        template = gettext(self.message) if gettext else self.message
        return template % self.variables if self.variables else template


class NotFound(DomainError):
    """The thing asked for does not exist, or the reader may not know that it does."""

    status = 404


class Forbidden(DomainError):
    """The user is known but may not do this."""

    status = 403


class Conflict(DomainError):
    """The request fits no longer: someone else changed the thing, or its state forbids the step."""

    status = 409


class Invalid(DomainError):
    """The input breaks a rule of the domain (pydantic catches the shapes, this the meaning).

    A dotted `field` names a nested input (`parameters.<criterion>.<name>`)."""

    status = 422

    def problems(self) -> list["Invalid"]:
        """Return each problem of the input: this one (several in `Invalids`)."""
        return [self]


class Invalids(Invalid):
    """Several inputs break rules at once: a form or a request answers all of them together."""

    def __init__(self, problems: Sequence[Invalid]) -> None:
        if not problems:
            raise ValueError("Invalids needs at least one problem")
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.variables)
        self._problems = list(problems)

    def problems(self) -> list[Invalid]:
        return list(self._problems)
