"""The bad-input suite's bookkeeping: every input tried is counted, every server error kept with its traceback.

A probe is one input given to the platform: one call of a validating function or service, or one request.
A server error is an unexpected exception from a function (anything but ``ValidationError``) or an
answer of 500 or more. The ones already known (and reported to be fixed) are listed in
``KNOWN_SERVER_ERRORS`` with the reason: they are counted and printed, but do not fail the suite; any
other fails the test that found it.
"""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.http import HttpResponse
from django.test import Client

#: Server errors already found and reported (issue 13), as (method, path pattern, a text of the traceback,
#: reason). A match is counted as a server error but does not fail the suite, until the fix lands and the entry
#: goes. (The NUL-byte 500s of issue 13 #16 -- in JSON bodies of the operator API, /o/authorize/?client_id=%00,
#: /accounts/callback/?code=%00 -- were found here too and are fixed by tenants/nul_bytes.py: no longer listed.)
KNOWN_SERVER_ERRORS: list[tuple[str, re.Pattern[str], str, str]] = [
    # Found here and fixed (issue 13): an OIDC nonce over 255 characters (now an OAuth invalid_request) and
    # Wagtail's multiple document upload without a file (now a 400).
]


#: Unexpected exceptions already found in services, as (function, exception class name, reason).
KNOWN_FUNCTION_ERRORS: list[tuple[str, str, str]] = [
    # Found here and fixed (issue 13): an address of 255..320 characters in account_sign_up (now refused with a
    # message by clean_address).
]


@dataclass
class ServerError:
    where: str
    given: str
    status: int
    trace: str
    known: str | None
    key: str = ""

    def __str__(self) -> str:
        label = f"known: {self.known}" if self.known else "NEW"
        return f"[{label}] {self.where[:300]} {self.status} given {self.given[:300]}\n{self.trace}"


@dataclass
class Tally:
    tried: int = 0
    errors: list[ServerError] = field(default_factory=list)

    def count(self, n: int = 1) -> None:
        self.tried += n

    @property
    def distinct(self) -> list[ServerError]:
        """One per kind of error (hypothesis meets one defect many times while it shrinks)."""
        seen: dict[str, ServerError] = {}
        for error in self.errors:
            seen.setdefault(error.key or error.where, error)
        return list(seen.values())

    @property
    def counts(self) -> str:
        return f"{self.tried} tried, {len(self.distinct)} server errors"

    @property
    def figure(self) -> str:
        return f"bad input: {self.counts}"


#: ``BAD_INPUT_COLLECT=1``: a new server error is kept and printed at the end, the test goes on (to list them all).
COLLECT_ONLY = os.environ.get("BAD_INPUT_COLLECT") == "1"

#: One tally per process. Under pytest-xdist's default ``--dist load`` the module's tests may be spread over
#: the workers, and the figure printed by the last test then covers that worker's share only: run the module
#: in one worker (``make test`` distributes by file: ``--dist loadfile``).
TALLY = Tally()


def known_reason(method: str, path: str, trace: str) -> str | None:
    for known_method, pattern, needle, reason in KNOWN_SERVER_ERRORS:
        if known_method in {method, "*"} and pattern.search(path) and needle in trace:
            return reason
    return None


def quiet_client(client: Client) -> Client:
    """The same client, answering a server error with a 500 (and its ``exc_info``) instead of raising it."""
    client.raise_request_exception = False
    return client


def probe(
    client: Client, method: str, path: str, *, given: str = "", raw: bool = False, **kwargs: object
) -> HttpResponse:
    """One request, counted; a 5xx is kept with its traceback and, unless known, fails the test.

    ``raw``: the body goes as it is (``client.generic``); otherwise ``client.get``/``post`` encode it."""
    quiet_client(client)
    # In a savepoint: a database error of one request (a 500) must not break the test's transaction for the next.
    with transaction.atomic():
        if raw:
            response = client.generic(method.upper(), path, **kwargs)  # type: ignore[arg-type]
        else:
            response = getattr(client, method.lower())(path, **kwargs)
        if response.status_code >= 500:
            transaction.set_rollback(True)
    TALLY.count()
    if response.status_code >= 500:
        exc_info = getattr(response, "exc_info", None)
        trace = (
            "".join(traceback.format_exception(*exc_info))
            if exc_info
            else response.content[:2000].decode("utf-8", "replace")
        )
        known = known_reason(method.upper(), path, trace)
        error = ServerError(
            where=f"{method.upper()} {path!r}",
            given=given,
            status=response.status_code,
            trace=trace,
            known=known,
            key=f"{method.upper()} {path.split('?')[0]}:{trace.strip().splitlines()[-1] if trace.strip() else ''}",
        )
        TALLY.errors.append(error)
        response.known_server_error = known  # type: ignore[attr-defined]
        if known is None and not COLLECT_ONLY:
            raise AssertionError(f"server error: {error}")
    return response


def no_server_error(response: HttpResponse) -> bool:
    """Below 500, or a server error already listed in ``KNOWN_SERVER_ERRORS`` (counted, not failed)."""
    return response.status_code < 500 or bool(getattr(response, "known_server_error", None))


def refused(response: HttpResponse) -> bool:
    """A 4xx, or a server error already listed in ``KNOWN_SERVER_ERRORS``."""
    return 400 <= response.status_code < 500 or bool(getattr(response, "known_server_error", None))


def function_error(where: str, given: object, exc: BaseException) -> None:
    """An unexpected exception from a validating function: kept; unless known, the test fails."""
    trace = "".join(traceback.format_exception(exc))
    known = next(
        (reason for name, kind, reason in KNOWN_FUNCTION_ERRORS if name == where and type(exc).__name__ == kind), None
    )
    error = ServerError(
        where=where, given=repr(given)[:300], status=500, trace=trace, known=known, key=f"{where}:{type(exc).__name__}"
    )
    TALLY.errors.append(error)
    if known is None:
        raise AssertionError(f"unexpected exception: {error}") from exc


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
