#!/usr/bin/env python3
"""Peer for GWCoverageBenchmark: gwemopt schedules the same sky map with the same telescopes
over the same night, and healpy measures the probability both plans cover.

Usage:
    gwcoverage_peer.py plan SPEC.json      gwemopt's plan (timed warm: median of repeats)
    gwcoverage_peer.py measure SPEC.json   the union coverage of fields listed in SPEC.json

SPEC.json (written by GWCoverageBenchmark):
    skymap            multi-order FITS sky map
    start_utc         the decision instant (ISO 8601); the plan covers start .. start + hours
    hours             the span planned
    exposure_seconds  one exposure per field, in filter r
    maximum_airmass   sec z at the lowest altitude allowed (20 degrees: 2.92)
    repeats           timed runs after one warm-up run
    telescopes        [{id, latitude_deg, longitude_deg, elevation_m, width_deg, height_deg,
                        readout_seconds, overhead_seconds, slew_deg_per_s}]
    fields            (measure) [{ra_deg, dec_deg, width_deg, height_deg}]

Prints JSON. `plan`: the fields gwemopt scheduled (ra, dec, start, telescope), the wall and
CPU seconds (the process's, all threads) of each timed run and their medians, and the 2-D
probability its fields cover. `measure`: the
probability and area the listed fields cover.

How gwemopt (0.4.2) is run: `gwemopt.tiles.moc` (its power-law tiles, with each tile's
observable segments from ephem: night at Sun < -12 degrees, airmass limit, Moon >= 20
degrees), then `gwemopt.coverage.timeallocation` with the power-law allocation and the
`greedy` heuristic scheduler, one exposure per tile (`doSingleExposure`). Two adjustments,
both stated in the output: the tiles' boxes are built with the camera's half-width and
half-height (gwemopt 0.4.2 passes a square's side to mocpy's `from_boxes` as the semi-axis,
which would double the field), and each telescope's tessellation is cut to the tiles touching
the map's 99.9 % region before the observability segments are computed (which only makes
gwemopt faster: tiles outside hold under 0.1 % and would be given no time).
"""
import json
import math
import statistics
import sys
import time
import warnings

import healpy as hp
import numpy as np

warnings.simplefilter("ignore")
NSIDE = 1024


def rectangle_pixels(ra, dec, width, height, nside=NSIDE):
    """Pixels (nested) whose centres lie in a north-aligned gnomonic rectangle."""
    a, b = math.radians(ra), math.radians(dec)
    centre = np.array([math.cos(b) * math.cos(a), math.cos(b) * math.sin(a), math.sin(b)])
    east = np.array([-math.sin(a), math.cos(a), 0.0])
    north = np.cross(centre, east)
    xi, eta = math.radians(width) / 2, math.radians(height) / 2
    corners = np.array([centre + sx * xi * east + sy * eta * north for sx, sy in ((1, 1), (-1, 1), (-1, -1), (1, -1))])
    corners /= np.linalg.norm(corners, axis=1)[:, None]
    return hp.query_polygon(nside, corners, inclusive=False, nest=True)


def flat_probability(path):
    from ligo.skymap.bayestar import rasterize
    from ligo.skymap.io import read_sky_map

    flat = rasterize(read_sky_map(path, moc=True), order=int(math.log2(NSIDE)))
    return np.asarray(flat["PROB"], dtype=float)


def measure(spec):
    prob = flat_probability(spec["skymap"])
    sets = [rectangle_pixels(f["ra_deg"], f["dec_deg"], f["width_deg"], f["height_deg"]) for f in spec["fields"]]
    union = np.unique(np.concatenate(sets)) if sets else np.array([], dtype=np.int64)
    return {
        "fields": len(sets),
        "probability": float(prob[union].sum()),
        "area_square_degrees": len(union) * hp.nside2pixarea(NSIDE, degrees=True),
    }


def gwemopt_params(spec):
    """gwemopt's parameters for the spec's telescopes, as its command line would make them."""
    import astroplan
    import astropy.coordinates
    import astropy.units as u
    from astropy.time import Time
    from gwemopt.args import parse_args
    from gwemopt.utils import tesselation

    exposure = spec["exposure_seconds"]
    args = parse_args([
        "--doTiles", "--doSchedule", "--tilesType", "moc", "--timeallocationType", "powerlaw",
        "--scheduleType", "greedy", "--filters", "r", "--exposuretimes", str(exposure), "--doSingleExposure",
        "--airmass", str(spec["maximum_airmass"]), "--Tobs", f"0.0,{spec['hours'] / 24}",
        "--nside", "256",
    ])
    params = dict(args.__dict__)
    params["config"] = {}
    names = []
    for telescope in spec["telescopes"]:
        name = telescope["id"]
        names.append(name)
        config = {
            "telescope": name, "filt": "r", "magnitude": 21.0, "exposuretime": float(exposure),
            "latitude": telescope["latitude_deg"], "longitude": telescope["longitude_deg"],
            "elevation": telescope["elevation_m"],
            "FOV": max(telescope["width_deg"], telescope["height_deg"]), "FOV_type": "square",
            "FOV_coverage": max(telescope["width_deg"], telescope["height_deg"]), "FOV_coverage_type": "square",
            "slew_rate": telescope["slew_deg_per_s"], "readout": telescope["readout_seconds"],
            "horizon": telescope["minimum_altitude_deg"], "overhead_per_exposure": telescope["overhead_seconds"],
            "width": telescope["width_deg"], "height": telescope["height_deg"],
        }
        # gwemopt's own square packing, written where it wants its tessellation file.
        config["tesselationFile"] = f"/tmp/gwcoverage_peer_{config['FOV']:.4f}.tess"
        tesselation.tesselation_packing(config)
        config["tesselation"] = np.loadtxt(config["tesselationFile"], usecols=(0, 1, 2), comments="%")
        location = astropy.coordinates.EarthLocation(config["longitude"], config["latitude"], config["elevation"])
        config["observer"] = astroplan.Observer(location=location)
        params["config"][name] = config
    params["telescopes"] = names
    params["coverageFiles"] = None
    params["lightcurveFiles"] = []
    params["Tobs"] = np.array([0.0, spec["hours"] / 24])
    params["observedTiles"] = []
    params["treasuremap_status"] = []
    params["unbalanced_tiles"] = None
    params["filters"] = ["r"]
    params["exposuretimes"] = np.array([float(exposure)])
    params["ignore_observability"] = False
    params["true_location"] = False
    params["start_time"] = Time(spec["start_utc"])
    params["end_time"] = Time(spec["start_utc"]) + spec["hours"] * u.hour
    params["inclination"] = False
    params["projection"] = "astro mollweide"
    params["solverType"] = "heuristic"
    params["milpSolver"] = "PULP_CBC_CMD"
    params["milpOptions"] = {}
    params["parallelBackend"] = "threading"
    params["movie"] = False
    params["plots"] = []
    params["confidence_level"] = 1.0
    params["skymap"] = spec["skymap"]
    params["gpstime"] = Time(spec["start_utc"]).gps
    params["catalog"] = None
    return params


