/*
 * Checks the core's promise that packet processing never allocates: every allocation libcrypto
 * makes goes through CRYPTO_set_mem_functions, and every malloc/calloc/realloc our own objects
 * make is wrapped at link time (-Wl,--wrap). Sessions of every suite protect and unprotect SRTP
 * and SRTCP; the counters must not move while packets flow. Run by `make check` (Maven's test phase).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ss_core.h"

static size_t crypto_allocs, own_allocs;

static void *count_malloc(size_t n, const char *file, int line) {
    (void)file; (void)line;
    crypto_allocs++;
    return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line) {
    (void)file; (void)line;
    crypto_allocs++;
    return realloc(p, n);
}

static void count_free(void *p, const char *file, int line) {
    (void)file; (void)line;
    free(p);
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n) { own_allocs++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { own_allocs++; return __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { own_allocs++; return __real_realloc(p, n); }

static void rtp(uint8_t *p, uint16_t seq) {
    memset(p, 0xd5, 172);
    p[0] = 0x80; p[1] = 0; p[2] = (uint8_t)(seq >> 8); p[3] = (uint8_t)seq;
    p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
}

static void rtcp(uint8_t *p) {
    memset(p, 0x11, 48);
    p[0] = 0x81; p[1] = 200; p[2] = 0; p[3] = 11;
    p[4] = 0x12; p[5] = 0x34; p[6] = 0x56; p[7] = 0x78;
}

enum { PACKETS = 2000 };
static uint8_t wire[PACKETS][256];
static size_t wire_len[PACKETS];
static uint8_t wire_rtcp[PACKETS][128];
static size_t wire_rtcp_len[PACKETS];

static int check_suite(int suite) {
    const ss_suite_info *info = ss_suite_lookup(suite);
    uint8_t key[32], salt[14], mki[4] = {1, 2, 3, 4};
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 13 + suite);
    for (size_t i = 0; i < sizeof salt; i++) salt[i] = (uint8_t)(i * 7 + suite);
    ss_params out_p = { suite, SS_OUTBOUND, key, info->key_len, salt, info->salt_len, mki, 4, 128 };
    ss_params in_p = out_p;
    in_p.direction = SS_INBOUND;
    ss_session *out = NULL, *in = NULL;
    if (ss_openssl_create(&out_p, &out) != SS_OK || ss_openssl_create(&in_p, &in) != SS_OK) {
        fprintf(stderr, "suite %d: cannot create sessions\n", suite);
        return 1;
    }
    size_t crypto_before = crypto_allocs, own_before = own_allocs;
    for (int i = 0; i < PACKETS; i++) {
        rtp(wire[i], (uint16_t)(65000 + i));  /* wraps: ROC 0 -> 1 */
        if (out->ops->process(out, SS_PROTECT_RTP, wire[i], 172, 256, &wire_len[i]) != SS_OK) return 1;
        rtcp(wire_rtcp[i]);
        if (out->ops->process(out, SS_PROTECT_RTCP, wire_rtcp[i], 48, 128, &wire_rtcp_len[i]) != SS_OK) return 1;
    }
    for (int i = 0; i < PACKETS; i++) {
        size_t n;
        if (in->ops->process(in, SS_UNPROTECT_RTP, wire[i], wire_len[i], 256, &n) != SS_OK || n != 172) return 1;
        if (in->ops->process(in, SS_UNPROTECT_RTCP, wire_rtcp[i], wire_rtcp_len[i], 128, &n) != SS_OK || n != 48) return 1;
    }
    wire[0][40] ^= 1;  /* failures must not allocate either */
    size_t n;
    if (in->ops->process(in, SS_UNPROTECT_RTP, wire[0], wire_len[0], 256, &n) == SS_OK) return 1;
    size_t crypto_during = crypto_allocs - crypto_before, own_during = own_allocs - own_before;
    out->ops->destroy(out);
    in->ops->destroy(in);
    printf("suite %d: %d SRTP + %d SRTCP packets each way, allocations: libcrypto %zu, core %zu\n",
           suite, PACKETS, PACKETS, crypto_during, own_during);
    return crypto_during != 0 || own_during != 0;
}

int main(void) {
    if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free)) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused (libcrypto already allocated)\n");
        return 2;
    }
    size_t before = crypto_allocs, own_before = own_allocs;
    ss_session *probe = NULL;
    uint8_t k[16] = {0}, s[12] = {0};
    ss_params p = { SS_AEAD_AES_128_GCM, SS_OUTBOUND, k, 16, s, 12, NULL, 0, 128 };
    if (ss_openssl_create(&p, &probe) != SS_OK) return 2;
    probe->ops->destroy(probe);
    if (crypto_allocs == before || own_allocs == own_before) {
        fprintf(stderr, "an allocation counter saw no session being created: the check would prove nothing\n");
        return 2;
    }
    int failed = 0;
    for (int suite = 0; suite < SS_SUITE_COUNT; suite++) failed |= check_suite(suite);
    if (failed) {
        fprintf(stderr, "FAILED: the packet path allocated or failed\n");
        return 1;
    }
    printf("no allocation on the packet path\n");
    return 0;
}
