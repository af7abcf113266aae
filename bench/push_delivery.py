"""Push delivery benchmark (Art. 6): the real delivery code against a hand-written loop, same receiver.

    .venv/bin/python bench/push_delivery.py                          # 100,000 events, SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_push .venv/bin/python bench/push_delivery.py
    .venv/bin/python bench/push_delivery.py --events 20000 --keep    # smaller; keep the database

Builds a fresh database (a SQLite file in the temp directory; PostgreSQL when BENCH_DATABASE_URL is
set: that database is dropped and created anew), publishes one record through the services, then
fills N feed events quickly, bypassing the services: N copies of that record, each with its two
versions, its public projection (history and masked payload as the services wrote them, the id
its own) and one feed event. A receiver (``tests/support/receiver.py``: verifies the HMAC, parses
the JSON, stores by position, refuses a gap) runs as a separate process on 127.0.0.1. Then, in
the same run, each against a fresh receiver:

* **feed_push_deliver**: the application's delivery, as the ``push_feed`` task calls it: the
  lease, reads of ``FEED_PUSH_BATCH_SIZE`` events, the pull feed's item per event, serialization,
  the signature, one keep-alive connection, the acknowledged position committed per batch;
* **hand-written loop**: the best plan for the same bytes: every body and signature computed
  before the clock starts (so only sending is timed), then POSTed over one keep-alive
  ``http.client`` connection, no database at all. Its events/s is the ceiling this receiver allows.

Exit status 1 when the receiver did not end with every event, in order, each once.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-push-secret-0123456789"


def setup_django(keep: bool) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        from bench.common import recreate_database

        if not keep:
            recreate_database(url)
    else:
        path = Path(tempfile.gettempdir()) / "bench-push.sqlite3"
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    return url


def fill(events: int) -> None:
    """``events`` published records with one feed event each, copied from one made by the services."""
    import copy

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from disclosure.credit_code import make_credit_code
    from disclosure.models import Agency, FeedEvent, FeedHead, PublicRecord, Record, RecordVersion
    from disclosure.services.records import record_create, record_publish
    from disclosure.services.users import user_create

    call_command("migrate", verbosity=0)
    call_command("load_agencies", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    root = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-1")
    user, _membership, _token = user_create(actor=root, username="bench-clerk", password="bench-password-1",
                                            agency_code="city-amr", role="clerk")
    draft = record_create(actor=user, agency=Agency.objects.get(code="city-amr"), values={
        "kind": "penalty", "title": "葫芦岛市某商贸有限公司销售不合格产品案", "subject_name": "葫芦岛市某商贸有限公司",
        "subject_code": make_credit_code("91211400MA0Q1234X"), "event_date": date(2026, 9, 28),
        "content": "罚款人民币二万元。联系电话13812345678",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条", "document_number": "连市监罚〔2026〕12号",
        "disclosure": "public", "fine_amount": Decimal("20000"), "penalty_types": ["fine"],
        # What the national standard requires of a penalty before publication (disclosure/kinds/spec.py).
        "details": {"legal_representative": "张某某", "violation_type": "销售不合格产品",
                    "violation_facts": "经抽检，当事人销售的产品不合格。", "penalty_valid_to": "2027-09-27"},
    })
    template = record_publish(actor=user, record=draft)
    versions = list(RecordVersion.objects.filter(record=template).order_by("number"))
    projection = PublicRecord.objects.get(record=template)
    record_fields = {f.attname: getattr(template, f.attname) for f in Record._meta.concrete_fields if not f.primary_key}
    public_fields = {f.attname: getattr(projection, f.attname) for f in PublicRecord._meta.concrete_fields
                     if not f.primary_key}
    print(f"filling {events:,} feed events (records, versions, projections) ...", flush=True)
    began, done, chunk = time.perf_counter(), 1, 5000
    while done < events:
        n = min(chunk, events - done)
        with transaction.atomic():
            records = Record.objects.bulk_create([Record(**record_fields) for _ in range(n)])
            new_versions = []
            for record in records:
                for v in versions:
                    new_versions.append(RecordVersion(record=record, number=v.number, action=v.action, status=v.status,
                                                      data=v.data, digest=v.digest, actor=user, at=v.at))
            new_versions = RecordVersion.objects.bulk_create(new_versions)
            rows = []
            for record in records:
                history = copy.deepcopy(projection.history)
                for entry in history:
                    entry["payload"]["id"] = record.pk
                rows.append(PublicRecord(**(public_fields | {"record_id": record.pk, "history": history})))
            PublicRecord.objects.bulk_create(rows)
            published = new_versions[len(versions) - 1::len(versions)]
            FeedEvent.objects.bulk_create([
                FeedEvent(position=done + 1 + i, record=record, version=version, action=version.action, public=True,
                          at=version.at) for i, (record, version) in enumerate(zip(records, published, strict=True))
            ])
            FeedHead.objects.filter(id=1).update(last_position=done + n)
        done += n
        print(f"\r  {done:,}/{events:,} ({done / (time.perf_counter() - began):,.0f}/s)", end="", flush=True)
    print()
    assert FeedEvent.objects.count() == events


FAST_RECEIVER = r"""
import asyncio, hashlib, hmac, json, sys

SECRET = sys.argv[1].encode()
stored, state = {}, {"arrivals": 0, "out_of_order": 0, "gaps": 0, "bad_signatures": 0, "highest": 0}
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"


