#!/usr/bin/env python3
"""Screenshots of any page at laptop and phone width, failing on console errors.

    screenshot.py URL OUTDIR [--name NAME] [--wait-for CSS] [--token TOKEN]

Opens URL (http:, https: or file:) in headless Chromium at 1366 × 768 and at 390 × 844 (a
phone, twice the pixel density), saves NAME-laptop.png, NAME-laptop-full.png, NAME-phone.png
and NAME-phone-full.png in OUTDIR, and prints one JSON line with their paths and sizes and the
console's errors. Exits 0 when the page loaded without console errors, 1 when it had some,
2 when the browser tools are missing (the reason is printed).

With --token the page is opened after storing the token where Starling's dashboard reads it;
with --wait-for it waits until an element matching the CSS selector is on the page. Meant for
the dashboard and for night reports (issue 21), and for any page a test wants to look at.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import LAPTOP, PHONE, Browser, CheckFailed, missing_tools, report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("outdir")
    parser.add_argument("--name", default="page")
    parser.add_argument("--wait-for", help="a CSS selector to wait for before the screenshots")
    parser.add_argument("--token", help="an API token for Starling's dashboard")
    parser.add_argument("--timeout", type=float, default=60)
    arguments = parser.parse_args()

    reason = missing_tools()
    if reason:
        report(skipped=reason)
        return 2
    shots = []
    with Browser(LAPTOP) as browser:
        browser.open(arguments.url)
        if arguments.token:
            browser.run("localStorage.setItem('starling.token', arguments[0])", arguments.token)
            browser.open(arguments.url)
        try:
            browser.wait(lambda: browser.run("return document.readyState") == "complete", arguments.timeout, "the page to load")
            if arguments.wait_for:
                browser.wait(
                    lambda: browser.run("return document.querySelector(arguments[0]) !== null", arguments.wait_for),
                    arguments.timeout, f"an element matching {arguments.wait_for}")
        except CheckFailed as failure:
            report(error=str(failure), console_errors=browser.console_errors())
            return 1
        for screen in (LAPTOP, PHONE):
            browser.use(screen)
            browser.run("return new Promise(requestAnimationFrame)")
            shots.append(browser.screenshot(os.path.join(arguments.outdir, f"{arguments.name}-{screen.name}.png")))
            shots.append(browser.screenshot(os.path.join(arguments.outdir, f"{arguments.name}-{screen.name}-full.png"), full_page=True))
        errors = browser.console_errors()
    report(screenshots=shots, console_errors=errors)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
