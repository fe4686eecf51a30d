"""Rate limits per client address (and per account for sign-ins), kept by the `limits` library.

Each rule is a setting in the library's notation ("300/minute", "5 per 15 minutes"). A hit is
counted and checked in one atomic step of the storage, before the work it guards, so parallel
requests can never do more work than the rule allows. The default storage is the process's
memory; with several server processes set `REPLAN_RATE_LIMIT_STORAGE` to a shared one
(`redis://...`, `memcached://...`) or each process counts on its own."""

import math
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from replan.i18n import N_
from replan.settings import Settings

TOO_MANY = N_("Too many requests: wait a moment and try again.")


class RateLimited(HTTPException):
    """A rule refused a hit: answered 429 with `Retry-After`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, TOO_MANY, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rules:
    api: RateLimitItem
    specs: RateLimitItem
    exports: RateLimitItem
    contact: RateLimitItem
    login_address: RateLimitItem
    login_account_address: RateLimitItem
    login_account: RateLimitItem


class Limiter:
    """The rules of one app and the storage that counts their hits."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits
        self.storage = storage_from_string(settings.rate_limit_storage)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.rules = Rules(
            api=parse(settings.rate_limit_api),
            specs=parse(settings.rate_limit_specs),
            exports=parse(settings.rate_limit_exports),
            contact=parse(settings.rate_limit_contact),
            login_address=parse(settings.rate_limit_login_address),
            login_account_address=parse(f"{settings.login_attempts} per 15 minutes"),
            login_account=parse(settings.rate_limit_login_account),
        )

    def hit(self, rule: RateLimitItem, *keys: str) -> None:
        """Count one hit of `rule` for `keys`, or raise RateLimited when it is used up."""
        if not self.enabled or self.strategy.hit(rule, *keys):
            return
        reset = self.strategy.get_window_stats(rule, *keys).reset_time
        raise RateLimited(max(1, math.ceil(reset - time.time())))

    def clear(self, rule: RateLimitItem, *keys: str) -> None:
        self.strategy.clear(rule, *keys)


def client_address(request: Request) -> str:
    """Return the client's address (behind a proxy, the server's --proxy-headers set it)."""
    return request.client.host if request.client else "unknown"


def limiter(request: Request) -> Limiter:
    return request.app.state.limiter


def limit_api(request: Request) -> None:
    """Dependency: count a request to the JSON API against the caller's address."""
    rules = limiter(request).rules
    limiter(request).hit(rules.api, "api", client_address(request))


def limit_specs(request: Request) -> None:
    """Dependency: count one spec created by the caller's address."""
    if request.method == "POST":
        limiter(request).hit(limiter(request).rules.specs, "specs", client_address(request))


def limit_exports(request: Request) -> None:
    """Dependency: count one export rendered for the caller's address."""
    limiter(request).hit(limiter(request).rules.exports, "exports", client_address(request))


def limit_contact(request: Request) -> None:
    """Dependency: count one message sent through a contact form by the caller's address."""
    limiter(request).hit(limiter(request).rules.contact, "contact", client_address(request))


def limit_sign_in(request: Request, account: str) -> None:
    """Count a sign-in attempt before the password is checked, or raise RateLimited.

    Three rules: per address (one client trying many accounts), per account from one address
    (the tight one, `login_attempts`), and per account from anywhere (higher, so that an
    attacker's five guesses do not lock the owner out of their own address, while guesses
    spread over many addresses are still bounded). Each lockout ends with its window."""
    lim, address = limiter(request), client_address(request)
    lim.hit(lim.rules.login_address, "login", address)
    lim.hit(lim.rules.login_account_address, "login", account, address)
    lim.hit(lim.rules.login_account, "login", account)


def signed_in(request: Request, account: str) -> None:
    """Forget the failures of this account from this address after a good password."""
    lim = limiter(request)
    lim.clear(lim.rules.login_account_address, "login", account, client_address(request))
