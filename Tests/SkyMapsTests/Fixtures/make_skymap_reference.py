"""Reference values for the real sky maps in ../shared/data, computed once with healpy and astropy.

Run: python3 make_skymap_reference.py MS260605l.fits > skymap_reference.json
(MS260605l.fits: the base64 `event.skymap` of alerts/gcn_kafka_json/real/igwn_gwalert_MS260605l_preliminary.json, decoded.)
Areas: pixels by decreasing density until the level (ligo.skymap's convention, with <=).
Circle probabilities: pixel centres inside (query_disc, inclusive=False) at the map's finest order.
"""
import json
import math
import sys

import healpy as hp
import numpy as np
from astropy.io import fits
from scipy.stats import norm

shared = "../../../../shared/data/fits/skymaps/"
out = {}

def flat(path, column):
    with fits.open(path) as f:
        t = f[1]
        nside, ordering = t.header["NSIDE"], t.header["ORDERING"]
        prob = np.asarray(t.data[column], dtype=float).ravel()
        cols = {c: np.asarray(t.data[c], dtype=float).ravel() for c in ("DISTMU", "DISTSIGMA", "DISTNORM") if c in t.columns.names}
        return nside, ordering == "NESTED", prob / prob.sum(), cols, t.header

def summary(nside, nest, prob, cols, header):
    area = hp.nside2pixarea(nside, degrees=True)
    density = prob / hp.nside2pixarea(nside)
    order = np.argsort(-density, kind="stable")
    cum = np.cumsum(prob[order])
    top = int(order[0])
    ra, dec = hp.pix2ang(nside, top, nest=nest, lonlat=True)
    entry = {
        "nside": nside, "peak_ra": float(ra), "peak_dec": float(dec),
        "area50": float((np.searchsorted(cum, 0.5) + 1) * area), "area90": float((np.searchsorted(cum, 0.9) + 1) * area),
    }
    for radius in (2.0, 5.0):
        pix = hp.query_disc(nside, hp.ang2vec(ra, dec, lonlat=True), math.radians(radius), inclusive=False, nest=nest)
        entry[f"disc_{int(radius)}deg_at_peak"] = float(prob[pix].sum())
    if cols:
        r = float(header["DISTMEAN"])
        mu, sigma, nrm = cols["DISTMU"][top], cols["DISTSIGMA"][top], cols["DISTNORM"][top]
        entry.update({"distmean": r, "diststd": float(header["DISTSTD"]),
                      "peak_dp_dv_at_distmean": float(density[top] * nrm * norm(mu, sigma).pdf(r)),
                      "peak_distmu": float(mu), "peak_distsigma": float(sigma), "peak_distnorm": float(nrm)})
    return entry

out["GW190425"] = summary(*flat(shared + "GW190425_bayestar_nside256.fits.gz", "PROB"))
out["GRB180116A_GBM"] = summary(*flat(shared + "glg_healpix_all_bn180116026.fit", "PROBABILITY"))

# The multi-order map: rasterise to its finest order (MOCORDER) for the reference.
with fits.open(sys.argv[1]) as f:
    t = f[1]
    uniq = np.asarray(t.data["UNIQ"], dtype=np.int64)
    orders = (np.log2(uniq // 4) // 2).astype(int)
    ipix = uniq - 4 * 4**orders
    maxorder = int(orders.max())
    nside = 2**maxorder
    prob = np.zeros(hp.nside2npix(nside))
    cols = {c: np.zeros(hp.nside2npix(nside)) for c in ("DISTMU", "DISTSIGMA", "DISTNORM")}
    for o, p, rho, mu, s, n in zip(orders, ipix, t.data["PROBDENSITY"], t.data["DISTMU"], t.data["DISTSIGMA"], t.data["DISTNORM"]):
        k = 4 ** (maxorder - o)
        sl = slice(p * k, (p + 1) * k)
        prob[sl] = rho * hp.nside2pixarea(nside)
        cols["DISTMU"][sl], cols["DISTSIGMA"][sl], cols["DISTNORM"][sl] = mu, s, n
    out["MS260605l"] = summary(nside, True, prob / prob.sum(), cols, t.header)
    out["MS260605l"]["pixels"] = int(len(uniq))
    out["MS260605l"]["max_order"] = maxorder
print(json.dumps(out, indent=1))
