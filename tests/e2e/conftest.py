import os
import re
from pathlib import Path

import pytest

from tests.e2e.browser import CHROMIUM

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts" / "e2e"))
# What an offline phone's requests end with: the offline tests cut the network on purpose.
OFFLINE = "net::ERR_INTERNET_DISCONNECTED"


class Problems:
    """What went wrong in any page of the test's browser: JavaScript errors (console errors and uncaught
    exceptions), failed requests, and answers of 400 and above that the test did not declare it expects."""

    def __init__(self):
        self.found: list[str] = []
        self.expected: list[tuple[int, re.Pattern]] = []

    def expect(self, status: int, url: str) -> None:
        """An answer this test provokes on purpose (``url`` a regular expression searched in the URL)."""
        self.expected.append((status, re.compile(url)))

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.found.append(f"JavaScript: {error} ({page.url})"))
        page.on("console", lambda message: self._console(page, message))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, page, message) -> None:
        # "Failed to load resource" repeats a failed request or an error answer: those are checked below,
        # where the URL is known and an expected answer can be told apart.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.found.append(f"console: {message.text} ({page.url})")

    def _failed(self, request) -> None:
        failure = request.failure or ""
        # Aborted is the browser's own doing, not an answer: a link that turned into a download, a poll
        # cut short by the page moving on.
        if OFFLINE in failure or "net::ERR_ABORTED" in failure:
            return
        self.found.append(f"request failed: {request.method} {request.url} {failure}")

    def _response(self, response) -> None:
        if response.status < 400:
            return
        if any(status == response.status and url.search(response.url) for status, url in self.expected):
            return
        self.found.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture
def shot(request):
    """shot(page, "name") saves a full-page screenshot as E2E_ARTIFACTS/<test>/<n>-<name>.png."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    count = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{next(count):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def browser(live_server, monkeypatch, problems):
    """Headless Chromium, started once per test. Every page of every context it opens is watched: the
    test fails at the end if any page logged a JavaScript error or a request failed (see Problems)."""
    # Playwright's sync API runs an event loop in this thread; the test still reads the database between
    # steps (never concurrently with the loop's own work), which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        new_context = chromium.new_context

        def watched_context(**options):
            context = new_context(**options)
            context.on("page", problems.watch)
            return context

        chromium.new_context = watched_context
        yield chromium
        chromium.close()
    assert problems.found == [], "\n".join(problems.found)
