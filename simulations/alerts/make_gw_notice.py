#!/usr/bin/env python3
"""Writes simulations/alerts/lvk-S261124ab-preliminary.json: a fictional gravitational-wave
alert in the IGWN Kafka JSON format (as LVK sends it over GCN), with a multi-order HEALPix
sky map embedded as base64 FITS, for Starling's default scenario.

The event is made up: a binary neutron-star merger at 36 ± 8 Mpc whose localisation is a
Gaussian of 2.5° radius (about 50 deg² at 90 %) around RA 118°, Dec −28°, observable from
Chile and Australia on the night of 2026-11-23. Regenerate with:

    python3 simulations/alerts/make_gw_notice.py     (needs numpy, healpy, astropy from PyPI)
"""
import base64
import io
import json
import os

import healpy as hp
import numpy as np
from astropy.io import fits

CENTER_RA, CENTER_DEC, SIGMA_DEG = 118.0, -28.0, 2.5
DIST_MEAN, DIST_SIGMA = 36.0, 8.0
COARSE, FINE = 3, 7          # HEALPix orders: 7.3° pixels far away, 0.46° near the event
REFINE_RADIUS_DEG = 12.0

def uniq(order, ipix):
    return 4 * 4 ** order + ipix

def gaussian(ra, dec):
    center = hp.ang2vec(CENTER_RA, CENTER_DEC, lonlat=True)
    vectors = hp.ang2vec(ra, dec, lonlat=True)
    separation = np.degrees(np.arccos(np.clip(vectors @ center, -1, 1)))
    return np.exp(-0.5 * (separation / SIGMA_DEG) ** 2)

center = hp.ang2vec(CENTER_RA, CENTER_DEC, lonlat=True)
coarse_nside = 2 ** COARSE
refine = set(hp.query_disc(coarse_nside, center, np.radians(REFINE_RADIUS_DEG), inclusive=True, nest=True))
rows = []
for ipix in range(12 * coarse_nside ** 2):
    if ipix in refine:
        for child in range(ipix * 4 ** (FINE - COARSE), (ipix + 1) * 4 ** (FINE - COARSE)):
            rows.append((FINE, child))
    else:
        rows.append((COARSE, ipix))
orders = np.array([r[0] for r in rows])
ipix = np.array([r[1] for r in rows])
ra = np.empty(len(rows)); dec = np.empty(len(rows))
for order in (COARSE, FINE):
    mask = orders == order
    ra[mask], dec[mask] = hp.pix2ang(2 ** order, ipix[mask], nest=True, lonlat=True)
density = gaussian(ra, dec) + 1e-12
areas = np.array([hp.nside2pixarea(2 ** o) for o in orders])
density /= np.sum(density * areas)           # probability per steradian, integrating to 1
# Distance ansatz (Singer et al. 2016): for a Gaussian in distance, mu ≈ mean, sigma ≈ std,
# norm = 1 / ∫ r² N(r; mu, sigma) dr = 1 / (mu² + sigma²).
mu = np.full(len(rows), DIST_MEAN)
sigma = np.full(len(rows), DIST_SIGMA)
norm = 1.0 / (mu ** 2 + sigma ** 2)

columns = [
    fits.Column(name="UNIQ", format="K", array=uniq(orders, ipix)),
    fits.Column(name="PROBDENSITY", format="D", unit="sr-1", array=density),
    fits.Column(name="DISTMU", format="D", unit="Mpc", array=mu),
    fits.Column(name="DISTSIGMA", format="D", unit="Mpc", array=sigma),
    fits.Column(name="DISTNORM", format="D", unit="Mpc-2", array=norm),
]
table = fits.BinTableHDU.from_columns(columns)
for key, value in [("PIXTYPE", "HEALPIX"), ("ORDERING", "NUNIQ"), ("COORDSYS", "C"), ("MOCORDER", FINE),
                   ("INDXSCHM", "EXPLICIT"), ("OBJECT", "S261124ab"), ("DISTMEAN", DIST_MEAN), ("DISTSTD", DIST_SIGMA),
                   ("CREATOR", "Starling scenario")]:
    table.header[key] = value
buffer = io.BytesIO()
fits.HDUList([fits.PrimaryHDU(), table]).writeto(buffer)

notice = {
    "alert_type": "PRELIMINARY",
    "time_created": "2026-11-24T03:12:40Z",
    "superevent_id": "S261124ab",
    "urls": {"gracedb": "https://gracedb.ligo.org/superevents/S261124ab/view/"},
    "event": {
        "time": "2026-11-24T03:12:00Z",
        "far": 3.1e-10,
        "significant": True,
        "instruments": ["H1", "L1", "V1"],
        "group": "CBC",
        "pipeline": "gstlal",
        "search": "AllSky",
        "properties": {"HasNS": 0.99, "HasRemnant": 0.92, "HasMassGap": 0.01},
        "classification": {"BNS": 0.97, "NSBH": 0.02, "BBH": 0.0, "Terrestrial": 0.01},
        "duration": None,
        "central_frequency": None,
        "skymap": base64.b64encode(buffer.getvalue()).decode("ascii"),
    },
    "external_coinc": None,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lvk-S261124ab-preliminary.json")
with open(path, "w") as out:
    json.dump(notice, out, indent=1)
print(f"wrote {path}: {len(rows)} pixels, {os.path.getsize(path)} bytes")
