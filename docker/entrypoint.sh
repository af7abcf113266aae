#!/bin/sh
# Container entrypoint: wait for the database, prepare it when ROLE=web, then run the command.
#   ROLE            web (default in the image): migrate + load_agencies before the command;
#                   anything else (worker, beat, ...): only wait for the database.
#   DB_WAIT_TIMEOUT seconds to wait for the database (default 60); 0 skips the wait.
set -eu

wait_for_database() {
    python - "$1" <<'PY'
import sys
import time

import django

django.setup()

from django.db import connection
from django.db.utils import OperationalError

timeout = float(sys.argv[1])
deadline = time.monotonic() + timeout
while True:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        connection.close()
        if time.monotonic() >= deadline:
            sys.exit(f"entrypoint: database not reachable after {timeout:g}s: {exc}")
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"entrypoint: waiting for the database: {reason}", file=sys.stderr)
        time.sleep(2)
    else:
        connection.close()
        break
PY
}

timeout="${DB_WAIT_TIMEOUT:-60}"
if [ "$timeout" != "0" ]; then
    wait_for_database "$timeout"
fi

if [ "${ROLE:-}" = "web" ]; then
    python manage.py migrate --noinput
    python manage.py load_agencies
    python manage.py reindex_public --missing-only --no-progress  # after an upgrade
    python manage.py transparency_backfill --no-progress  # after an upgrade: log the feed's earlier events
    python manage.py recompute_publicity --no-progress  # after an upgrade: the publicity rules in force
fi

exec "$@"
