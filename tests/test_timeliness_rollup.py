"""The timeliness rollup (disclosure.services.rollup) against the direct query over the records.

The rollup is kept by the record services themselves; these tests drive them and compare what the
statistics read from the rollup with ``reports.selectors.timeliness_statistics_direct`` (the
reference: GROUP BY over ``disclosure_record``), and check that ``rebuild_timeliness_rollup``
finds nothing to repair after real histories and repairs a tampered row.
"""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest

from disclosure.models import TimelinessRollup
from tests.conftest import Staff, call_command_en
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
