#!/usr/bin/env python3
"""An independent check of a night's gravitational-wave follow-up coverage.

Reads a night's store (the SQLite file `starling night` writes) and, when there is one, its
network report (`report.json`), and recomputes for every alert with a HEALPix sky map, without
any of Starling's code:

- the 50 % and 90 % credible areas (ligo.skymap's `find_greedy_credible_levels`);
- the footprint of every planned field (each assignment's first attempt, at its target) and of
  every light frame taken under the alert's follow-up requests (at the frame's pointing), with
  the telescope's real field of view from `sites/` (a north-aligned gnomonic rectangle, as the
  frames' TAN WCS has it), as healpy polygons on the map rasterised to nside 1024;
- the 2-D probability those footprints cover (their union, per telescope and in total) and the
  area they cover, and where their centres lie (the credible level of each);
- the 3-D probability: the host-galaxy prior of the scenario's catalog weighted by the map's
  distance layers (dP/dV = rho * DISTNORM * N(r; DISTMU, DISTSIGMA), Singer et al. 2016,
  ApJL 829, L15) and by B-band luminosity, completed by the 2-D probability for the share of
  hosts the catalog misses (completeness against j_B = 1.98e8 L_sun Mpc^-3, Kopparapu et al.
  2008, ApJ 675, 1459);
- the most probability any set of pixels of the same area could hold (the bound).

Then it compares with the report's figures (when the report has them) and exits 1 when they
differ by more than 0.01 in probability or 2 % in area.

Usage:
    gw_coverage_check.py NIGHT_OUT_DIR [--db PATH] [--report PATH] [--root REPO] [--json]

Needs numpy, healpy, astropy, ligo.skymap and pyyaml (`scripts/install-deps --bench`).
"""
import argparse
import base64
import glob
import io
import json
import math
import os
import sqlite3
import sys
import tempfile

import healpy as hp
import numpy as np
import yaml

NSIDE = 1024
J_B = 1.98e8  # L_B,sun per Mpc^3 (Kopparapu et al. 2008)
M_B_SUN = 5.48  # the Sun's absolute B magnitude (Bessell, Castelli & Plez 1998)


def telescope_fields(root):
    """Field of view (width, height in degrees) of every telescope of the array."""
    models = yaml.safe_load(open(os.path.join(root, "sites", "models.yaml")))["telescope_models"]

    def merged(base, override):
        out = dict(base)
        for key, value in override.items():
            out[key] = merged(out.get(key, {}), value) if isinstance(value, dict) else value
        return out

    fields = {}
    for path in sorted(glob.glob(os.path.join(root, "sites", "*.yaml"))):
        if path.endswith("models.yaml"):
            continue
        site = yaml.safe_load(open(path))
        for telescope in site.get("telescopes", []):
            spec = merged(models.get(telescope.get("model"), {}), telescope)
            camera = spec["camera"]
            scale = 206264.806 * camera["pixel_size_um"] * 1e-3 / spec["focal_length_mm"] / 3600  # deg/px
            fields[telescope["id"]] = (scale * camera["width_px"], scale * camera["height_px"])
    return fields


def degrees(coordinates):
    """Right ascension and declination, degrees, of coordinates as the store encodes them."""
    return float(coordinates["ra_deg"]), float(coordinates["dec_deg"])


def footprint_pixels(ra, dec, width, height):
    """HEALPix (nested, nside 1024) pixels whose centres lie in a north-aligned gnomonic
    rectangle: its edges are great circles, so healpy's polygon is exact."""
    a, b = math.radians(ra), math.radians(dec)
    centre = np.array([math.cos(b) * math.cos(a), math.cos(b) * math.sin(a), math.sin(b)])
    east = np.array([-math.sin(a), math.cos(a), 0.0])
    north = np.cross(centre, east)
    xi, eta = math.radians(width) / 2, math.radians(height) / 2
    corners = [centre + sx * xi * east + sy * eta * north for sx, sy in ((1, 1), (-1, 1), (-1, -1), (1, -1))]
    corners = np.array([c / np.linalg.norm(c) for c in corners])
    return hp.query_polygon(NSIDE, corners, inclusive=False, nest=True)


