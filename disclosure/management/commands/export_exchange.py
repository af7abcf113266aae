"""``manage.py export_exchange``: the national standard's exchange files, as the API writes them."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from backend.errors import ApplicationError
from disclosure.kinds.exchange import DATASET_KINDS
from disclosure.models import Record
from disclosure.selectors.exchange import (
    FORMATS,
    ExchangeScope,
    csv_chunks,
    exchange_params,
    exchange_rows,
    file_name,
    json_chunks,
    stream_rows,
    write_xlsx,
)


class Command(BaseCommand):
    help = ("Write the national standard's exchange file of one dataset (or all) for a publication period, "
            "the same bytes GET /api/v1/exchange/{dataset}/ gives, with a progress bar. Natural persons' ID "
            "numbers are masked unless --raw-ids (only for the government-to-government exchange).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, choices=[*DATASET_KINDS, "all"])
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--format", default="csv", choices=FORMATS)
        parser.add_argument("--out", default=".", metavar="DIR", help="directory to write into (created)")
        parser.add_argument("--raw-ids", action="store_true",
                            help="natural persons' ID numbers as they are (for the receiving platform)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        datasets = list(DATASET_KINDS) if options["dataset"] == "all" else [options["dataset"]]
        out_dir = Path(options["out"])
        out_dir.mkdir(parents=True, exist_ok=True)
        scope = ExchangeScope(Record.objects.all(), raw_ids=options["raw_ids"])
        for dataset in datasets:
            try:
                date_from, date_to, fmt = exchange_params(dataset, {
                    "from": options["date_from"], "to": options["date_to"], "format": options["format"]})
            except ApplicationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.errors.items())) from exc
            query = exchange_rows(scope=scope, dataset=dataset, date_from=date_from, date_to=date_to)
            total = query.count()
            rows: Iterator[dict[str, Any]] = iter(tqdm(
                stream_rows(query), total=total, desc=dataset, unit="rows",
                disable=options["no_progress"] or options["verbosity"] == 0))
            path = out_dir / file_name(dataset, date_from, date_to, fmt)
            with path.open("wb") as out:
                if fmt == "xlsx":
                    write_xlsx(rows, dataset, raw_ids=scope.raw_ids, out=out)
                else:
                    chunks = (csv_chunks(rows, dataset, raw_ids=scope.raw_ids) if fmt == "csv" else
                              json_chunks(rows, dataset, raw_ids=scope.raw_ids, date_from=date_from, date_to=date_to))
                    for chunk in chunks:
                        out.write(chunk)
            self.stdout.write(f"{path}: {total} rows")
