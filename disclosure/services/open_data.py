"""Open data (README "Open data"): the daily dump of everything public, made once per day.

Claim, then act (STYLE.md 6): a worker first claims the day, by inserting its ``OpenDataDump``
row (the day is unique, so of two workers one insert wins) or by taking over, with a conditional
UPDATE, a row whose lease has expired (a worker that died while writing) or that failed. Only the
holder writes. A dataset's rows are read once (``iterator()``: constant memory) and written to
its CSV and JSON files side by side (so both hold the same rows), each under a temporary name in
the day's directory, hashed as it is written, and renamed into place atomically. The lease is
renewed after each dataset, and the dump is marked done, with every file's size, rows and
SHA-256, only by the worker still holding it. The same run deletes the dumps older
than ``OPEN_DATA_KEEP_DAYS`` (their files, then their rows).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from disclosure.kinds.exchange import DATASET_KINDS
from disclosure.models import OpenDataDump, OpenDataState
from disclosure.selectors.exchange import CHUNK, csv_chunks, json_chunks
from disclosure.selectors.open_data import OPEN_FORMATS, dump_dir, dump_file_name, dump_rows, oldest_kept_day

_TMP = ".part-"


def worker_id() -> str:
    """Who claims: host, process and a random part (two threads of one process differ too)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.OPEN_DATA_LEASE_SECONDS)


def _claim(day: date, owner: str) -> bool:
    """Take ``day``: a new row, or one that failed or whose holder's lease has expired."""
    now = timezone.now()
    try:
        with transaction.atomic():
            OpenDataDump.objects.create(day=day, state=OpenDataState.RUNNING, started_at=now, lease_owner=owner,
                                        lease_until=_lease_until(now))
        return True
    except IntegrityError:
        pass
    taken = (OpenDataDump.objects.filter(day=day).exclude(state=OpenDataState.DONE)
             .filter(Q(state=OpenDataState.FAILED) | Q(lease_until__isnull=True) | Q(lease_until__lte=now))
             .update(state=OpenDataState.RUNNING, started_at=now, finished_at=None, lease_owner=owner,
                     lease_until=_lease_until(now), error=""))
    return taken == 1


def _held(day: date, owner: str) -> Any:
    return OpenDataDump.objects.filter(day=day, lease_owner=owner, state=OpenDataState.RUNNING)


class LeaseLost(ConflictError):
    """Another worker took the dump over (this one was slower than its lease)."""


def _renew(day: date, owner: str) -> None:
    if not _held(day, owner).update(lease_until=_lease_until(timezone.now())):
        raise LeaseLost(f"open-data dump of {day.isoformat()}: lease lost")


class _Counted:
    """The rows as they pass, counted (for the file's row count and a progress bar)."""

    def __init__(self, rows: Iterable[dict[str, Any]], tick: Callable[[int], None] | None) -> None:
        self.rows = rows
        self.count = 0
        self.tick = tick

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            if self.tick is not None:
                self.tick(1)
            yield row


