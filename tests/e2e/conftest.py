import pytest

from tests.e2e.browser import CHROMIUM


@pytest.fixture
def browser(live_server, monkeypatch):
    """Headless Chromium, started once per test."""
    # Playwright's sync API runs an event loop in this thread; the test still reads the database between
    # steps (never concurrently with the loop's own work), which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
