// wcslib (Mark Calabretta's implementation of the FITS WCS papers I-IV and the SIP
// convention) from Debian's wcslib-dev; pkg-config puts /usr/include/wcslib on the path.
// Only the Imaging module imports this, internally.
#ifndef STARLING_CWCSLIB_SHIM_H
#define STARLING_CWCSLIB_SHIM_H
#include <wcs.h>
#include <wcshdr.h>
#include <wcsfix.h>
#endif
