"""E-mail backends for tests of delivery under failure (selected through EMAIL_BACKEND)."""
from __future__ import annotations

import json
import os
import smtplib
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("test: the SMTP server went away")


class StallingBackend(BaseEmailBackend):
    """Writes each message as a JSON line to $TEST_MAIL_LOG; after $TEST_MAIL_STALL_AFTER messages it
    touches $TEST_MAIL_LOG.stalled and hangs, so that a test can kill the worker mid-sweep."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        log = Path(os.environ["TEST_MAIL_LOG"])
        stall_after = int(os.environ.get("TEST_MAIL_STALL_AFTER", "0"))
        for message in email_messages:
            sent = sum(1 for _ in log.open()) if log.exists() else 0
            if stall_after and sent >= stall_after:
                Path(f"{log}.stalled").touch()
                time.sleep(600)
            with log.open("a") as fh:
                fh.write(json.dumps({"to": message.to, "subject": message.subject, "body": message.body}) + "\n")
        return len(email_messages)
