"""The timeliness rollup (disclosure.services.rollup) against the direct query over the records.

The rollup is kept by the record services themselves; these tests drive them and compare what the
statistics read from the rollup with ``reports.selectors.timeliness_statistics_direct`` (the
reference: GROUP BY over ``disclosure_record``), and check that ``rebuild_timeliness_rollup``
finds nothing to repair after real histories and repairs a tampered row.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from backend.errors import ApplicationError, ConflictError
from disclosure.models import Agency, Record, RecordVersion, TimelinessRollup
from disclosure.services.records import (
    record_change,
    record_create,
    record_edit,
    record_expire,
    record_publish,
    record_recompute_deadline,
    record_revoke,
)
from disclosure.services.rollup import rollup_add, rollup_rebuild
from reports.selectors import (
    AgencyFigures,
    AuditScope,
    Statistics,
    audit_scope,
    month_starts,
    report_scope,
    timeliness_statistics,
    timeliness_statistics_direct,
    timeliness_trend,
    timeliness_trend_direct,
)
from scheduler.calendar import WorkingCalendar
from scheduler.selectors import get_calendar
from tests.conftest import VALID_CODE, Staff, at, call_command_en
from tests.test_audit_stats import build

pytestmark = pytest.mark.django_db


def rebuild() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command_en("rebuild_timeliness_rollup", "--no-progress", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_rebuild_finds_the_rollup_of_real_histories_exact_and_repairs_a_tampered_row(
        make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any) -> None:
    build(make_staff, clock)
    assert TimelinessRollup.objects.filter(n__gt=0).exists()
    assert rebuild() == (0, "timeliness rollup identical to the records: nothing repaired\n")

    row = TimelinessRollup.objects.filter(n__gt=0).order_by("id").first()
    assert row is not None
    TimelinessRollup.objects.filter(pk=row.pk).update(n=row.n + 5)
    TimelinessRollup.objects.create(span="d", due=row.due, agency_id=row.agency_id, kind="permit", state=1,
                                    latency=3, late_days=0, n=2)
    code, output = rebuild()
    assert (code, output) == (1, "timeliness rollup differed from the records: 2 rows of 1 agencies repaired\n")
    assert rebuild()[0] == 0  # idempotent
    assert TimelinessRollup.objects.get(span=row.span, due=row.due, agency_id=row.agency_id, kind=row.kind,
                                        state=row.state, latency=row.latency, late_days=row.late_days).n == row.n


# -- random histories through the real services --------------------------------------------------
START = date(2026, 8, 24)
KINDS = ("penalty", "permit", "inspection_result", "inspection_task")
REASON, BASIS, NUMBER = "依法变更", "《中华人民共和国行政处罚法》第四十八条", "葫市监〔2026〕1号"

# (operation, a, b): a picks the record (or agency, or days), b a second choice.
step = st.tuples(
    st.sampled_from(["create", "create", "create", "publish", "publish", "edit", "change", "correct", "revoke",
                     "expire", "recompute", "wait"]),
    st.integers(0, 40), st.integers(0, 40),
)


def compare(scopes: list[AuditScope], agencies: list[Agency], today: date) -> None:
    """Rollup and direct query agree for every agency, kind, several windows and the trend."""
    windows = [(date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 8, 1), date(2026, 8, 31)),
               (date(2026, 9, 1), date(2026, 9, 30)), (today - timedelta(days=17), today + timedelta(days=23)),
               (today, today), (date(2026, 7, 15), date(2026, 10, 10))]
    for scope in scopes:
        for date_from, date_to in windows:
            rollup = timeliness_statistics(scope=scope, date_from=date_from, date_to=date_to, today=today)
            direct = timeliness_statistics_direct(scope=scope, date_from=date_from, date_to=date_to, today=today)
            assert shape(rollup) == shape(direct), (date_from, date_to, today)
        months = month_starts(today, 4)
        for agency in (None, *agencies):
            assert timeliness_trend(scope=scope, agency=agency, months=months, today=today) == timeliness_trend_direct(
                scope=scope, agency=agency, months=months, today=today), (agency, today)


def shape(stats: Statistics) -> dict[object, object]:
    def of(row: AgencyFigures) -> object:
        kinds = {kind: (f.as_dict(), +f.latency) for kind, f in row.by_kind.items()}
        return row.total.as_dict(), +row.total.latency, kinds, row.backfill

    out: dict[object, object] = {pk: of(row) for pk, row in stats.rows.items()}
    out["total"] = of(stats.total) if stats.total else None
    return out


@given(steps=st.lists(step, min_size=8, max_size=40))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_the_rollup_gives_the_direct_query_s_figures_after_any_history(
        make_staff: Callable[[str, str], Staff], tree: dict[str, Agency], steps: list[tuple[str, int, int]]) -> None:
    with transaction.atomic():
        clerks = [make_staff("lianshan-amr", "clerk"), make_staff("longgang-amr", "clerk"),
                  make_staff("city-emergency", "clerk")]
        # Each clerk's agencies: lianshan-amr acts for its station too (its subtree).
        acts = [[tree["lianshan-amr"], tree["lianshan-amr-station"]], [tree["longgang-amr"]], [tree["city-emergency"]]]
        made: list[tuple[int, int]] = []  # (record id, clerk index)
        today = START
        with time_machine.travel(at(today.isoformat()), tick=False) as traveller:
            for operation, a, b in steps:
                note(f"{today} {operation} {a} {b}")
                history_step(operation, a, b, clerks, acts, made, today)
                if operation == "wait":
                    today += timedelta(days=a)
                    traveller.move_to(at(today.isoformat()))
            counted = Record.objects.filter(pk__in=[pk for pk, _who in made])
            event(f"{counted.count() // 5 * 5}+ records")
            event(f"{counted.filter(on_time=False).count()} late, {counted.exclude(version=1).count()} changed")
            event(f"{RecordVersion.objects.filter(action='recompute', record__in=counted).count()} recomputed")
            scopes = [report_scope(), audit_scope(user=clerks[0].user)]
            agencies = [tree["lianshan"], tree["lianshan-amr-station"], tree["longgang-amr"]]
            # Also judged on drafts' due days: the due day itself is still on time (pending).
            due_days = [day for day in counted.filter(status="draft").values_list("due_date", flat=True)[:2] if day]
            for judged in sorted({today, today + timedelta(days=9), today + timedelta(days=45), *due_days}):
                compare(scopes, agencies, judged)
            assert rollup_rebuild() == (0, 0)  # the day and month rows themselves are the recount
        transaction.set_rollback(True)


def history_step(operation: str, a: int, b: int, clerks: list[Staff], acts: list[list[Agency]],
                 made: list[tuple[int, int]], today: date) -> None:
    """One step of a random history through the record services (a refused step changes nothing)."""
    if operation == "create" or not made:
        who = a % len(clerks)
        agency = acts[who][b % len(acts[who])]
        values = {"kind": KINDS[(a + b) % len(KINDS)], "title": f"案件{len(made)}",
                  "subject_name": "葫芦岛市某商贸有限公司", "subject_code": VALID_CODE,
                  "event_date": today - timedelta(days=b), "legal_basis": "《法》第一条",
                  "document_number": "葫市监罚〔2026〕1号", "disclosure": "public", "backfill": a % 7 == 0}
        record = record_create(actor=clerks[who].user, agency=agency, values=values)
        made.append((record.pk, who))
        return
    record_id, who = made[a % len(made)]
    actor = clerks[who].user
    record = Record.objects.select_related("agency").get(pk=record_id)
    try:
        with transaction.atomic():
            if operation == "publish":
                record_publish(actor=actor, record=record)
            elif operation == "edit":
                # A draft moved to the clerk's other agency and to another event date: a new due date.
                values = {"event_date": today - timedelta(days=b), "agency": acts[who][b % len(acts[who])]}
                record_edit(actor=actor, record=record, version=record.version, values=values)
            elif operation in ("change", "correct"):
                record_change(actor=actor, record=record, changes={"title": f"更正{a}-{b}-{record.version}"},
                              correction=operation == "correct", reason=REASON, legal_basis=BASIS,
                              document_number=NUMBER)
            elif operation == "revoke":
                record_revoke(actor=actor, record=record, reason=REASON, legal_basis=BASIS, document_number=NUMBER)
            elif operation == "expire":
                locked = Record.objects.select_for_update().select_related("agency").get(pk=record_id)
                record_expire(actor=actor, record=locked, reason="展示期满")
            elif operation == "recompute":
                # A holiday notice that declares b extra days off from the event on: due dates move,
                # and a published record's timeliness with them.
                calendar = get_calendar()
                extra = frozenset(record.event_date + timedelta(days=d) for d in range(1, b % 9 + 2))
                changed = WorkingCalendar(covered_years=calendar.covered_years, holidays=calendar.holidays | extra,
                                          makeup_workdays=calendar.makeup_workdays)
                locked = Record.objects.select_for_update().select_related("agency").get(pk=record_id)
                record_recompute_deadline(actor=actor, record=locked, calendar=changed, reason="重新计算")
    except (ConflictError, ApplicationError):
        pass  # not allowed in its status (a draft revoked, a published record edited): refused, nothing written


def test_rollup_add_counts_records_inserted_in_bulk(make_staff: Callable[[str, str], Staff],
                                                    clock: Callable[..., None], settings: Any) -> None:
    """What a batched import does: its records were never counted; ``rollup_add`` counts them."""
    build(make_staff, clock)
    TimelinessRollup.objects.all().delete()  # as if every record had been inserted in bulk
    rollup_add(list(Record.objects.all()))
    assert rebuild()[0] == 0
