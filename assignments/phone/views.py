"""The cadre's phone pages (/assignments/m/), served with a service worker so they work offline.

Pages are light (their own layout, no Bootstrap) and are cached by the service worker as they are
visited. The revisit form saves into an IndexedDB outbox on the phone (static/phone/outbox.js); the sync
loop sends it to the revisits API (phone_api.py), which calls assignments.services.
"""

import hashlib
import json
import mimetypes
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from assignments.models import Revisit
from assignments.phone import selectors
from assignments.services import revisit_risk_types
from core.access import Access

# Static files every phone page needs; the service worker precaches them.
PHONE_STATIC = (
    "phone/phone.css",
    "js/i18n.js",
    "phone/outbox.js",
    "phone/app.js",
    "phone/revisit_form.js",
    "phone/outbox_page.js",
)
# Pages precached when the service worker installs: the shell a cadre needs with no signal.
SHELL_PAGES = (
    "assignments:my-households",
    "assignments:phone-revisit-form",
    "assignments:phone-outbox",
    "assignments:phone-conflict",
    "assignments:phone-revisits",
    "assignments:phone-offline",
)


def _access(request) -> Access:
    return Access.for_user(request.user)


@login_required
@require_safe
def my_households(request):
    """我的挂包户: each household's last visit and whether the due round has a visit yet."""
    access = _access(request)
    round_ = selectors.due_round()
    households = list(selectors.my_households(access=access, round=round_))
    markers = selectors.household_markers(access=access, household_ids=[h.pk for h in households])
    for h in households:
        h.markers = markers.get(h.pk, [])
    return render(
        request,
        "assignments/phone/households.html",
        {
            "households": households,
            "round": round_,
            "today": timezone.localdate(),
            "is_cadre": access.is_cadre,
            "nav": "households",
        },
    )


@login_required
@require_safe
def household(request, pk: int):
    """The household summary: members, income, open problems, help plan, recent revisits."""
    summary = selectors.household_summary(access=_access(request), household_id=pk)
    return render(
        request,
        "assignments/phone/household.html",
        {"s": summary, "h": summary.household, "nav": "households"},
    )


@login_required
@require_safe
def revisit_form(request):
    """The revisit form. One page for every household (?household=), so one cached copy serves offline."""
    access = _access(request)
    return render(
        request,
        "assignments/phone/revisit_form.html",
        {
            "households": selectors.paired_household_choices(access=access),
            "selected": request.GET.get("household", ""),
            "today": timezone.localdate(),
            "kinds": Revisit.Kind.choices,
            "risk_types": revisit_risk_types(),
            "is_cadre": access.is_cadre,
            "bbox": ",".join(str(v) for v in settings.COUNTY_BBOX),
            "nav": "form",
        },
    )


@login_required
@require_safe
def revisit_edit(request, pk: int):
    """Edit a revisit; the page carries the version it shows, so a later server change is a conflict."""
    access = _access(request)
    revisit = selectors.revisit_detail(access=access, revisit_id=pk)
    if not access.can_change(revisit):
        raise Http404(_("未找到该记录，或您不能修改它。"))
    return render(
        request,
        "assignments/phone/revisit_form.html",
        {
            "revisit": revisit,
            "households": [(revisit.household_id, str(revisit.household.head_name))],
            "selected": str(revisit.household_id),
            "today": timezone.localdate(),
            "kinds": Revisit.Kind.choices,
            "is_cadre": True,
            "base_updated_at": revisit.updated_at.isoformat(),
        },
    )


@login_required
@require_safe
def my_revisits(request):
    """The revisits this cadre recorded, also for households no longer paired with them (read only)."""
    revisits = selectors.my_revisits(access=_access(request))[:100]
    return render(request, "assignments/phone/revisits.html", {"revisits": revisits})


@login_required
@require_safe
def revisit_detail(request, pk: int):
    access = _access(request)
    revisit = selectors.revisit_detail(access=access, revisit_id=pk)
    return render(
        request,
        "assignments/phone/revisit.html",
        {"r": revisit, "may_edit": access.can_change(revisit)},
    )


@login_required
@require_safe
def outbox(request):
    """待上传: rendered on the phone from IndexedDB (outbox_page.js); the server sends only the frame."""
    return render(request, "assignments/phone/outbox.html", {"nav": "outbox"})


@login_required
@require_safe
def conflict(request):
    """One conflict (?key= an outbox item): the cadre's edit beside the server's version."""
    return render(request, "assignments/phone/conflict.html")


@require_safe
def offline(request):
    """Shown by the service worker for a page it has not cached when there is no signal."""
    return render(request, "assignments/phone/offline.html")


@login_required
@require_safe
@cache_control(private=True, max_age=86400)
def revisit_photo(request, pk: int):
    """A revisit's photo, streamed only to users who may see the revisit (404 otherwise)."""
    photo = selectors.revisit_photo(access=_access(request), photo_id=pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("照片文件不存在。")) from None
    # Only the image types the upload re-encodes to are shown inline; anything else (a file stored before
    # photos were re-encoded) is downloaded as bytes, never rendered from the app's origin.
    content_type = mimetypes.guess_type(photo.image.name)[0]
    if content_type in PHOTO_CONTENT_TYPES:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(handle, content_type="application/octet-stream", as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


PHOTO_CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp"}


# -- the service worker ---------------------------------------------------------------------------------


def _phone_static_digest() -> str:
    digest = hashlib.sha256()
    template = get_template("assignments/phone/sw.js")
    digest.update(Path(template.origin.name).read_bytes())
    for name in PHONE_STATIC:
        found = finders.find(name)
        if found:
            digest.update(Path(found).read_bytes())
        else:  # production: only the collected (hashed) name exists; its URL changes with its content
            digest.update(static(name).encode())
    return digest.hexdigest()[:12]


_cached_digest = lru_cache(maxsize=1)(_phone_static_digest)


@require_safe
def service_worker(request):
    """/sw.js at the site root, so its scope covers the phone pages (and the logout it guards)."""
    version = _phone_static_digest() if settings.DEBUG else _cached_digest()
    config = {
        "version": version,
        "staticUrls": [static(name) for name in PHONE_STATIC],
        "shellUrls": [reverse(name) for name in SHELL_PAGES],
        "offlineUrl": reverse("assignments:phone-offline"),
        "outboxUrl": reverse("assignments:phone-outbox"),
        "outboxJs": static("phone/outbox.js"),
        # The scripts' words in this language: the same URL the phone pages load (assignments/phone/base.html).
        "catalogueUrl": f"{reverse('javascript-catalog')}?l={get_language()}",
        "logoutUrl": reverse("logout"),
        "phonePrefix": reverse("assignments:my-households"),
    }
    body = render_to_string("assignments/phone/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # The browser must see a new worker as soon as it is deployed.
    response["Cache-Control"] = "no-cache, max-age=0"
    return response
