#!/usr/bin/env python3
"""Checks Starling's dashboard in a real headless browser, against a running `starling serve`.

    dashboard_check.py --base URL --observer TOKEN --viewer TOKEN --alerts-folder DIR \
                       --alert NOTICE --artifacts DIR

Signs in with the observer's token, then checks, without ever reloading the page:
  1. live state appears (every telescope, the clock, the stream connected) and updates (a
     telescope's state changes on the page);
  2. an alert notice dropped in the watched folder shows as a follow-up with its assignment,
     and then the delay from the notice to the first frame;
  3. an observer flags a frame with a note, and the API then has that review;
then checks that nothing is wider than a laptop (1366 × 768) or a phone (390 × 844) screen and
saves screenshots at both sizes, signs out, signs in as a viewer and checks that reviewing is
disabled and says why, and finally that the console had no errors. Prints one JSON line with the results; exits 0 when every check held, 1 when
one failed (the line says which), 2 when the browser tools are missing.
"""

import argparse
import json
import os
import shutil
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import LAPTOP, PHONE, Browser, CheckFailed, missing_tools, report  # noqa: E402

NOTE = "satellite trail across the field (browser test)"

# Ceilings for waits, never expectations of speed: what the page does by itself (load, sign in,
# connect), and what waits on the simulated night, which on a busy machine runs far below the
# speed asked for (a follow-up's first frame waits for the exposure under way to end).
PAGE_SECONDS = 120
NIGHT_SECONDS = 900


def api_get(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def telescope_states(browser):
    return browser.run("""
        const states = {};
        for (const item of document.querySelectorAll('#sites .telescope')) states[item.dataset.telescope] = item.dataset.state;
        return states;""")


def sign_in(browser, token):
    browser.wait(lambda: browser.run("return !document.getElementById('sign-in').hidden"), PAGE_SECONDS, "the sign-in form")
    field = browser.driver.find_element("id", "token")
    field.clear()
    field.send_keys(token)
    browser.driver.find_element("css selector", "#token-form button[type=submit]").click()


def settle(browser):
    """Scrolls to the top and waits for the page's pending redraw and image decoding, for a
    screenshot."""
    browser.run("window.scrollTo(0, 0)")
    browser.run("return new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    browser.wait(lambda: browser.run(
        "return [...document.querySelectorAll('#frame-grid img')].every(img => !img.getAttribute('src') || img.complete)"), PAGE_SECONDS,
        "the frame previews to load")


