"""Makes the small FITS fixtures of ImagingTests with astropy (run once; the files are committed).

Each image is 24 x 16 pixels with value(x, y) = 100 + 3*x + 5*y (0-based), stored with the
BITPIX and scaling named in the file name, so a test can check every pixel; mef_named.fits
has a primary HDU without data and two named image extensions; compressed_*.fits hold the
same image tile-compressed as fpack writes it (with CHECKSUM/DATASUM, as fpack writes them); table.fits is a binary table with int64,
double, float, logical and string columns.
"""
import numpy as np
from astropy.io import fits

y, x = np.mgrid[0:16, 0:24]
values = 100 + 3 * x + 5 * y


def header():
    h = fits.Header()
    h["OBJECT"] = "fixture"
    h["DATE-OBS"] = "2024-05-06T07:08:09.5"
    h["EXPTIME"] = 12.5
    return h


fits.PrimaryHDU(values.astype(np.uint8), header=header()).writeto("bitpix8.fits", overwrite=True)
fits.PrimaryHDU(values.astype(np.int32), header=header()).writeto("bitpix32.fits", overwrite=True)
fits.PrimaryHDU(values.astype(np.float64), header=header()).writeto("bitpix-64.fits", overwrite=True)
# BITPIX 16 with BSCALE 0.5 / BZERO 10: stored = (value - 10) / 0.5.
hdu = fits.PrimaryHDU(((values - 10) / 0.5).astype(np.int16), header=header())
hdu.header["BSCALE"] = 0.5
hdu.header["BZERO"] = 10.0
hdu.writeto("bitpix16_scaled.fits", overwrite=True, output_verify="ignore")
fits.HDUList([
    fits.PrimaryHDU(),
    fits.ImageHDU(values.astype(np.float32), name="SCI", header=header()),
    fits.ImageHDU((values * 2).astype(np.int16), name="VAR"),
]).writeto("mef_named.fits", overwrite=True)
for kind in ["RICE_1", "GZIP_1", "HCOMPRESS_1"]:
    fits.HDUList([
        fits.PrimaryHDU(),
        fits.CompImageHDU(values.astype(np.int16), header=header(), compression_type=kind),
    ]).writeto(f"compressed_{kind.lower()}.fits", overwrite=True, checksum=True)
columns = fits.ColDefs([
    fits.Column(name="UNIQ", format="K", array=np.array([4, 5, 1024], dtype=np.int64)),
    fits.Column(name="PROBDENSITY", format="D", array=np.array([0.5, 0.25, 0.125])),
    fits.Column(name="FLUX", format="E", array=np.array([1.5, 2.5, 3.5], dtype=np.float32)),
    fits.Column(name="FLAG", format="L", array=np.array([True, False, True])),
    fits.Column(name="NAME", format="8A", array=np.array(["alpha", "beta", "gamma"])),
])
table = fits.BinTableHDU.from_columns(columns)
table.header["ORDERING"] = "NUNIQ"
fits.HDUList([fits.PrimaryHDU(), table]).writeto("table.fits", overwrite=True)
