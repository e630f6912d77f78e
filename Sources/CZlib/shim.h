#ifndef VITC_CZLIB_SHIM_H
#define VITC_CZLIB_SHIM_H
// zlib (Debian's zlib1g-dev), for unpacking the CIFAR-10 archive.
#include <zlib.h>

// inflateInit2 is a macro, which Swift cannot call. 16 + MAX_WBITS: expect a gzip header
// and trailer (the CRC and length are then checked by zlib), with the largest window.
static inline int vitc_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
