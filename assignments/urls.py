"""Pages of the assignments app: officials' pages (views.py) and the cadre's phone pages (phone_views.py)."""

from assignments import phone_views, views

app_name = "assignments"
urlpatterns = views.urlpatterns + phone_views.urlpatterns
