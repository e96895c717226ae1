"""Fixtures for the browser tests: one headless Chromium per session, fresh contexts per test,
the demo organization made through the real services, sign-in and screenshot helpers.

Playwright's sync API keeps an event loop in this thread, and Django refuses synchronous
database calls from a thread with a running loop. The tests (not the live server, which has its
own thread) make such calls to set up data and check results, so the guard is lifted while the
Playwright driver is running, and only then.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from careloop.audit.testing import audit_log_empty
from careloop.core.demo import DEMO_PASSWORD, DemoResult, demo_create
from careloop.core.time import utcnow
from careloop.letters.testing import issued_letters_empty
from careloop.recovery.testing import ledger_empty

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

# Screenshots go to each test's tmp_path; set this to a folder to get a copy of each there.
SHOTS_COPY_ENV = "CARELOOP_BROWSER_SHOTS"

ContextFactory = Callable[..., BrowserContext]
SignIn = Callable[[Page, str], None]
Screenshot = Callable[[Page, str], Path]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The demo makes ten accounts; the default hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_log_cleared_after(transactional_db: None) -> Iterator[None]:
    """These tests commit (the live server reads what they write). The flush that resets the
    database afterwards deletes audit rows, issued letters and recovery ledger entries, which the
    append-only triggers refuse; empty them around the triggers first, then put those back."""
    yield
    audit_log_empty()
    issued_letters_empty()
    ledger_empty()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        driver = sync_playwright().start()
        yield driver
        driver.stop()


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(chromium: Browser, live_server: Any) -> Iterator[ContextFactory]:
    """new_context(**options): a browser context pointed at the live server; all the contexts
    a test makes are closed after it."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = chromium.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    return new_context().new_page()


@pytest.fixture
def demo(transactional_db: None) -> DemoResult:
    """Riverside Health Partners with its accounts and 20 cases, made before the browser starts."""
    return demo_create(now=utcnow(), cases=20, seed=1)


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


@pytest.fixture
def sign_in() -> SignIn:
    """sign_in(page, username): sign in through the login form with the demo password."""
    return _sign_in


@pytest.fixture
def screenshot(tmp_path: Path) -> Screenshot:
    """screenshot(page, name): a full-page PNG in tmp_path (copied to $CARELOOP_BROWSER_SHOTS
    when that is set); returns the tmp_path file."""

    def take(page: Page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        copy_to = os.environ.get(SHOTS_COPY_ENV, "")
        if copy_to:
            Path(copy_to).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(copy_to) / path.name)
        return path

    return take