class _Out:
    """One file being written under a temporary name beside its own, hashed as it goes."""

    def __init__(self, path: Path, owner: str) -> None:
        self.path = path
        self.tmp = path.with_name(f"{path.name}{_TMP}{owner.rsplit(':', 1)[-1]}")
        self.file = self.tmp.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)

    def commit(self) -> tuple[int, str]:
        """Flush to disk and rename into place (atomic: a reader sees the old file or the whole new one)."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.tmp, self.path)
        return self.size, self.digest.hexdigest()

    def abort(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.tmp.unlink(missing_ok=True)


def _write_both(outs: dict[str, _Out], chunks: dict[str, Iterator[bytes]]) -> None:
    """Write every format's chunks, taking one from each in turn: the formats read one row
    source through ``tee``, which keeps only the rows one has read and the other not yet (at most
    a batch or so), so memory stays constant and both files hold the same rows."""
    pending = dict(chunks)
    while pending:
        for fmt in list(pending):
            chunk = next(pending[fmt], None)
            if chunk is None:
                del pending[fmt]
            else:
                outs[fmt].write(chunk)


@dataclass
class DumpResult:
    day: date
    made: bool  # False: another worker holds it, or it was already done
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[date] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "made": self.made, "files": self.files,
                "deleted": [d.isoformat() for d in self.deleted]}


def open_data_dump(*, day: date | None = None, owner: str | None = None,
                   progress: Callable[[str, int], Callable[[int], None] | None] | None = None) -> DumpResult:
    """Make the open-data dump of ``day`` (today by default) unless it is done or another worker
    holds it, then delete the dumps past the retention. ``progress(dataset, total)`` may return a
    function called per row (the command's progress bar)."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ApplicationError(_("Invalid input."), {"day": [_("A day to come has no dump yet.")]})
    owner = owner or worker_id()
    result = DumpResult(day=day, made=False)
    if _claim(day, owner):
        try:
            result.files = _make(day, owner, progress)
        except LeaseLost:
            raise
        except BaseException as exc:
            _held(day, owner).update(state=OpenDataState.FAILED, lease_until=None,
                                     error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        result.made = True
    result.deleted = open_data_prune()
    return result


def _make(day: date, owner: str, progress: Callable[[str, int], Callable[[int], None] | None] | None
          ) -> dict[str, dict[str, Any]]:
    directory = dump_dir(day)
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    for dataset in DATASET_KINDS:
        query = dump_rows(dataset, day)
        tick = progress(dataset, query.count()) if progress is not None else None
        rows = _Counted(query.iterator(chunk_size=CHUNK), tick)  # one query for both formats
        for_csv, for_json = itertools.tee(rows)
        chunks = {"csv": csv_chunks(for_csv, dataset, raw_ids=False, public=True),
                  "json": json_chunks(for_json, dataset, raw_ids=False, day=day)}
        names = {fmt: dump_file_name(dataset, day, fmt) for fmt in OPEN_FORMATS}
        outs: dict[str, _Out] = {}
        try:
            for fmt in OPEN_FORMATS:
                outs[fmt] = _Out(directory / names[fmt], owner)
            _write_both(outs, chunks)
            for fmt in OPEN_FORMATS:
                size, sha256 = outs[fmt].commit()
                files[names[fmt]] = {"dataset": dataset, "format": fmt, "bytes": size, "rows": rows.count,
                                     "sha256": sha256}
        finally:
            for out in outs.values():
                out.abort()  # after a commit: nothing left to remove
        _renew(day, owner)
    # What a failed or abandoned run left (its temporary files) is not part of the dump.
    for stray in directory.iterdir():
        if stray.name not in files and stray.is_file():
            stray.unlink(missing_ok=True)
    with transaction.atomic():
        done = _held(day, owner).update(state=OpenDataState.DONE, files=files, finished_at=timezone.now(),
                                        lease_until=None)
    if not done:
        raise LeaseLost(f"open-data dump of {day.isoformat()}: lease lost before it was done")
    return files


def open_data_withdraw(*, why: str) -> int:
    """Stop offering every kept dump (a record in them ended by credit repair: 终止公示 means no
    copy stays published); call in the transaction that ends the publication. Each is remade,
    without the record, by ``open_data_remake`` (queued when that transaction commits, and run by
    the daily job). Returns how many were withdrawn."""
    withdrawn = OpenDataDump.objects.filter(state=OpenDataState.DONE, day__gte=oldest_kept_day()).update(
        state=OpenDataState.FAILED, error=f"withdrawn: {why}"[:2000])
    if withdrawn:
        from disclosure.tasks import remake_open_data  # the task module imports this one

        transaction.on_commit(remake_open_data.delay, robust=True)
    return withdrawn


def open_data_remake() -> list[date]:
    """Make again every kept day whose dump failed or was withdrawn (oldest first); the days made."""
    made = []
    for day in (OpenDataDump.objects.filter(state=OpenDataState.FAILED, day__gte=oldest_kept_day())
                .order_by("day").values_list("day", flat=True)):
        if open_data_dump(day=day).made:
            made.append(day)
    return made


def open_data_prune(*, today: date | None = None) -> list[date]:
    """Delete the dumps older than ``OPEN_DATA_KEEP_DAYS`` (files first, then the row), and day
    directories no dump names; the days deleted. Safe to run in several workers at once."""
    oldest = oldest_kept_day(today)
    deleted = []
    for dump in OpenDataDump.objects.filter(day__lt=oldest).order_by("day"):
        shutil.rmtree(dump_dir(dump.day), ignore_errors=True)
        OpenDataDump.objects.filter(pk=dump.pk).delete()
        deleted.append(dump.day)
    root = dump_dir(oldest).parent
    if root.is_dir():
        for directory in root.iterdir():
            try:
                day = date.fromisoformat(directory.name)
            except ValueError:
                continue
            if day < oldest and directory.is_dir():
                shutil.rmtree(directory, ignore_errors=True)
    return deleted
