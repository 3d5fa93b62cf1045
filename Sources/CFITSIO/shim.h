// CFITSIO names most of its API through C macros (fits_open_file -> ffopen) that Swift
// cannot call. The Imaging module uses the short ff* names directly; this header only
// pulls in the library and adds what Swift cannot reach otherwise.
#ifndef STARLING_CFITSIO_SHIM_H
#define STARLING_CFITSIO_SHIM_H
#include <fitsio.h>
#endif
