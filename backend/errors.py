"""The errors services raise: siblings under one base, each with its HTTP status, which
``backend.api.exception_handler`` (and the pages' decorators) map to one response each.

Catch what you mean: ``except ApplicationError`` is bad input only; a form shows ``FORM_ERRORS``
(bad input and state conflicts) and lets a refusal of access propagate to its 404/403; an import or
a command that reports every refusal of a row catches ``ServiceError``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence


class ServiceError(Exception):
    """A refusal by a service, with a message and ``{field: [messages]}``."""

    status_code = 400

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = {field: [str(m) for m in msgs] for field, msgs in (errors or {}).items()}


class ApplicationError(ServiceError):
    """Bad input or a rule the request breaks: 400."""

    status_code = 400


class ConflictError(ServiceError):
    """The request does not fit the current state (publishing twice, a stale version): 409."""

    status_code = 409


class AccessDenied(ServiceError):
    """The caller may see the object but may not do this to it: 403."""

    status_code = 403


class NotVisible(ServiceError):
    """The caller may not see the object; answered exactly like a missing one: 404."""

    status_code = 404


# What a form puts back in front of its user; refusals of access are pages of their own.
FORM_ERRORS: tuple[type[ServiceError], ...] = (ApplicationError, ConflictError)
