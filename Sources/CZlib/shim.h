// The system zlib (Debian's zlib1g-dev): deflate for PNG image data and its CRC-32.
// Imaging imports this internally; so does Observatory, to inflate INDI's `.fits.z` BLOBs.
#ifndef STARLING_CZLIB_SHIM_H
#define STARLING_CZLIB_SHIM_H
#include <zlib.h>
#endif
