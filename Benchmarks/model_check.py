#!/usr/bin/env python3
"""What a reasoning model adds to one site's nights, checked without Starling's code.

Reads pairs of `starling plan --json` documents written by scripts/model-check, one planned by
the deterministic core alone (NIGHT-core.json) and one with `--model` (NIGHT-model.json), and
prints, per telescope and night:

- the model's latency for the question and its verdict (accepted, repaired with what was
  mended, or rejected with why), from the plan's `model_consultation`;
- whether the model's order differed from the core's and whether the plan changed (the
  sequence of targets, compared here from the two documents);
- the plan's merit against the deterministic plan's, by the core's measure;
- the reasoning trace, when the server returned one (its first line; the report shows it whole).

Then it checks every observation of both plans with astropy, independently of Starling: slots
inside the night and not overlapping; the Sun at or below -18 deg (astronomical darkness, the
survey's default) at each slot's start and end; the target at or above 30 deg, at airmass 2.0 or
less, above the site's horizon mask and at least 20 deg from the Moon (the survey policy's
defaults, docs/planning.md), computed at the slot's end; and the plan's printed altitude within
0.5 deg of astropy's. A plan the model changed must hold to the same limits as the core's.

Exits 1 when any observation breaks a limit, so `make bench` fails loudly if a model's answer
ever got past the core.

Usage:
    model_check.py DIR [--root REPO]

Needs astropy and pyyaml (`scripts/install-deps --bench`).
"""
import argparse
import glob
import json
import os
import sys
import warnings

import numpy as np
import yaml
from astropy import units as u
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body, get_sun
from astropy.time import Time
from astropy.utils import iers

# Offline, as on the benchmark machine: the bundled IERS table (UT1-UTC to a fraction of a
# second, far inside these limits' tolerances).
iers.conf.auto_download = False
iers.conf.auto_max_age = None
iers.conf.iers_degraded_accuracy = "ignore"

SUN_LIMIT_DEG = -18.0
ALTITUDE_LIMIT_DEG = 30.0
AIRMASS_LIMIT = 2.0
MOON_SEPARATION_DEG = 20.0
# Tolerances: the plan's altitudes are at the exposures' start and end, the check's at the
# slot's end (after the readout), a few tens of seconds later.
ALTITUDE_AGREEMENT_DEG = 0.5
TOLERANCE_DEG = 0.05


def load_site(root, site_id):
    with open(os.path.join(root, "sites", f"{site_id}.yaml")) as handle:
        site = yaml.safe_load(handle)
    location = EarthLocation(lat=site["latitude_deg"] * u.deg, lon=site["longitude_deg"] * u.deg, height=site["elevation_m"] * u.m)
    mask = sorted((float(a), float(h)) for a, h in site.get("horizon_mask_deg") or [[0, 0]])
    return location, mask


def mask_altitude(mask, azimuth):
    """The horizon mask at an azimuth, interpolated linearly and wrapping at 360 deg."""
    azimuths = [a for a, _ in mask] + [mask[0][0] + 360]
    heights = [h for _, h in mask] + [mask[0][1]]
    return np.interp(azimuth % 360, azimuths, heights, left=heights[0])


