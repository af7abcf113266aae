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
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from backend.canonical import json_safe
from disclosure.kinds import RecordKind
from disclosure.models import ACTIVE_STATUSES, AuditAction, PublicityProfile, Record, RecordStatus, User
from disclosure.services.audit import audit_append
from disclosure.services.display import period_source, publicity, publicity_rules
from disclosure.services.records import record_reclassify
from disclosure.services.users import system_actor

# Records whose period the table decides and the public may still see: in force, or revoked
# (whose own page stays until the end of display).
_STATUSES = (*ACTIVE_STATUSES, RecordStatus.REVOKED)
_KINDS = (RecordKind.PENALTY, RecordKind.DISHONEST_LIST)


def records_reclassify(*, today: date | None = None, batch_size: int | None = None,
                       progress: bool = False) -> Counter[str]:
    """Recompute every published penalty and dishonest-list record under the rule table in force;
    returns how many got each action (``reclassify``, ``expire``) and how many were ``unchanged``."""
    today = today or timezone.localdate()
    size = batch_size or settings.PUBLIC_EXPIRY_BATCH_SIZE
    rules = publicity_rules()
    actor: User = system_actor()
    candidates = Record.objects.filter(status__in=_STATUSES, kind__in=_KINDS)
    counts: Counter[str] = Counter()
    bar = tqdm(total=candidates.count(), unit="record", disable=not progress)
    last_id = 0
    try:
        while True:
            with transaction.atomic():
                batch = list(candidates.select_for_update(skip_locked=True, of=("self",)).select_related("agency")
                             .filter(pk__gt=last_id).order_by("pk")[:size])
                if not batch:
                    return counts
                last_id = batch[-1].pk
                for record in batch:
                    new = publicity(record, rules)
                    source = period_source(new.severity, rules)
                    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
                        reason = _("Publicity period recomputed under %(source)s.") % {"source": source}
                        ended = _("Display period ended on %(date)s (%(source)s).") % {
                            "date": new.expires_on, "source": source}
                    action = record_reclassify(actor=actor, record=record, rules=rules, reason=reason,
                                               ended_reason=ended, today=today)
                    counts[action or "unchanged"] += 1
            bar.update(len(batch))
    finally:
        bar.close()


def publicity_rules_changed(*, actor: User, what: str, detail: dict[str, object]) -> None:
    """An administrator changed the rule table (a row, or the profile in force): an audit entry,
    and once it commits, every published record recomputed under it (a Celery task)."""
    from disclosure.tasks import recompute_publicity  # the task module imports this one

    audit_append(actor=actor, action=AuditAction.PUBLICITY_RULES, object_type="publicity", object_id=what,
                 detail=json_safe(detail))
    transaction.on_commit(recompute_publicity.delay)


@transaction.atomic
def publicity_profile_activate(*, actor: User, code: str) -> PublicityProfile:
    """Put the profile ``code`` in force instead of the one that is (one at a time)."""
    profile = PublicityProfile.objects.select_for_update().get(code=code)
    before = list(PublicityProfile.objects.select_for_update().filter(active=True).values_list("code", flat=True))
    PublicityProfile.objects.filter(active=True).exclude(code=code).update(active=False)
    PublicityProfile.objects.filter(code=code).update(active=True)
    profile.active = True
    publicity_rules_changed(actor=actor, what=code, detail={"in_force": code, "before": before})
    return profile