def receive(head, body):
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().decode("latin-1")
    if not hmac.compare_digest(headers.get(b"x-signature", ""),
                               "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()):
        state["bad_signatures"] += 1
        return b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
    item = json.loads(body)
    position = item["position"]
    state["arrivals"] += 1
    if position > state["highest"] + 1:
        state["gaps"] += 1
        return b"HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n"
    if position not in stored:
        stored[position] = item
        state["highest"] = max(state["highest"], position)
    return OK


async def serve(reader, writer):
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        if head.startswith(b"GET"):
            answer = json.dumps(state | {"stored": len(stored)}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
            await writer.drain()
            continue
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        writer.write(receive(head, await reader.readexactly(length)))
    writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"""


class ReceiverProcess:
    """The receiver as a separate process: ``tests/support/receiver.py`` (http.server, threaded) or,
    with ``fast``, a lean asyncio one doing the same checks, so the sender is what is measured."""

    def __init__(self, fast: bool) -> None:
        command = ["-c", FAST_RECEIVER] if fast else ["-m", "tests.support.receiver"]
        self.proc = subprocess.Popen([sys.executable, *command, SECRET], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/feed/inbox"

    def stats(self) -> dict[str, int]:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/stats")
        stats: dict[str, int] = json.loads(conn.getresponse().read())
        conn.close()
        return stats

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def check(stats: dict[str, int], events: int) -> bool:
    ok = (stats["stored"] == events and stats["highest"] == events and stats["out_of_order"] == 0
          and stats["gaps"] == 0 and stats["bad_signatures"] == 0)
    print(f"  receiver: stored {stats['stored']:,}, arrivals {stats['arrivals']:,}, out of order "
          f"{stats['out_of_order']}, gaps {stats['gaps']}, bad signatures {stats['bad_signatures']}: "
          f"{'every event once, in order' if ok else 'MISMATCH'}")
    return ok


def run_application(events: int, fast: bool) -> tuple[float, bool]:
    from django.conf import settings

    from disclosure.models import FeedPush
    from disclosure.services.feed_push import feed_push_deliver

    receiver = ReceiverProcess(fast)
    settings.FEED_PUSH_URL, settings.FEED_PUSH_SECRET = receiver.url, SECRET
    FeedPush.objects.filter(id=1).delete()
    try:
        began = time.perf_counter()
        run = feed_push_deliver(max_seconds=3600)
        seconds = time.perf_counter() - began
        assert run.retry_in is None, run.error
        return seconds, check(receiver.stats(), events)
    finally:
        receiver.stop()


def run_baseline(events: int, fast: bool) -> tuple[float, float, bool]:
    from disclosure.selectors.feed import feed_after
    from disclosure.services.feed_push import feed_push_body, feed_push_signature

    began = time.perf_counter()
    prepared = []
    after = 0
    while batch := feed_after(after=after, limit=5000):
        for event in batch:
            body = feed_push_body(event)
            prepared.append((event.position, body, feed_push_signature(body, SECRET)))
        after = batch[-1].position
    prepare = time.perf_counter() - began
    receiver = ReceiverProcess(fast)
    try:
        path = urlparse(receiver.url).path
        conn = HTTPConnection("127.0.0.1", receiver.port, timeout=30)
        began = time.perf_counter()
        for position, body, signature in prepared:
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/json; charset=utf-8", "X-Feed-Position": str(position),
                "X-Signature": signature})
            answer = conn.getresponse()
            answer.read()
            if not 200 <= answer.status < 300:
                raise SystemExit(f"baseline: HTTP {answer.status} at {position}")
        seconds = time.perf_counter() - began
        conn.close()
        return seconds, prepare, check(receiver.stats(), events)
    finally:
        receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database of the last run (no fill)")
    parser.add_argument("--receiver", choices=["fast", "tests"], default="fast",
                        help="fast: a lean asyncio receiver (default); tests: the tests' http.server receiver")
    args = parser.parse_args()
    url = setup_django(args.keep)
    print(f"database: {url.split('@')[-1]}")
    if not args.keep:
        fill(args.events)
    from django.conf import settings

    print(f"batch size {settings.FEED_PUSH_BATCH_SIZE}, timeout {settings.FEED_PUSH_TIMEOUT_SECONDS:g} s, "
          f"receiver: {args.receiver}")
    print("feed_push_deliver (the application) ...", flush=True)
    app_seconds, app_ok = run_application(args.events, args.receiver == "fast")
    print("hand-written loop (bodies prepared first, one keep-alive connection) ...", flush=True)
    base_seconds, prepare_seconds, base_ok = run_baseline(args.events, args.receiver == "fast")
    print()
    print(f"{'':42} {'seconds':>9} {'events/s':>10}")
    print(f"{'feed_push_deliver':42} {app_seconds:9.1f} {args.events / app_seconds:10,.0f}")
    print(f"{'hand-written loop: sending only':42} {base_seconds:9.1f} {args.events / base_seconds:10,.0f}")
    print(f"{'  (+ preparing the bodies, untimed above)':42} {prepare_seconds:9.1f}")
    print(f"application / hand-written throughput: {base_seconds / app_seconds:.2f}")
    target = args.events / app_seconds >= 1000
    print(f"target >= 1,000 events/s: {'met' if target else 'NOT met'}")
    sys.exit(0 if app_ok and base_ok else 1)


if __name__ == "__main__":
    main()
