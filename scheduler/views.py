"""The web inbox of deadline notices (the API's twin: the same selectors and services)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.ids import whole_number
from scheduler.notifications import notice_lines, notification_mark_read, notifications_mark_all_read
from scheduler.selectors import notifications_of
from scheduler.subjects import subject_path

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    if request.method == "POST":
        if "read_all" in request.POST:
            count = notifications_mark_all_read(user=user)
            messages.success(request, _("%(n)d notifications marked read.") % {"n": count})
        elif (read := whole_number(request.POST.get("read", ""))) is not None:
            if not notification_mark_read(user=user, notification_id=read):
                messages.error(request, _("That notification is not in your inbox."))
        return HttpResponseRedirect(request.get_full_path() or reverse("inbox"))
    unread = request.GET.get("unread") == "1"
    page = Paginator(notifications_of(user=user, unread=unread), PAGE_SIZE).get_page(request.GET.get("page"))
    lines = {line.notice.pk: line for line in notice_lines(n.notice for n in page)}
    items = [(n, lines[n.notice_id], subject_path(n.notice)) for n in page]
    return render(request, "scheduler/inbox.html", {"page": page, "items": items, "unread": unread})
