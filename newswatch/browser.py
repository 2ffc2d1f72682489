"""Headless Chromium (Debian's `chromium` package) driven by Playwright: a page rendered to PNG the
way a reader's browser or mail client would show it. Playwright never downloads a browser here."""

from __future__ import annotations

import shutil
from pathlib import Path

# Without the background-networking flags Chromium keeps calling home, which a closed network refuses.
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserMissing(RuntimeError):
    """No `chromium` on the PATH."""


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise BrowserMissing("chromium is not installed (Debian: apt-get install chromium)")
    return found


def screenshot(page: Path, image: Path, *, width: int = 720) -> Path:
    """Render the HTML file `page` at `width` CSS pixels, the whole page, into the PNG `image`."""
    from playwright.sync_api import sync_playwright  # imported here: only the demo renders pages

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
        )
        try:
            tab = browser.new_page(viewport={"width": width, "height": 800})
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.screenshot(path=str(image), full_page=True)
        finally:
            browser.close()
    return image