def plan_once(spec):
    """One gwemopt plan from the map file to the schedule; returns the scheduled fields."""
    import astropy.units as u
    import gwemopt.coverage
    import gwemopt.segments
    import gwemopt.tiles
    from gwemopt.io import read_skymap
    from mocpy import MOC

    params = gwemopt_params(spec)
    params, map_struct = read_skymap(params)
    params["gpstime"] = __import__("astropy.time", fromlist=["Time"]).Time(spec["start_utc"]).gps
    params = gwemopt.segments.get_telescope_segments(params)

    # The 99.9 % region at nside 1024, to cut the tessellations.
    prob = np.asarray(map_struct["skymap_raster"]["PROB"], dtype=float)
    nside = hp.npix2nside(len(prob))
    order = np.argsort(prob)[::-1]
    keep = order[: np.searchsorted(np.cumsum(prob[order]), 0.999) + 1]
    region = np.zeros(len(prob), dtype=bool)
    region[keep] = True

    moc_structs = {}
    for name in params["telescopes"]:
        config = params["config"][name]
        tess = config["tesselation"]
        reach = math.radians(math.hypot(config["width"], config["height"]) / 2) + hp.max_pixrad(nside)
        near = [row for row in tess if region[hp.query_disc(nside, hp.ang2vec(row[1], row[2], lonlat=True), reach, nest=True)].any()]
        tess = np.array(near).reshape(-1, 3)
        config["tesselation"] = tess
        # mocpy wants the semi-major axis a > b, at `angle` east of north.
        major, minor = max(config["width"], config["height"]) / 2, min(config["width"], config["height"]) / 2
        angle = 90.0 if config["width"] > config["height"] else 0.0
        mocs = MOC.from_boxes(
            lon=tess[:, 1] * u.deg, lat=tess[:, 2] * u.deg, a=major * u.deg, b=min(minor, major * (1 - 1e-9)) * u.deg,
            angle=angle * u.deg, max_depth=10) if len(tess) else []
        moc_structs[name] = {int(row[0]): {"ra": row[1], "dec": row[2], "moc": mocs[i]} for i, row in enumerate(tess)}

    tile_structs = gwemopt.tiles.moc(params, map_struct, moc_structs)
    _, coverage_struct = gwemopt.coverage.timeallocation(params, map_struct, tile_structs)
    data = coverage_struct["data"]
    fields = []
    for i in range(len(data)):
        name = coverage_struct["telescope"][i]
        config = params["config"][name]
        fields.append({
            "telescope": name, "ra_deg": float(data[i, 0]), "dec_deg": float(data[i, 1]), "start_mjd": float(data[i, 2]),
            "exposure_seconds": float(data[i, 4]), "width_deg": config["width"], "height_deg": config["height"],
        })
    fields.sort(key=lambda f: f["start_mjd"])
    return fields


def main():
    mode, path = sys.argv[1], sys.argv[2]
    spec = json.load(open(path))
    if mode == "measure":
        print(json.dumps(measure(spec)))
        return
    import contextlib
    import io

    runs, cpu_runs = [], []
    fields = []
    for attempt in range(1 + spec.get("repeats", 3)):
        sink = io.StringIO()
        start, cpu_start = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            fields = plan_once(spec)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if attempt > 0:  # the first run warms imports and caches
            runs.append(elapsed)
            cpu_runs.append(cpu)
    import gwemopt

    covered = measure(dict(spec, fields=fields))
    print(json.dumps({
        "tool": f"gwemopt {gwemopt.__version__}",
        "fields": fields,
        "seconds": runs,
        "median_seconds": statistics.median(runs),
        "cpu_seconds": cpu_runs,
        "median_cpu_seconds": statistics.median(cpu_runs),
        "probability": covered["probability"],
        "area_square_degrees": covered["area_square_degrees"],
        "notes": "power-law tiles with greedy scheduling; boxes built with the half-sides; "
                 "tessellations cut to the 99.9 % region before the observability segments",
    }))


if __name__ == "__main__":
    main()
