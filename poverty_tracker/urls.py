"""Root URLs: each app's pages and API routes, the admin, the schema and its docs."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import last_modified
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from assignments.urls import root_urlpatterns as assignments_root
from core import audit_views
from core.health import healthz
from dashboards import views as dashboards

STARTED = timezone.now().replace(microsecond=0)  # the catalogue's Last-Modified: this process's code


def favicon(request):
    """Browsers that ask for /favicon.ico whatever the page's icon link says (headless Chromium does, on
    the login page) get the same icon, not a 404 in the log and the console."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", dashboards.home, name="home"),
    path("", include(assignments_root)),  # the service worker sits at the site root
    path("accounts/", include("accounts.urls")),
    path("assignments/", include("assignments.urls")),
    path("households/", include("households.urls")),
    path("projects/", include("projects.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("rosters/", include("core.rosters.urls")),
    path("villages/", include("dashboards.urls")),  # village and township exit: /villages/exit/
    path("villages/exit/", include("households.units.urls")),  # 出列 / 摘帽 procedure and indicators
    path("audit/", audit_views.audit, name="audit"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The scripts' words (djangojs catalogues); ?l= names the language so the phone caches one per language.
    # The catalogue changes only with a deploy: the browser asks again with If-Modified-Since and gets a 304.
    path(
        "jsi18n/",
        last_modified(lambda request, **kwargs: STARTED)(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("api/v1/", include("poverty_tracker.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
