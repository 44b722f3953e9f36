"""End-to-end harness: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is the system one (/usr/bin/chromium, installed with apt; RISKROUTE_CHROMIUM names
another binary); Playwright never downloads its own. Without it the tests are skipped with the
reason, except in CI (`CI` set), where a missing browser is a failure: an end-to-end suite that
silently skips proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("RISKROUTE_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's async-safety check must be told so.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _require(path: Path, what: str) -> None:
    if path.exists():
        return
    reason = f"{what} not found at {path}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the end-to-end tests (.ci/run installs it)", pytrace=False)
    pytest.skip(f"{reason}; install it to run the end-to-end tests")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require(CHROMIUM, "Debian chromium (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: CI runs on two shared cores. Auto-waiting returns as soon as the page is ready.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> Path:
    _require(AXE_JS, "axe-core (npm ci)")
    return AXE_JS


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    """The live server speaks plain HTTP on localhost, so cookies cannot be marked Secure here."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Synthetic test accounts only: a fast hasher keeps logins from dominating the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def base_url(live_server: Any, transactional_db: Any) -> str:
    return str(live_server.url)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open a page in a fresh browser context (one per user, so sessions never mix).

    Any script error or console error (a failed script, a blocked resource, a Content Security
    Policy violation) fails the test: a page that only looks right is not enough.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(locale="en-GB", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _console(errors, page, message))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def _console(errors: list[str], page: Any, message: Any) -> None:
    # Status errors are the pages under test answering 403/404/422 on purpose; the status is
    # asserted where it matters.
    if message.type == "error" and "the server responded with a status of" not in message.text:
        errors.append(f"{page.url}: {message.text}")