def read_map(raw, alert_json, base):
    """The alert's sky map as a ligo.skymap multi-order table, or None."""
    from ligo.skymap.io import read_sky_map

    region = (alert_json or {}).get("errorRegion") or (alert_json or {}).get("error_region") or {}
    reference = None
    if isinstance(region, dict):
        for value in region.values():
            if isinstance(value, dict) and "_0" in value:
                reference = value["_0"]
            elif isinstance(value, dict) and "location" in value:
                reference = value
    location = (reference or {}).get("location")
    if location is None:
        return None
    if location.startswith("embedded:"):
        node = json.loads(raw)
        for key in location[len("embedded:"):].split("."):
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, str):
            return None
        data = base64.b64decode(node)
        with tempfile.NamedTemporaryFile(suffix=".fits") as handle:
            handle.write(data)
            handle.flush()
            return read_sky_map(handle.name, moc=True, distances=True)
    if location.startswith("http"):
        return None  # the check reads nothing from the network
    path = location if os.path.isabs(location) else os.path.join(base, location)
    return read_sky_map(path, moc=True, distances=True) if os.path.exists(path) else None


def host_prior(flat, catalog_path):
    """Per-galaxy host weights (pixel, weight), and the catalog's completeness."""
    import csv

    from ligo.skymap.distance import conditional_pdf

    pixels, weights = [], []
    with open(catalog_path) as handle:
        for row in csv.DictReader(handle):
            if row.get("kind") != "galaxy" or not row.get("distance_mpc") or not row.get("magnitude"):
                continue
            if row.get("magnitude_band") != "B":
                continue
            distance = float(row["distance_mpc"])
            if distance <= 0:
                continue
            absolute = float(row["magnitude"]) - 5 * math.log10(distance * 1e5)
            luminosity = 10 ** (-0.4 * (absolute - M_B_SUN))
            pixel = hp.ang2pix(NSIDE, float(row["ra_deg"]), float(row["dec_deg"]), lonlat=True, nest=True)
            mu, sigma, norm = flat["DISTMU"][pixel], flat["DISTSIGMA"][pixel], flat["DISTNORM"][pixel]
            if not (np.isfinite(mu) and np.isfinite(sigma) and sigma > 0 and norm > 0):
                continue
            density = flat["PROB"][pixel] / hp.nside2pixarea(NSIDE)  # per steradian
            # dP/dV = rho * p(r | direction) / r^2
            dp_dv = density * conditional_pdf(distance, mu, sigma, norm) / distance**2
            pixels.append(pixel)
            weights.append(luminosity * dp_dv)
    weights = np.array(weights)
    total = float(weights.sum()) if len(weights) else 0.0
    completeness = min(1.0, total / J_B)
    return np.array(pixels, dtype=np.int64), weights, total, completeness


