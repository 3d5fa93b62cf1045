"""Reference values for the HEALPix tests, computed once with healpy (pip install healpy).

Run: python3 make_healpix_reference.py > healpix_reference.json
The Swift tests compare against this file; nothing here runs during `swift test`.
"""
import json
import math

import healpy as hp
import numpy as np

rng = np.random.default_rng(20261123)
out = {"healpy_version": hp.__version__, "points": [], "pixels": [], "discs": [], "gaussian": {}}

# Directions: random, plus the poles, the equator, RA 0/360 edges and the polar-cap boundary (z = 2/3).
ras = list(rng.uniform(0, 360, 40)) + [0.0, 359.999999, 180.0, 45.0, 90.0, 12.3]
decs = list(np.degrees(np.arcsin(rng.uniform(-1, 1, 40)))) + [90.0, -90.0, 0.0, math.degrees(math.asin(2 / 3)), -math.degrees(math.asin(2 / 3)), 41.81]
for ra, dec in zip(ras, decs):
    entry = {"ra": float(ra), "dec": float(dec)}
    for nside in (1, 2, 16, 256, 4096, 2**20):
        entry[f"nest_{nside}"] = int(hp.ang2pix(nside, ra, dec, nest=True, lonlat=True))
        entry[f"ring_{nside}"] = int(hp.ang2pix(nside, ra, dec, nest=False, lonlat=True))
    out["points"].append(entry)

# Pixel centres and ring <-> nest for a sample of pixels.
for nside in (1, 4, 64, 1024):
    npix = hp.nside2npix(nside)
    for ipix in sorted(set([0, 1, npix - 1, npix // 2, 4 * nside, 2 * nside * (nside + 1)] + list(rng.integers(0, npix, 12)))):
        ra_n, dec_n = hp.pix2ang(nside, int(ipix), nest=True, lonlat=True)
        ra_r, dec_r = hp.pix2ang(nside, int(ipix), nest=False, lonlat=True)
        out["pixels"].append({
            "nside": nside, "pixel": int(ipix),
            "nest_ra": float(ra_n), "nest_dec": float(dec_n), "ring_ra": float(ra_r), "ring_dec": float(dec_r),
            "nest2ring": int(hp.nest2ring(nside, int(ipix))), "ring2nest": int(hp.ring2nest(nside, int(ipix))),
        })

# Discs: pixels whose centres are inside (healpy's query_disc, inclusive=False).
for nside, ra, dec, radius in [(64, 120.0, -30.0, 5.0), (32, 0.0, 89.0, 3.0), (128, 359.5, 0.2, 1.0), (16, 200.0, -60.0, 20.0)]:
    vec = hp.ang2vec(ra, dec, lonlat=True)
    pixels = hp.query_disc(nside, vec, math.radians(radius), inclusive=False, nest=True)
    out["discs"].append({"nside": nside, "ra": ra, "dec": dec, "radius": radius, "nested_pixels": sorted(int(p) for p in pixels)})

# A Gaussian probability map (sigma 2 deg around RA 120, Dec -30) at nside 256, nested:
# p_i proportional to exp(-d_i^2 / (2 sigma^2)) with d_i the centre's separation.
nside, sigma = 256, 2.0
npix = hp.nside2npix(nside)
ra_c, dec_c = hp.pix2ang(nside, np.arange(npix), nest=True, lonlat=True)
centre = hp.ang2vec(120.0, -30.0, lonlat=True)
vecs = np.array(hp.pix2vec(nside, np.arange(npix), nest=True)).T
d = np.degrees(np.arccos(np.clip(vecs @ centre, -1, 1)))
p = np.exp(-d**2 / (2 * sigma**2))
p /= p.sum()
order = np.argsort(-p, kind="stable")
cum = np.cumsum(p[order])
area = hp.nside2pixarea(nside, degrees=True)
def credible(level):
    n = int(np.searchsorted(cum, level) + 1)
    return n * area
def in_disc(ra, dec, radius):
    pix = hp.query_disc(nside, hp.ang2vec(ra, dec, lonlat=True), math.radians(radius), inclusive=False, nest=True)
    return float(p[pix].sum())
out["gaussian"] = {
    "nside": nside, "sigma": sigma, "ra": 120.0, "dec": -30.0,
    "area50": credible(0.5), "area90": credible(0.9),
    "disc_3deg_centre": in_disc(120.0, -30.0, 3.0), "disc_2deg_offset": in_disc(122.0, -29.0, 2.0),
}
print(json.dumps(out, indent=1))
