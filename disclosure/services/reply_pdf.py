"""The letter a closed request is answered with, as PDF (``reply.pdf``): the written reply to a
query (书面答复, Art. 11), the decision on a correction request (Art. 10) or on a credit-repair
application (NDRC Order 2025 No. 36). The layout and the
wording live in ``disclosure.services.letters``."""
from __future__ import annotations

from django.utils.translation import gettext as _

from backend.errors import NotVisible
from disclosure.models import CitizenRequest, RequestStatus
from disclosure.services.letters import letter_pdf


def reply_pdf(*, request: CitizenRequest) -> bytes:
    """The letter of an answered query or a decided correction or credit-repair request; 404 while it is open."""
    if request.status == RequestStatus.OPEN or request.answered_at is None:
        raise NotVisible(_("There is no written reply for this request (yet)."))
    return letter_pdf(request=request)
