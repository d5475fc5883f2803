/*
 * The test library (libsipshield_srtp_reference.so, never shipped): Debian's libsrtp2 as the
 * reference engine, and the entry points only tests and benchmarks use.
 */
#ifndef SIPSHIELD_SS_REFERENCE_H
#define SIPSHIELD_SS_REFERENCE_H

#include "ss_core.h"

int ss_libsrtp_create(const ss_params *p, ss_session **out);

/* The EVP floor: plain AES-GCM with a fresh IV per packet, nothing else. */
typedef struct ss_floor ss_floor;
int ss_floor_create(size_t key_len, ss_floor **out);
int ss_floor_run(ss_floor *f, uint8_t *pkt, size_t len, size_t cap, int packets);
void ss_floor_destroy(ss_floor *f);

#endif
