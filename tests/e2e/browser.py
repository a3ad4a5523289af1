"""What the end-to-end tests share: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against pytest-django's live server, the marks every such test carries, and signing in through the form."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-word-1"  # UserFactory's
OFFICE = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}  # an official's desktop browser

# Each module's pytestmark: a live server needs data committed, and the machine needs Chromium.
MARKS = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (CI installs Debian's chromium)"
    ),
]


def sign_in(page, base: str, user, next_url: str = "/") -> None:
    """Signs ``user`` in through the login form and waits until the page it leads to is open."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}{next_url}")
