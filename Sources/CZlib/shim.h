// The system zlib (Debian's zlib1g-dev): deflate for PNG image data and its CRC-32.
// Only the Imaging module imports this, internally.
#ifndef STARLING_CZLIB_SHIM_H
#define STARLING_CZLIB_SHIM_H
#include <zlib.h>
#endif
