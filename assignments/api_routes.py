"""API routes of the assignments app: (prefix, viewset, basename), registered by poverty_tracker/api_urls.py."""

from assignments import api, phone_api

ROUTES = api.ROUTES + phone_api.ROUTES
