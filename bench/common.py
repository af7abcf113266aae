"""What the PostgreSQL benchmarks share: a throw-away database set up with Django, a progress bar,
and timing of repeated runs."""
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')


def django_on_postgres(default_url: str, *, reuse: bool, error: Callable[[str], object]) -> str:
    """Point Django at ``BENCH_DATABASE_URL`` (or ``default_url``), a fresh database unless
    ``reuse``, migrated and with the agency tree loaded. Returns the URL."""
    url = os.environ.get("BENCH_DATABASE_URL", default_url)
    if not url.startswith("postgres"):
        error("BENCH_DATABASE_URL must point at PostgreSQL")
    if not reuse:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")
    import django

    django.setup()
    if not reuse:
        from django.core.management import call_command

        print("setting up: migrate, load_agencies, fill")
        call_command("migrate", verbosity=0)
        call_command("load_agencies", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return url


def progress(done: int, total: int, began: float) -> None:
    width = 30
    filled = int(width * done / total)
    rate = done / max(time.perf_counter() - began, 1e-9)
    sys.stdout.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)")
    sys.stdout.flush()
    if done >= total:
        sys.stdout.write("\n")


def runs_ms(fn: Callable[[], object], repeat: int, *, warm_up: bool = True,
            before: Callable[[], object] | None = None) -> list[float]:
    """Milliseconds of ``repeat`` runs of ``fn``, sorted; ``before`` runs untimed ahead of each."""
    if warm_up:
        fn()
    runs = []
    for _ in range(repeat):
        if before:
            before()
        began = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - began) * 1000)
    return sorted(runs)


def median_ms(fn: Callable[[], object], repeat: int, **kwargs: object) -> float:
    return statistics.median(runs_ms(fn, repeat, **kwargs))  # type: ignore[arg-type]