def check(arguments, browser, results):
    base = arguments.base.rstrip("/")
    browser.open(base + "/")
    browser.run("localStorage.clear()")
    browser.open(base + "/")
    browser.run("window.__notReloaded = true")

    # Reading needs a token: the page asks for one, and the observer's is taken.
    sign_in(browser, arguments.observer)
    browser.wait(lambda: browser.run("return document.body.dataset.access === 'reading'"), PAGE_SECONDS, "the page to accept the observer's token")
    role = browser.wait(lambda: browser.run("return document.querySelector('#account .role')?.textContent"), PAGE_SECONDS, "the account's role")
    if role != "observer":
        raise CheckFailed(f"signed in as '{role}', expected observer")

    # 1. Live state appears...
    states = browser.wait(lambda: telescope_states(browser), PAGE_SECONDS, "the telescopes on the page")
    expected = {t["telescope_id"] for t in api_get(base, arguments.observer, "/api/telescopes")}
    if set(states) != expected:
        raise CheckFailed(f"the page shows telescopes {sorted(states)}, the API {sorted(expected)}")
    browser.wait(lambda: browser.run("return document.getElementById('connection').dataset.state === 'live'"), PAGE_SECONDS, "the live stream to connect")
    browser.wait(lambda: browser.run("return /\\d\\d:\\d\\d:\\d\\d UTC/.test(document.getElementById('clock-time').textContent)"), PAGE_SECONDS, "the clock")
    results["telescopes"] = len(states)

    # ...and updates: some telescope's state changes on the page without a reload.
    def changed():
        now = telescope_states(browser)
        moved = {t: (states[t], now[t]) for t in now if t in states and now[t] != states[t]}
        return moved or None

    moved = browser.wait(changed, NIGHT_SECONDS, "a telescope's state to change on the page")
    if not browser.run("return window.__notReloaded === true"):
        raise CheckFailed("the page reloaded")
    telescope, (before, after) = next(iter(moved.items()))
    results["state_change"] = f"{telescope}: {before} -> {after}"

    # 2. An alert dropped in the watched folder shows as a follow-up.
    name = os.path.basename(arguments.alert)
    partial = os.path.join(arguments.alerts_folder, "." + name + ".part")
    shutil.copyfile(arguments.alert, partial)
    os.rename(partial, os.path.join(arguments.alerts_folder, name))
    assigned = browser.wait(lambda: browser.run("""
        const row = document.querySelector('#follow-up-list .follow-up .legs tbody tr');
        return row ? { telescope: row.querySelector('th').textContent, state: row.dataset.state } : null;"""),
        NIGHT_SECONDS, "the alert's follow-up with an assignment")
    results["follow_up"] = assigned
    delay = browser.wait(lambda: browser.run("""
        const cell = document.querySelector('#follow-up-list .follow-up .legs tbody tr .delay');
        return cell && cell.textContent !== '–' ? cell.textContent : null;"""),
        NIGHT_SECONDS, "the delay from the notice to the follow-up's first frame")
    results["alert_to_first_frame"] = delay

    # 3. Review: the observer flags a frame with a note; the API then has it.
    frame_id = browser.wait(lambda: browser.run("""
        for (const card of document.querySelectorAll('#frame-grid .frame')) {
          const img = card.querySelector('img');
          const flag = card.querySelector('button.flag');
          if (img && img.complete && img.naturalWidth > 0 && flag && !flag.disabled) return card.dataset.frame;
        }
        return null;"""), NIGHT_SECONDS, "a frame with a preview and an enabled flag button")
    card = browser.driver.find_element("css selector", f"#frame-grid .frame[data-frame='{frame_id}']")
    note = card.find_element("css selector", ".flag-form textarea")
    if note.is_displayed():
        raise CheckFailed("the flag form shows before Flag… is pressed")
    card.find_element("css selector", "button.flag").click()
    browser.wait(lambda: note.is_displayed(), PAGE_SECONDS, "the flag form")
    note.send_keys(NOTE)
    card.find_element("css selector", ".flag-form button[type=submit]").click()
    browser.wait(lambda: browser.run(
        "return document.querySelector(`#frame-grid .frame[data-frame='${arguments[0]}'] .review-state`)?.dataset.decision === 'flagged'",
        frame_id), PAGE_SECONDS, "the frame to show as flagged")
    browser.wait(lambda: not note.is_displayed(), PAGE_SECONDS, "the flag form to close once the flag is saved")
    reviews = api_get(base, arguments.observer, "/api/reviews?frame=" + urllib.parse.quote(frame_id, safe=""))
    if not any(r["decision"] == "flagged" and r["note"] == NOTE for r in reviews):
        raise CheckFailed(f"the API has no flag with the note for {frame_id}: {reviews}")
    results["flagged_frame"] = frame_id

    # Screenshots, laptop and phone, with everything on the page.
    shots = []
    for screen in (LAPTOP, PHONE):
        browser.use(screen)
        settle(browser)
        # Usable at this width: nothing wider than the screen, so no sideways scrolling.
        overflow = browser.run("return document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            raise CheckFailed(f"at {screen.name} width the page is {overflow} px wider than the screen")
        shots.append(browser.screenshot(os.path.join(arguments.artifacts, f"dashboard-{screen.name}.png")))
        shots.append(browser.screenshot(os.path.join(arguments.artifacts, f"dashboard-{screen.name}-full.png"), full_page=True))
    browser.use(LAPTOP)

    # A viewer sees reviewing disabled, with the reason.
    browser.driver.find_element("css selector", "#account button").click()
    sign_in(browser, arguments.viewer)
    browser.wait(lambda: browser.run("return document.querySelector('#account .role')?.textContent === 'viewer'"), PAGE_SECONDS, "the viewer's session")
    browser.wait(lambda: browser.run("return document.getElementById('connection').dataset.state === 'live'"), PAGE_SECONDS,
                 "the viewer's live stream to connect")
    buttons = browser.wait(lambda: browser.run("""
        const buttons = [...document.querySelectorAll('#frame-grid .review-actions button')];
        return buttons.length ? buttons.map(b => b.disabled) : null;"""), PAGE_SECONDS, "the frames for the viewer")
    if not all(buttons):
        raise CheckFailed("a viewer has an enabled review button")
    explanation = browser.run("return document.getElementById('review-access').textContent")
    if "observer" not in explanation:
        raise CheckFailed(f"the viewer is not told why reviewing is off: '{explanation}'")
    described = browser.run("return document.querySelector('#frame-grid button.flag').getAttribute('aria-describedby')")
    if "review-access" not in (described or ""):
        raise CheckFailed("the disabled buttons do not point to the explanation (aria-describedby)")
    results["viewer_review"] = explanation
    settle(browser)
    shots.append(browser.screenshot(os.path.join(arguments.artifacts, "dashboard-viewer-laptop.png")))
    if not browser.run("return window.__notReloaded === true"):
        raise CheckFailed("the page reloaded")
    results["screenshots"] = shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--observer", required=True)
    parser.add_argument("--viewer", required=True)
    parser.add_argument("--alerts-folder", required=True)
    parser.add_argument("--alert", required=True)
    parser.add_argument("--artifacts", required=True)
    arguments = parser.parse_args()

    reason = missing_tools()
    if reason:
        report(skipped=reason)
        return 2
    results = {}
    started = time.monotonic()
    with Browser(LAPTOP) as browser:
        try:
            check(arguments, browser, results)
        except CheckFailed as failure:
            path = os.path.join(arguments.artifacts, "dashboard-failure.png")
            try:
                results["failure_screenshot"] = browser.screenshot(path, full_page=True)["path"]
            except Exception:
                pass
            report(ok=False, failed=str(failure), console_errors=browser.console_errors(), **results)
            return 1
        # The console, over the whole run: no errors.
        errors = browser.console_errors()
    results["seconds"] = round(time.monotonic() - started, 1)
    report(ok=not errors, console_errors=errors, **({"failed": "the console has errors"} if errors else {}), **results)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
