#!/usr/bin/env python3
"""photutils' side of ObservatoryBenchmark (section 1, frame rendering): render the same
star list as Starling's SimulatedFrameRenderer, with the same Moffat PSF and the same noise,
and print JSON timings.

    observatory_peer.py STARS.json [--repeats N]

STARS.json holds width, height, fwhm (pixels), beta, background_electrons, read_noise,
gain, bias, saturation and stars: [[x, y, electrons], ...] (0-based pixel centres).

The work timed: photutils.datasets.make_model_image with photutils.psf.MoffatPSF (flux-
normalised, alpha from the FWHM), each star drawn in a stamp reaching 8 FWHM + 1 pixel from its
centre (Starling's largest stamp; Starling draws faint stars smaller), integrated over pixels by 4 x 4 oversampling as Starling does;
then the background, Poisson noise (numpy) and Gaussian read noise, bias, gain and saturation.
"""
import argparse
import json
import time

import numpy as np
from astropy.table import Table
from photutils.datasets import make_model_image
from photutils.psf import MoffatPSF


def render(spec, rng):
    width, height = spec["width"], spec["height"]
    fwhm, beta = spec["fwhm"], spec["beta"]
    alpha = fwhm / (2 * np.sqrt(2 ** (1 / beta) - 1))
    stars = np.asarray(spec["stars"], dtype=float).reshape(-1, 3)
    params = Table({"x_0": stars[:, 0], "y_0": stars[:, 1], "flux": stars[:, 2]})
    model = MoffatPSF(alpha=alpha, beta=beta)
    side = 2 * (int(np.ceil(8 * fwhm)) + 1) + 1
    # The stamp side as a bounding-box factor of the FWHM (photutils 3.0 with astropy 7 fails
    # on a fixed model_shape tuple; the bounding box gives the same stamps).
    electrons = make_model_image((height, width), model, params, bbox_factor=side / fwhm,
                                 discretize_method="oversample", discretize_oversample=4)
    electrons = electrons + spec["background_electrons"]
    counts = rng.poisson(np.clip(electrons, 0, None)).astype(np.float32)
    counts += rng.normal(0, spec["read_noise"], size=counts.shape).astype(np.float32)
    adu = spec["bias"] + counts / spec["gain"]
    return np.clip(adu, 0, spec["saturation"]).astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stars")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with open(args.stars) as handle:
        spec = json.load(handle)
    rng = np.random.default_rng(42)
    samples = []
    image = None
    for _ in range(args.repeats):
        start = time.perf_counter()
        image = render(spec, rng)
        samples.append(time.perf_counter() - start)
    samples.sort()
    print(json.dumps({"best": samples[0], "median": samples[len(samples) // 2], "stars": len(spec["stars"]),
                      "median_adu": float(np.median(image))}))


if __name__ == "__main__":
    main()
