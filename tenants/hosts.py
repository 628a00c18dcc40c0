"""Host validation that knows the organisation registry.

Custom domains are added at run time, so they cannot all be listed in ``ALLOWED_HOSTS``. The
settings therefore use ``RegisteredHosts``: the static patterns from the environment, plus the one
host of the current request once ``OrganisationMiddleware`` has found it in the registry. An
unregistered host is never allowed (it gets the plain 404 before anything reads it), and no wildcard
is needed in production.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar

_verified_host: ContextVar[str | None] = ContextVar("govsquare_verified_host", default=None)


class RegisteredHosts(list):  # type: ignore[type-arg]
    """``ALLOWED_HOSTS`` = static patterns + the registered host of the request being served."""

    def __init__(self, patterns: Iterable[str]) -> None:
        super().__init__(patterns)

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = _verified_host.get()
        if host:
            yield host

    def __contains__(self, item: object) -> bool:
        return any(item == pattern for pattern in self)


def allow_registered_host(host: str) -> object:
    """Allow ``host`` for the rest of this request; returns a token for ``forget_registered_host``."""
    return _verified_host.set(host)


def forget_registered_host(token: object) -> None:
    _verified_host.reset(token)  # type: ignore[arg-type]
