/*
 * libFuzzer target over our core's protect and unprotect (`make fuzz`; clang with ASan, UBSan and
 * libFuzzer, not part of the Maven build). Each input picks a suite, an MKI length, an operation,
 * a capacity and the packet bytes; the packet sits in a heap block of exactly that capacity, so a
 * write or read past it is an ASan report, not silent. Beyond "no crash", it checks what must hold:
 *   - unprotect never claims more octets than it was given;
 *   - what protect accepted, a receiver with the same key unprotects to the same bytes, once
 *     (the second time is a replay).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_core.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    int suite = data[0] % SS_SUITE_COUNT;
    size_t mki_len = data[1] % 5;            /* 0..4 octets */
    int op = data[2] % 4;
    size_t extra = data[3];                  /* capacity past the packet: 0..255 */
    data += 4;
    size -= 4;
    const ss_suite_info *info = ss_suite_lookup(suite);
    uint8_t key[SS_MAX_KEY], salt[SS_MAX_SALT], mki[4] = {9, 8, 7, 6};
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 29 + 3);
    for (size_t i = 0; i < sizeof salt; i++) salt[i] = (uint8_t)(i * 17 + 5);
    ss_params out_p = { suite, SS_OUTBOUND, key, info->key_len, salt, info->salt_len, mki, mki_len, 64 };
    ss_params in_p = out_p;
    in_p.direction = SS_INBOUND;
    ss_session *out = NULL, *in = NULL;
    if (ss_openssl_create(&out_p, &out) != SS_OK || ss_openssl_create(&in_p, &in) != SS_OK) {
        FAIL("suite %d: cannot create sessions\n", suite);
    }
    size_t cap = size + extra;
    uint8_t *pkt = malloc(cap > 0 ? cap : 1);
    uint8_t *copy = malloc(size > 0 ? size : 1);
    if (pkt == NULL || copy == NULL) abort();
    memcpy(pkt, data, size);
    /* Mostly RTP/RTCP version 2, so inputs get past the first check; bit 7 of data[1] keeps it raw. */
    if (size > 0 && !(data[-3] & 0x80)) pkt[0] = (uint8_t)((pkt[0] & 0x3f) | 0x80);
    memcpy(copy, pkt, size);
    size_t n = 0;
    int protect = op == SS_PROTECT_RTP || op == SS_PROTECT_RTCP;
    ss_session *s = protect ? out : in;
    int rc = s->ops->process(s, op, pkt, size, cap, &n);
    if (rc == SS_OK && !protect && n > size) FAIL("unprotect grew %zu -> %zu\n", size, n);
    if (rc == SS_OK && protect) {
        if (n > cap || n < size) FAIL("protect made %zu octets of %zu (cap %zu)\n", n, size, cap);
        int back = op == SS_PROTECT_RTP ? SS_UNPROTECT_RTP : SS_UNPROTECT_RTCP;
        uint8_t *wire = malloc(n);
        if (wire == NULL) abort();
        memcpy(wire, pkt, n);
        size_t m = 0;
        rc = in->ops->process(in, back, pkt, n, cap, &m);
        if (rc != SS_OK || m != size || memcmp(pkt, copy, size) != 0) {
            FAIL("suite %d op %d: protected packet did not unprotect (status %d, %zu -> %zu)\n", suite, op, rc, size, m);
        }
        memcpy(pkt, wire, n);
        if (in->ops->process(in, back, pkt, n, cap, &m) != SS_REPLAYED) FAIL("suite %d: replay accepted\n", suite);
        free(wire);
    }
    free(pkt);
    free(copy);
    out->ops->destroy(out);
    in->ops->destroy(in);
    return 0;
}
