#!/usr/bin/env python3
"""sep's side of ImagingBenchmark: read a FITS frame (astropy), measure the background,
extract sources and their FWHM, with the settings Starling uses; print JSON timings.

    imaging_peer.py FILE [--repeats N]

The work timed: astropy.io.fits.getdata -> native float32, sep.Background (64-pixel meshes,
3x3 filter), subtraction, sep.extract (1.5 sigma of the local background RMS, 5 pixels,
the 3x3 default.conv kernel applied as a plain convolution (filter_type="conv", as SExtractor
and Starling; sep's default matched filter would lower the effective threshold), 32 deblending levels, contrast 0.005), and sep.flux_radius
at half light for every source (FWHM = 2 r_half, exact for a Gaussian PSF).
"""
import argparse
import json
import time

import numpy as np
import sep
from astropy.io import fits


def run(path):
    data = fits.getdata(path).astype(np.float32)
    data = np.ascontiguousarray(data)
    background = sep.Background(data, bw=64, bh=64, fw=3, fh=3)
    subtracted = data - background.back()
    sep.set_extract_pixstack(5_000_000)
    sources = sep.extract(subtracted, 1.5, err=background.rms(), minarea=5, filter_type="conv",
                          deblend_nthresh=32, deblend_cont=0.005)
    radius, flags = sep.flux_radius(subtracted, sources["x"], sources["y"], 6.0 * sources["a"], 0.5, subpix=5)
    good = (flags == 0) & (sources["flag"] == 0) & np.isfinite(radius) & (radius > 0)
    return len(sources), float(np.median(2.0 * radius[good])) if good.any() else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    run(args.file)  # warm-up
    samples = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        count, fwhm = run(args.file)
        samples.append(time.perf_counter() - start)
    samples.sort()
    print(json.dumps({"best": samples[0], "median": samples[len(samples) // 2], "count": count, "median_fwhm": fwhm,
                      "sep": sep.__version__}))


if __name__ == "__main__":
    main()
