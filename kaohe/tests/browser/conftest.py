"""A real Chromium against the live server: Debian's `chromium` driven by Playwright (no browser download).

Without Chromium these tests are skipped with a message saying how to install it, except where
KAOHE_REQUIRE_BROWSER is set (.ci/run sets it): there a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("KAOHE_SCREENSHOTS", "/tmp/kaohe-screenshots"))  # noqa: S108 (a test run's screenshots, for a person to look at)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Browser tests need Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium`."
        if os.environ.get("KAOHE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def plain_http() -> None:
    """The live server speaks plain HTTP; its middleware reads these once, when it starts."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(params=[(1280, 860), (390, 844)], ids=["desktop", "phone"])
def page(request: Any, plain_http: None, chromium: Any, live_server: Any) -> Iterator[Any]:
    width, height = request.param
    context = chromium.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.screenshot_name = f"{request.node.originalname}-{request.node.callspec.id}"
    yield page
    context.close()


def log_in(page: Any, username: str, password: str = "correct-horse-42") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def screenshot(page: Any, step: str) -> None:
    """Kept for people to look at (KAOHE_SCREENSHOTS); tests never compare pixels."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{page.screenshot_name}-{step}.png", full_page=True)


@pytest.fixture
def shipped_standard(db: Any) -> Any:
    """The seed's standard, loaded as `make run` loads it."""
    from kaohe.standard.actions import load_standard
    from kaohe.standard.files import SHIPPED, read_standard_path

    return load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))[0]
