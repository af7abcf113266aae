"""The few errors services raise; backend.api.exception_handler maps each to one HTTP status."""
from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApplicationError(Exception):
    """Bad input or a rule the request breaks: 400."""

    status_code = 400

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = {field: [str(m) for m in msgs] for field, msgs in (errors or {}).items()}


class ConflictError(ApplicationError):
    """The request does not fit the current state (publishing twice, a stale version): 409."""

    status_code = 409


class AccessDenied(ApplicationError):
    """The caller may see the object but may not do this to it: 403."""

    status_code = 403


class NotVisible(ApplicationError):
    """The caller may not see the object; answered exactly like a missing one: 404."""

    status_code = 404
