"""The cadre's phone pages (/m/), served with a service worker so they work offline."""

urlpatterns: list = []
# Routes that must sit at the site root (the service worker controls the pages below its own path).
root_urlpatterns: list = []
