#!/usr/bin/env python3
"""Peer timings for SkyBenchmark: the same targets x instants through astropy and pyerfa.

Usage: sky_peer.py INPUT.json   (written by SkyBenchmark: site, instants, ra/dec lists)
Prints JSON: seconds for astropy's vectorised AltAz, pyerfa atco13 (timed on a subset and
scaled), and pyerfa's split path (apco13 once per instant, atciqz + atioq per target).
"""
import json
import sys
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")


def main():
    spec = json.load(open(sys.argv[1]))
    ra = np.radians(np.array(spec["ra_deg"]))
    dec = np.radians(np.array(spec["dec_deg"]))
    lat, lon, height = spec["latitude_deg"], spec["longitude_deg"], spec["height_m"]
    instants = spec["instants_utc"]
    out = {"targets": len(ra), "instants": len(instants)}

    import erfa
    from astropy.time import Time
    times = Time(instants, scale="utc")
    jd1, jd2 = times.jd1, times.jd2

    # pyerfa atco13: redoes the per-instant work for every call; time a subset and scale.
    subset = min(len(ra), 200)
    start = time.perf_counter()
    for j in range(len(instants)):
        erfa.atco13(ra[:subset], dec[:subset], 0, 0, 0, 0, jd1[j], jd2[j], 0.0,
                    np.radians(lon), np.radians(lat), height, 0, 0, 0, 0, 0, 0.55)
    elapsed = time.perf_counter() - start
    out["atco13_seconds"] = elapsed * len(ra) / subset
    out["atco13_note"] = f"timed on {subset} targets x {len(instants)} instants and scaled"

    # pyerfa split path: apco13 once per instant, then vectorised atciqz + atioq.
    start = time.perf_counter()
    for j in range(len(instants)):
        astrom, eo = erfa.apco13(jd1[j], jd2[j], 0.0, np.radians(lon), np.radians(lat), height, 0, 0, 0, 0, 0, 0.55)
        ri, di = erfa.atciqz(ra, dec, astrom)
        erfa.atioq(ri, di, astrom)
    out["split_seconds"] = time.perf_counter() - start

    # astropy: one vectorised AltAz transform over the whole grid.
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord
    from astropy.utils import iers
    import astropy.units as u
    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    iers.conf.iers_degraded_accuracy = "ignore"
    location = EarthLocation.from_geodetic(lon=lon * u.deg, lat=lat * u.deg, height=height * u.m)
    coords = SkyCoord(ra=ra[:, None] * u.rad, dec=dec[:, None] * u.rad)
    frame = AltAz(obstime=times[None, :], location=location, pressure=0)
    start = time.perf_counter()
    altaz = coords.transform_to(frame)
    alt = altaz.alt.deg
    out["astropy_seconds"] = time.perf_counter() - start
    out["astropy_check_alt_deg"] = float(alt[0, 0])
    print(json.dumps(out))


main()
