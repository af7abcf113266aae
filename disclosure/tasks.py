"""Thin Celery tasks: they call services and return plain data."""
from celery import shared_task

from disclosure.selectors.transparency import b64, head_time
from disclosure.services.deadlines import records_recompute_provisional, requests_recompute_provisional
from disclosure.services.expiry import records_expire
from disclosure.services.feed_push import feed_push_deliver
from disclosure.services.open_data import open_data_dump, open_data_remake
from disclosure.services.reclassify import records_reclassify
from disclosure.services.transparency import tree_head_sign
from disclosure.services.verification import audit_verify


@shared_task(name="disclosure.recompute_provisional_deadlines", acks_late=True, time_limit=1800, soft_time_limit=1700)
def recompute_provisional_deadlines() -> int:
    """Records' and open requests' provisional due dates, recomputed with the calendar as loaded now."""
    return records_recompute_provisional() + requests_recompute_provisional()


@shared_task(name="disclosure.expire_records", acks_late=True, time_limit=1800, soft_time_limit=1700)
def expire_records() -> int:
    """Move records past their display period (Art. 8) to ``expired``; safe to re-run."""
    return records_expire()


@shared_task(name="disclosure.verify_audit", acks_late=True, time_limit=3600, soft_time_limit=3540)
def verify_audit() -> dict[str, object]:
    """The nightly ``verify_audit --resume``: the result is kept for ``/health/``; a break is logged."""
    import logging


    report = audit_verify(resume=True)
    first = report.problems[0] if report.problems else None
    if first is not None:
        logging.getLogger(__name__).error("audit trail broken at %s: %s (%d problems)", first.where, first.message,
                                          len(report.problems))
    return {"ok": report.ok, "entries": report.entries, "records": report.records,
            "first_broken": first.where if first else None}


# A run stops after this long and queues the next, well inside the soft time limit.
PUSH_RUN_SECONDS = 240.0
# The retry after a failure is queued this much after the backoff ends, so that a worker whose
# clock is a little behind does not find the backoff still pending and drop it.
PUSH_RETRY_MARGIN_SECONDS = 0.25


@shared_task(name="disclosure.push_feed", acks_late=True, time_limit=600, soft_time_limit=540, ignore_result=True)
def push_feed() -> dict[str, object]:
    """Push the feed to FEED_PUSH_URL from the last acknowledged position (Art. 6). Kicked when
    events commit and every minute by beat; a run that finds the lease taken or a backoff pending
    does nothing, so any number of kicks are safe."""
    run = feed_push_deliver(max_seconds=PUSH_RUN_SECONDS)
    if run.more:
        push_feed.delay()
    elif run.retry_in is not None:
        push_feed.apply_async(countdown=run.retry_in + PUSH_RETRY_MARGIN_SECONDS)
    return run.as_dict()


@shared_task(name="disclosure.sign_tree_head", acks_late=True, time_limit=600, soft_time_limit=540)
def sign_tree_head() -> dict[str, object]:
    """The daily signed tree head of the transparency log (idempotent for an unchanged tree)."""
    head = tree_head_sign()
    return {"tree_size": head.tree_size, "root_hash": b64(head.root_hash), "timestamp": head_time(head.timestamp)}


@shared_task(name="disclosure.open_data_dump", acks_late=True, time_limit=3600, soft_time_limit=3540)
def make_open_data_dump() -> dict[str, object]:
    """Today's open-data dump, claimed (made once however many workers run it), the retention, and
    the kept days withdrawn or failed, made again."""
    result = open_data_dump().as_dict()
    result["remade"] = [day.isoformat() for day in open_data_remake()]
    return result


@shared_task(name="disclosure.remake_open_data", acks_late=True, time_limit=3600, soft_time_limit=3540)
def remake_open_data() -> list[str]:
    """The kept open-data dumps withdrawn (a credit repair ended a record in them) or failed, made again."""
    return [day.isoformat() for day in open_data_remake()]


@shared_task(name="disclosure.recompute_publicity", acks_late=True, time_limit=3600, soft_time_limit=3540)
def recompute_publicity() -> dict[str, int]:
    """Every published penalty and dishonest-list record under the publicity rule table in force
    (queued when an administrator changes it); safe to re-run."""
    return dict(records_reclassify())
