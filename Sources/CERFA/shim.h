// ERFA (the BSD-licensed build of the IAU SOFA routines, as astropy uses) from Debian's
// liberfa-dev. Only the Sky module imports this, internally.
#ifndef STARLING_CERFA_SHIM_H
#define STARLING_CERFA_SHIM_H
#include <erfa.h>
#include <erfam.h>
#endif
