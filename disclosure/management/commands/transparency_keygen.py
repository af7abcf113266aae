"""Make a new Ed25519 signing key for the transparency log (nothing is stored): the value for
TRANSPARENCY_SIGNING_KEY, and its public key and note verifier key to publish."""
from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from disclosure.selectors.transparency import key_id_of, note_verifier_key
from disclosure.services.transparency import new_signing_seed


class Command(BaseCommand):
    help = ("Print a new signing key (base64 of a 32-byte Ed25519 seed) for TRANSPARENCY_SIGNING_KEY, with its "
            "key id and note verifier key. Keep the seed secret; nothing is written.")

    def handle(self, *args: Any, **options: Any) -> None:
        seed, public = new_signing_seed()
        raw = base64.b64decode(public)
        self.stdout.write(f"TRANSPARENCY_SIGNING_KEY={seed}")
        self.stdout.write(f"key_id={key_id_of(raw)}")
        self.stdout.write(f"note_verifier_key={note_verifier_key(settings.TRANSPARENCY_LOG_ORIGIN, raw)}")
