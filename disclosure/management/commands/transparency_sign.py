"""Sign a tree head now (the daily beat job does the same): idempotent for an unchanged tree."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from disclosure.selectors.transparency import b64, checkpoint_text, head_time
from disclosure.services.transparency import tree_head_sign


class Command(BaseCommand):
    help = ("Sign the transparency log's current size and root with TRANSPARENCY_SIGNING_KEY and print the "
            "head as a C2SP checkpoint. When the newest head already covers the current size with this key, "
            "that head is printed and nothing is written.")

    def handle(self, *args: Any, **options: Any) -> None:
        head = tree_head_sign()
        self.stdout.write(f"tree_size={head.tree_size} root_hash={b64(head.root_hash)} "
                          f"timestamp={head_time(head.timestamp)} key_id={head.key_id}")
        self.stdout.write(checkpoint_text(head), ending="")
