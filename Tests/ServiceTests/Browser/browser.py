"""A headless Chromium for Starling's browser tests, driven by Selenium.

Debian's ``chromium`` and ``chromium-driver`` and Selenium from PyPI (``scripts/install-deps
--test``). One ``Browser`` per test: it sizes the page as a laptop or a phone, takes
screenshots of the viewport or the whole page, and collects the page's console errors, which a
test fails on.

    from browser import Browser, missing_tools
    reason = missing_tools()          # None, or why the test cannot run here
    with Browser() as browser:
        browser.open("http://127.0.0.1:8080/")
        browser.use(LAPTOP)
        browser.screenshot("out/laptop.png", full_page=True)
        assert not browser.console_errors()

``screenshot.py`` runs this on any page (a report, a dashboard) from the command line.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


@dataclass(frozen=True)
class Screen:
    """A screen to show the page on: CSS pixels, the device pixel ratio, and whether it is a
    phone (touch, mobile viewport)."""

    name: str
    width: int
    height: int
    scale: float = 1.0
    mobile: bool = False


LAPTOP = Screen("laptop", 1366, 768)
# An iPhone 12–15 class phone: 390 × 844 CSS pixels at twice the density (screenshots 780 px wide).
PHONE = Screen("phone", 390, 844, scale=2.0, mobile=True)


def _first_executable(candidates, name):
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def chromium_path() -> Optional[str]:
    return _first_executable(CHROMIUM_CANDIDATES, "chromium")


def driver_path() -> Optional[str]:
    return _first_executable(DRIVER_CANDIDATES, "chromedriver")


def missing_tools() -> Optional[str]:
    """Why a browser test cannot run here, or ``None`` when it can."""
    missing = []
    if not chromium_path():
        missing.append("chromium (apt: chromium)")
    if not driver_path():
        missing.append("chromedriver (apt: chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip: selenium)")
    if not missing:
        return None
    return "not installed: " + ", ".join(missing) + "; run scripts/install-deps --test"


class CheckFailed(AssertionError):
    """A check of the page that did not hold, with what was seen."""


T = TypeVar("T")


class Browser:
    """A headless Chromium with one page."""

    def __init__(self, screen: Screen = LAPTOP, language: str = "en-GB"):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = chromium_path()
        for argument in (
            "--headless=new",
            "--no-sandbox",  # tests often run as root in containers, where the sandbox cannot start
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--mute-audio",
            f"--lang={language}",
            f"--window-size={screen.width},{screen.height}",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(driver_path()), options=options)
        self.driver.set_page_load_timeout(60)
        self._log: list[dict] = []
        self.screen = screen
        self.use(screen)

    # Context manager: the browser ends with the block, whatever happens in it.
    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exception) -> None:
        self.quit()

    def quit(self) -> None:
        try:
            self.driver.quit()
        except Exception:  # already gone: nothing left to end
            pass

    def use(self, screen: Screen) -> None:
        """Shows the page as on `screen` (CSS size, pixel density, phone or not)."""
        self.screen = screen
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": screen.width, "height": screen.height, "deviceScaleFactor": screen.scale, "mobile": screen.mobile},
        )
        self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": screen.mobile})

    def open(self, url: str) -> None:
        self.driver.get(url)

    def run(self, script: str, *arguments):
        """Runs JavaScript in the page and returns its value."""
        return self.driver.execute_script(script, *arguments)

    def wait(self, condition: Callable[[], T], timeout: float, what: str, poll: float = 0.25) -> T:
        """Waits until `condition()` returns something truthy and returns it; fails saying
        `what` was awaited when `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except Exception as error:  # the page is changing under us: look again
                last_error = error
            time.sleep(poll)
        detail = f" (last error: {last_error})" if last_error else ""
        raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}{detail}")

    def screenshot(self, path: str, full_page: bool = False) -> dict:
        """Saves a PNG of the viewport, or of the whole page; returns its size in pixels."""
        parameters = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            content = metrics.get("cssContentSize") or metrics["contentSize"]
            width = max(self.screen.width, int(content["width"]))
            height = max(self.screen.height, int(content["height"]))
            parameters["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        data = base64.b64decode(self.driver.execute_cdp_cmd("Page.captureScreenshot", parameters)["data"])
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
        width = int.from_bytes(data[16:20], "big")
        height = int.from_bytes(data[20:24], "big")
        return {"path": os.path.abspath(path), "width": width, "height": height}

    def console(self) -> list[dict]:
        """Every console and page-error entry so far (the driver hands each out once, so they
        are kept here)."""
        self._log.extend(self.driver.get_log("browser"))
        return list(self._log)

    def console_errors(self, ignore: Callable[[dict], bool] = lambda entry: False) -> list[str]:
        """The console's errors (level SEVERE: uncaught exceptions, `console.error`, failed
        loads), except those `ignore` accepts."""
        return [entry["message"] for entry in self.console() if entry.get("level") == "SEVERE" and not ignore(entry)]


def report(**fields) -> None:
    """Prints the run's result as one JSON line (the Swift test reads the last line)."""
    print(json.dumps(fields, sort_keys=True), flush=True)