def violations(plan, location, mask):
    """Every limit an observation of a plan breaks, in words."""
    found = []
    observations = plan["observations"]
    if not observations:
        return found
    starts = Time([o["start_utc"] for o in observations], scale="utc")
    ends = Time([o["end_utc"] for o in observations], scale="utc")
    if plan.get("night_start_utc"):
        night_start, night_end = Time(plan["night_start_utc"]), Time(plan["night_end_utc"])
        for o, start, end in zip(observations, starts, ends):
            if start < night_start - 1 * u.s or end > night_end + 1 * u.s:
                found.append(f"{o['target']} at {o['start_utc']}: outside the night {plan['night_start_utc']}-{plan['night_end_utc']}")
    order = np.argsort(starts.unix)
    for a, b in zip(order[:-1], order[1:]):
        if starts[b].unix < ends[a].unix - 1e-3:
            found.append(f"{observations[a]['target']} and {observations[b]['target']} overlap at {observations[b]['start_utc']}")
    for when, label in ((starts, "start"), (ends, "end")):
        sun = get_sun(when).transform_to(AltAz(obstime=when, location=location))
        for o, altitude in zip(observations, sun.alt.deg):
            if altitude > SUN_LIMIT_DEG + TOLERANCE_DEG:
                found.append(f"{o['target']}: the Sun at {altitude:.2f} deg at the slot's {label}")
    targets = SkyCoord(ra=[o["ra_deg"] for o in observations] * u.deg, dec=[o["dec_deg"] for o in observations] * u.deg)
    frame = AltAz(obstime=ends, location=location)
    horizontal = targets.transform_to(frame)
    with warnings.catch_warnings():
        # The Moon's frame is geocentric with the site's offset; the separation is taken there.
        warnings.simplefilter("ignore")
        separation = get_body("moon", ends, location).separation(targets).deg
    for o, altitude, azimuth, moon_deg in zip(observations, horizontal.alt.deg, horizontal.az.deg, separation):
        lowest = max(ALTITUDE_LIMIT_DEG, mask_altitude(mask, azimuth))
        if altitude < lowest - TOLERANCE_DEG:
            found.append(f"{o['target']}: altitude {altitude:.2f} deg below {lowest:.1f} at the slot's end")
        airmass = 1 / np.sin(np.radians(altitude)) if altitude > 0 else float("inf")
        if airmass > AIRMASS_LIMIT + 1e-3:
            found.append(f"{o['target']}: airmass {airmass:.3f} above {AIRMASS_LIMIT}")
        if abs(altitude - o["altitude_end_deg"]) > ALTITUDE_AGREEMENT_DEG:
            found.append(f"{o['target']}: plan says altitude {o['altitude_end_deg']:.2f} deg, astropy {altitude:.2f} deg")
        if moon_deg < MOON_SEPARATION_DEG - TOLERANCE_DEG:
            found.append(f"{o['target']}: {moon_deg:.1f} deg from the Moon")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="the folder scripts/model-check wrote (NIGHT-core.json, NIGHT-model.json)")
    parser.add_argument("--root", default=".", help="the Starling checkout (for sites/)")
    args = parser.parse_args()

    pairs = sorted(glob.glob(os.path.join(args.dir, "*-core.json")))
    if not pairs:
        print(f"model_check: no NIGHT-core.json in {args.dir}", file=sys.stderr)
        return 2
    sites = {}
    rows, broken = [], []
    for core_path in pairs:
        model_path = core_path.replace("-core.json", "-model.json")
        with open(core_path) as handle:
            core = {p["telescope"]: p for p in json.load(handle)["plans"]}
        with open(model_path) as handle:
            model = {p["telescope"]: p for p in json.load(handle)["plans"]}
        for telescope in sorted(model):
            plan = model[telescope]
            if plan["site"] not in sites:
                sites[plan["site"]] = load_site(args.root, plan["site"])
            location, mask = sites[plan["site"]]
            for label, checked in (("core", core.get(telescope)), ("model", plan)):
                if checked:
                    broken += [f"{plan['night']} {telescope} ({label} plan): {v}" for v in violations(checked, location, mask)]
            asked = plan.get("model_consultation")
            if not asked:
                continue
            same = core.get(telescope) and [o["target"] for o in core[telescope]["observations"]] == [o["target"] for o in plan["observations"]]
            trace = (plan["ranking"].get("reasoning_trace") or "").strip().splitlines()
            rows.append({
                "night": plan["night"], "telescope": telescope, "seconds": asked["seconds"], "verdict": asked["verdict"],
                "why": "; ".join(asked["repairs"]) if asked["verdict"] != "rejected" else f"{asked['failure_code']}: {asked['failure']}",
                "failure_code": asked.get("failure_code"),
                "order_changed": asked["order_changed"], "plan_changed": not same,
                "merit": asked["planned_merit"], "core_merit": asked["deterministic_merit"], "trace": trace[0][:100] if trace else "",
            })

    print(f"{'night':<11} {'telescope':<16} {'seconds':>8}  {'verdict':<9} {'order':<8} {'plan':<9} {'merit':>8} {'core':>8}  why / trace")
    for row in rows:
        print(f"{row['night']:<11} {row['telescope']:<16} {row['seconds']:>8.1f}  {row['verdict']:<9} "
              f"{'changed' if row['order_changed'] else 'same':<8} {'changed' if row['plan_changed'] else 'same':<9} "
              f"{row['merit']:>8.2f} {row['core_merit']:>8.2f}  {row['why'][:110]}")
        if row["trace"]:
            print(f"{'':<47}trace: {row['trace']}")
    if rows:
        seconds = sorted(r["seconds"] for r in rows)
        counts = {v: sum(r["verdict"] == v for r in rows) for v in ("accepted", "repaired", "rejected")}
        used = [r for r in rows if r["verdict"] != "rejected"]
        gained = sum(r["merit"] - r["core_merit"] for r in used)
        core_total = sum(r["core_merit"] for r in used)
        print()
        print(f"{len(rows)} questions over {len(pairs)} night(s): latency median {seconds[len(seconds) // 2]:.1f} s, "
              f"longest {seconds[-1]:.1f} s; {counts['accepted']} accepted, {counts['repaired']} repaired, {counts['rejected']} rejected")
        print(f"of the {len(used)} answers used: order differed from the core's in {sum(r['order_changed'] for r in used)}, "
              f"plan changed in {sum(r['plan_changed'] for r in used)}; merit {'+' if gained >= 0 else ''}{gained:.2f} "
              f"({(gained / core_total * 100) if core_total else 0:+.1f} %) against the deterministic plans")
        reasons = {}
        for r in rows:
            if r["verdict"] == "rejected":
                reasons[r["failure_code"]] = reasons.get(r["failure_code"], 0) + 1
        if reasons:
            print("rejected because: " + ", ".join(f"{code} x{n}" for code, n in sorted(reasons.items())))
    else:
        print("the model was asked nothing (no telescope had two or more planned observations)")
    if broken:
        print(f"\n{len(broken)} limit(s) broken:")
        for line in broken[:50]:
            print("  " + line)
        return 1
    print("\nevery observation of every plan, the model's included, keeps the survey's limits (checked with astropy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
