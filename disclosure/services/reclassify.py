"""Published records under a new publicity rule table (NDRC Order 2025 No. 36, issue 15).

When the rule table changes (a new national rule, a row edited, another profile put in force),
every published record gets its class, first repair day and end of display again, through the
one version writer (``records.record_reclassify``): a ``reclassify`` version, or, for a record in
force already past its new maximum, an ``expire`` version with the rule's source as its reason and
a take-down in the feed. Nothing is deleted. Run by migration 0021 and ``manage.py
recompute_publicity``; safe to re-run (a record already right gets no version) and to run beside
the expiry job (rows are claimed with ``SKIP LOCKED`` and committed a batch at a time).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from backend.canonical import json_safe
from backend.errors import ConflictError
from disclosure.kinds import RecordKind
from disclosure.models import (
    ACTIVE_STATUSES,
    AuditAction,
    PenaltyClassRule,
    PublicityPeriod,
    PublicityProfile,
    Record,
    RecordStatus,
    User,
)
from disclosure.services.audit import audit_append
from disclosure.services.display import (
    PublicityRules,
    period_source,
    profile_missing,
    publicity,
    publicity_rules,
)
from disclosure.services.records import record_reclassify
from disclosure.services.users import system_actor

# Records whose period the table decides and the public may still see: in force, or revoked
# (whose own page stays until the end of display).
_STATUSES = (*ACTIVE_STATUSES, RecordStatus.REVOKED)
_KINDS = (RecordKind.PENALTY, RecordKind.DISHONEST_LIST)
_DAY = timedelta(days=1)


def records_reclassify(*, today: date | None = None, batch_size: int | None = None,
                       progress: bool = False) -> Counter[str]:
    """Recompute every published penalty and dishonest-list record computed under another revision
    of the rule table than the one in force (``Record.publicity_rules``); returns how many got each
    action (``reclassify``, ``expire``) and how many only needed the new stamp (``unchanged``).

    Each batch reads the rules anew and commits on its own; a row another transaction holds is
    left for the next run (nightly, and after every change of the table), which finds it still
    stamped with the old revision. Run beside itself or the expiry job, a row is done once."""
    today = today or timezone.localdate()
    size = batch_size or settings.PUBLIC_EXPIRY_BATCH_SIZE
    actor: User = system_actor()
    stale = Record.objects.filter(status__in=_STATUSES, kind__in=_KINDS)
    counts: Counter[str] = Counter()
    bar = tqdm(total=stale.exclude(publicity_rules=publicity_rules().stamp).count(), unit="record",
               disable=not progress)
    last_id = 0
    try:
        while True:
            with transaction.atomic():
                rules = publicity_rules()
                batch = list(stale.exclude(publicity_rules=rules.stamp)
                             .select_for_update(skip_locked=True, of=("self",)).select_related("agency")
                             .filter(pk__gt=last_id).order_by("pk")[:size])
                if not batch:
                    return counts
                last_id = batch[-1].pk
                for record in batch:
                    counts[_reclassify(record, rules, actor, today)] += 1
            bar.update(len(batch))
    finally:
        bar.close()


def _reclassify(record: Record, rules: PublicityRules, actor: User, today: date) -> str:
    new = publicity(record, rules)
    source = period_source(new.severity, rules)
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
        reason = _("Publicity period recomputed under %(source)s.") % {"source": source}
        ended = _("Display period ended on %(date)s (%(source)s).") % {
            "date": new.expires_on - _DAY if new.expires_on else "", "source": source}
    action = record_reclassify(actor=actor, record=record, rules=rules, reason=reason, ended_reason=ended,
                               today=today)
    if action is None:  # the same dates under the new revision: only the stamp (not sealed) moves
        Record.objects.filter(pk=record.pk).update(publicity_rules=rules.stamp)
    return action or "unchanged"


def publicity_rules_changed(*, actor: User, row: PublicityProfile | PublicityPeriod | PenaltyClassRule,
                            changes: dict[str, list[object]]) -> None:
    """An administrator changed a row of the rule table (``changes``: field → [before, after]): its
    profile's revision goes up (every record stamped with the old one is out of date), an audit
    entry, and once it commits the recomputation is queued (the nightly run catches it otherwise)."""
    code = row.code if isinstance(row, PublicityProfile) else row.profile_id
    PublicityProfile.objects.filter(code=code).update(revision=F("revision") + 1)
    audit_append(actor=actor, action=AuditAction.PUBLICITY_RULES, object_type="publicity", object_id=str(row),
                 detail=json_safe({"profile": code, "changes": changes}))
    _queue_recompute()


def _queue_recompute() -> None:
    from disclosure.tasks import recompute_publicity  # the task module imports this one

    # Robust: a broker that is down must not undo the administrator's committed change; the
    # nightly run recomputes what this one would have.
    transaction.on_commit(recompute_publicity.delay, robust=True)


@transaction.atomic
def publicity_profile_activate(*, actor: User, code: str) -> PublicityProfile:
    """Put the profile ``code`` in force instead of the one that is (one at a time); refused (409)
    when it lacks a row."""
    profile = PublicityProfile.objects.select_for_update().get(code=code)
    missing = profile_missing(set(profile.periods.values_list("publicity_class", flat=True)),
                              set(profile.penalty_classes.values_list("penalty_type", flat=True)))
    if missing:
        raise ConflictError(_("%(name)s lacks rows: %(rows)s.") % {"name": profile.name, "rows": ", ".join(missing)},
                            {"profile": missing})
    before = list(PublicityProfile.objects.select_for_update().filter(active=True).values_list("code", flat=True))
    PublicityProfile.objects.filter(active=True).exclude(code=code).update(active=False)
    PublicityProfile.objects.filter(code=code).update(active=True)
    profile.refresh_from_db()
    audit_append(actor=actor, action=AuditAction.PUBLICITY_RULES, object_type="publicity", object_id=code,
                 detail={"in_force": code, "before": before})
    _queue_recompute()
    return profile