def coverage(pixel_sets, prob, prior):
    """2-D probability, area and 3-D probability of the union of pixel sets."""
    if not pixel_sets:
        return {"probability": 0.0, "probability_with_distance": 0.0 if prior else None, "area_square_degrees": 0.0}
    union = np.unique(np.concatenate(pixel_sets))
    p2 = float(prob[union].sum())
    area = len(union) * hp.nside2pixarea(NSIDE, degrees=True)
    p3 = None
    if prior is not None:
        galaxy_pixels, weights, total, completeness = prior
        inside = np.isin(galaxy_pixels, union)
        share = float(weights[inside].sum() / total) if total > 0 else 0.0
        p3 = completeness * share + (1 - completeness) * p2
    return {"probability": p2, "probability_with_distance": p3, "area_square_degrees": area}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("night", help="the folder `starling night --out` wrote")
    parser.add_argument("--db", help="the store (default NIGHT/starling.sqlite)")
    parser.add_argument("--report", help="the network report.json (default: the newest under NIGHT/reports)")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), help="the repository")
    parser.add_argument("--catalog", default=None, help="galaxy catalog CSV for the 3-D prior (default: the scenario's)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()

    from ligo.skymap.bayestar import rasterize
    from ligo.skymap.postprocess import find_greedy_credible_levels

    db = args.db or os.path.join(args.night, "starling.sqlite")
    if not os.path.exists(db):
        sys.exit(f"{db}: no store")
    report_path = args.report
    if report_path is None:
        candidates = sorted(glob.glob(os.path.join(args.night, "reports", "*", "network", "report.json")))
        report_path = candidates[-1] if candidates else None
    report = json.load(open(report_path)) if report_path and os.path.exists(report_path) else None
    catalog = args.catalog
    if catalog is None:
        scenario = yaml.safe_load(open(os.path.join(args.root, "simulations", "tonight.yaml")))
        catalog = os.path.join(args.root, "catalogs", scenario.get("catalog", "nearby_galaxies") + ".csv")

    fields = telescope_fields(args.root)
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    results = []
    failures = []
    for alert in connection.execute("SELECT id, event_id, raw, alert_json FROM alert ORDER BY sequence"):
        alert_json = json.loads(alert["alert_json"]) if alert["alert_json"] else None
        try:
            moc = read_map(alert["raw"], alert_json, os.path.join(args.root, "simulations"))
        except Exception as error:  # a map ligo.skymap cannot read is reported, not fatal
            failures.append(f"{alert['id']}: sky map unreadable ({error})")
            continue
        if moc is None:
            continue
        flat = rasterize(moc, order=int(math.log2(NSIDE)))
        prob = np.asarray(flat["PROB"], dtype=float)
        levels = find_greedy_credible_levels(prob)
        pixel_area = hp.nside2pixarea(NSIDE, degrees=True)
        areas = {str(level): float((levels <= level).sum() * pixel_area) for level in (0.5, 0.9)}
        prior = None
        if "DISTMU" in flat.colnames and os.path.exists(catalog):
            prior = host_prior(flat, catalog)

        assignments = connection.execute(
            "SELECT id, telescope_id, state, json FROM assignment WHERE alert_id = ? ORDER BY id", (alert["id"],)).fetchall()
        planned_sets, planned_by_telescope, planned_levels = [], {}, []
        requests = set()
        for row in assignments:
            body = json.loads(row["json"])
            request = body["request"]
            requests.add(request["id"])
            if not row["id"].endswith("#1"):
                continue  # reassignments repeat a field already planned
            ra, dec = degrees(request["target"]["coordinates"])
            width, height = fields[row["telescope_id"]]
            pixels = footprint_pixels(ra, dec, width, height)
            planned_sets.append(pixels)
            planned_by_telescope.setdefault(row["telescope_id"], []).append(pixels)
            planned_levels.append(float(levels[hp.ang2pix(NSIDE, ra, dec, lonlat=True, nest=True)]))

        done_sets, done_by_telescope, done_levels = [], {}, []
        for request in sorted(requests):
            for frame in connection.execute(
                    "SELECT f.telescope_id, f.json FROM frame f JOIN observation o ON o.id = f.observation_id "
                    "WHERE o.request_id = ?", (request,)):
                body = json.loads(frame["json"])
                if body.get("imageType") != "LIGHT" or not body.get("pointing"):
                    continue
                ra, dec = degrees(body["pointing"])
                width, height = fields[frame["telescope_id"]]
                pixels = footprint_pixels(ra, dec, width, height)
                done_sets.append(pixels)
                done_by_telescope.setdefault(frame["telescope_id"], []).append(pixels)
                done_levels.append(float(levels[hp.ang2pix(NSIDE, ra, dec, lonlat=True, nest=True)]))

        planned = coverage(planned_sets, prob, prior)
        done = coverage(done_sets, prob, prior)
        # The most probability any pixels of the same area hold.
        order = np.argsort(prob)[::-1]
        bound = float(np.cumsum(prob[order])[max(0, int(round(done["area_square_degrees"] / pixel_area)) - 1)]) if done_sets else 0.0
        result = {
            "alert": alert["id"], "event": alert["event_id"],
            "credible_areas_square_degrees": areas,
            "completeness": prior[3] if prior else None,
            "planned": dict(planned, fields=len(planned_sets),
                            centres_inside_90=sum(level <= 0.9 for level in planned_levels),
                            by_telescope={t: coverage(s, prob, prior) for t, s in sorted(planned_by_telescope.items())}),
            "done": dict(done, frames=len(done_sets),
                         centres_inside_90=sum(level <= 0.9 for level in done_levels),
                         centres_at_level_0_9999_or_more=sum(level >= 0.9999 for level in done_levels),
                         best_possible_in_same_area=bound,
                         by_telescope={t: coverage(s, prob, prior) for t, s in sorted(done_by_telescope.items())}),
        }
        if report is not None:
            result["report"] = compare(report, alert["id"], planned, done, failures)
        results.append(result)

    if args.json:
        print(json.dumps({"alerts": results, "failures": failures}, indent=1))
    else:
        for r in results:
            print(f"{r['event'] or r['alert']}: 50 % region {r['credible_areas_square_degrees']['0.5']:.1f} deg², "
                  f"90 % region {r['credible_areas_square_degrees']['0.9']:.1f} deg²"
                  + (f", catalog completeness {r['completeness']:.3f}" if r["completeness"] is not None else ""))
            for phase in ("planned", "done"):
                c = r[phase]
                count = c.get("fields", c.get("frames"))
                three = c["probability_with_distance"]
                print(f"  {phase:7s} {count:3d} {'fields' if phase == 'planned' else 'frames'}: 2-D {100 * c['probability']:.2f} %"
                      + (f", 3-D {100 * three:.2f} %" if three is not None else "")
                      + f", {c['area_square_degrees']:.1f} deg²; centres inside the 90 % region: {c['centres_inside_90']}")
                for telescope, t in c["by_telescope"].items():
                    print(f"    {telescope:24s} 2-D {100 * t['probability']:6.2f} %  {t['area_square_degrees']:6.1f} deg²")
            print(f"  the best {r['done']['area_square_degrees']:.1f} deg² of the map hold {100 * r['done']['best_possible_in_same_area']:.1f} %;"
                  f" frames at credible level ≥ 0.9999: {r['done']['centres_at_level_0_9999_or_more']}")
            if "report" in r:
                print(f"  report: {r['report']}")
        for failure in failures:
            print("MISMATCH " + failure)
    sys.exit(1 if failures else 0)


def compare(report, alert_id, planned, done, failures):
    """Compares the report's coverage of an alert with ours; records mismatches."""
    entry = next((f for f in report.get("follow_ups", []) if f.get("alert_id") == alert_id), None)
    if entry is None or entry.get("coverage") is None:
        return "the report gives no coverage for this alert"
    theirs = entry["coverage"]
    notes = []
    for phase, ours in (("planned", planned), ("done", done)):
        figures = theirs.get(phase)
        if figures is None:
            continue
        for key, tolerance in (("probability", 0.01), ("probability_with_distance", 0.01)):
            if figures.get(key) is None or ours.get(key) is None:
                continue
            difference = abs(figures[key] - ours[key])
            notes.append(f"{phase} {key} {figures[key]:.4f} vs {ours[key]:.4f}")
            if difference > tolerance:
                failures.append(f"{alert_id} {phase} {key}: report {figures[key]:.4f}, check {ours[key]:.4f}")
        if figures.get("area_square_degrees") and ours["area_square_degrees"]:
            ratio = figures["area_square_degrees"] / ours["area_square_degrees"]
            notes.append(f"{phase} area {figures['area_square_degrees']:.1f} vs {ours['area_square_degrees']:.1f} deg²")
            if abs(ratio - 1) > 0.02:
                failures.append(f"{alert_id} {phase} area: report {figures['area_square_degrees']:.1f}, check {ours['area_square_degrees']:.1f}")
    return "; ".join(notes) if notes else "no comparable figures"


if __name__ == "__main__":
    main()
