"""What has a deadline, and who answers for it: registered by the apps that own those things.

The scheduler sits below the apps whose deadlines it supervises (``backend/layers.py``), so it
does not import their models. Each app registers, in its ``AppConfig.ready``:

* a ``DeadlineSubject`` per kind of thing with a deadline: its open rows (for the sweep), their
  titles (for the inbox and the e-mail digest) and the page where a recipient acts on one;
* one ``Recipients`` policy: who is told of a notice (staff of the agency, its superior, the
  bureau, the administrators).

``scheduler.signals.calendar_changed`` is the other hook: what depends on the calendar (provisional
due dates) is recomputed by its owner when a year is loaded or a day edited.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import QuerySet
from django.urls import reverse

from scheduler.models import Notice


@dataclass(frozen=True)
class DeadlineSubject:
    """A kind of thing with a deadline (``SubjectKind``).

    ``open_rows`` are the subjects whose deadline runs, each with ``id``, ``agency_id``,
    ``due_date`` and ``updated_at`` (set on every change, for the incremental sweep; None for a
    subject that is noticed otherwise, like the missing calendar); ``titles`` names subjects by
    id, in one query; ``url_name`` is reversed with a subject's id, unless ``url_takes_id`` is
    False.
    """

    kind: str
    open_rows: Callable[[], QuerySet] | None
    titles: Callable[[list[int]], dict[int, str]]
    url_name: str
    url_takes_id: bool = True


class Recipients(Protocol):
    """Who is told of a notice; made once per delivery run, so it may memoise its lookups."""

    def for_notice(self, notice: Notice) -> list[int]: ...


_subjects: dict[str, DeadlineSubject] = {}
_recipients: list[Callable[[], Recipients]] = []


def subject_register(subject: DeadlineSubject) -> None:
    """Register (or re-register, idempotently) a kind of deadline subject."""
    _subjects[subject.kind] = subject


def recipients_register(factory: Callable[[], Recipients]) -> None:
    """Set the recipient policy; the last registration wins (there is one policy per site)."""
    _recipients[:] = [factory]


def deadline_subjects() -> list[DeadlineSubject]:
    return list(_subjects.values())


def deadline_subject(kind: str) -> DeadlineSubject | None:
    return _subjects.get(kind)


def recipients() -> Recipients:
    if not _recipients:
        raise LookupError("no recipient policy is registered (an app's ready() calls recipients_register)")
    return _recipients[0]()


def subject_path(notice: Notice) -> str:
    """The page where the recipient acts on ``notice`` (the e-mail digest makes it absolute)."""
    subject = _subjects[notice.subject_kind]
    return reverse(subject.url_name, args=[notice.subject_id] if subject.url_takes_id else [])


def subject_titles(notices: Iterable[Notice]) -> dict[tuple[str, int], str]:
    """Titles of what ``notices`` are about: one query per kind of subject."""
    ids: dict[str, list[int]] = {}
    for notice in notices:
        ids.setdefault(notice.subject_kind, []).append(notice.subject_id)
    titles: dict[tuple[str, int], str] = {}
    for kind, pks in ids.items():
        subject = _subjects.get(kind)
        if subject is not None:
            titles.update({(kind, pk): title for pk, title in subject.titles(pks).items()})
    return titles
