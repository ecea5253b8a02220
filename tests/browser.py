"""Headless Chromium on a playground server, for the browser tests and the benchmark.

Debian's Chromium (``apt-get install chromium``) driven by Playwright for Python. Where either is
missing the tests skip, except under CI=true, where they must run.
"""

import contextlib
import os
import shutil
import threading

CHROMIUM = os.environ.get("SMALLNET_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing():
    """Why the browser can't run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@contextlib.contextmanager
def playground_server():
    """A playground server on a free loopback port, serving from a thread."""
    from smallnet.playground.server import serve

    srv = serve("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser (Playwright's Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page that records console errors, page errors and any request off the server."""

    def __init__(self, browser, origin, viewport=(1400, 900)):
        self.origin = origin
        self.errors, self.foreign = [], []
        self.expected = []  # words of console errors a test provokes (Chromium logs every 4xx)
        # Playwright's waits evaluate strings, which the page's policy forbids its own scripts
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            accept_downloads=True,
            bypass_csp=True,
        )
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}")
        )
        self.page.on("pageerror", lambda exc: self.errors.append(f"page: {exc}"))
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.origin) or url.startswith(("data:", "blob:")):
            return route.continue_()
        self.foreign.append(url)
        return route.abort()

    def unexpected_errors(self):
        return [e for e in self.errors if not any(words in e for words in self.expected)]

    def close(self):
        self.context.close()
