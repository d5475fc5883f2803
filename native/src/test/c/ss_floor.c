/*
 * The "EVP floor" for the benchmark: OpenSSL AES-GCM over an RTP-shaped packet with a fresh IV per
 * packet and nothing else (no header parsing, no replay window, no ROC). What our core costs above
 * this is the price of SRTP itself.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ss_reference.h"

struct ss_floor {
    EVP_CIPHER_CTX *ctx;
    uint64_t counter;
};

int ss_floor_create(size_t key_len, ss_floor **out) {
    const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_gcm() : key_len == 32 ? EVP_aes_256_gcm() : NULL;
    if (cipher == NULL) return SS_BAD_ARGUMENT;
    uint8_t key[32];
    if (RAND_bytes(key, (int)key_len) != 1) return SS_INTERNAL_ERROR;
    ss_floor *f = calloc(1, sizeof *f);
    if (f == NULL) return SS_INTERNAL_ERROR;
    f->ctx = EVP_CIPHER_CTX_new();
    if (f->ctx == NULL || EVP_EncryptInit_ex(f->ctx, cipher, NULL, key, NULL) != 1) {
        ss_floor_destroy(f);
        return SS_INTERNAL_ERROR;
    }
    *out = f;
    return SS_OK;
}

int ss_floor_run(ss_floor *f, uint8_t *pkt, size_t len, size_t cap, int packets) {
    if (len < 12 || cap < len + 16) return SS_BUFFER_TOO_SMALL;
    uint8_t iv[12] = {0}, none[16];
    int outl;
    for (int i = 0; i < packets; i++) {
        uint64_t c = ++f->counter;
        for (int b = 0; b < 8; b++) iv[4 + b] = (uint8_t)(c >> (56 - 8 * b));
        if (EVP_EncryptInit_ex(f->ctx, NULL, NULL, NULL, iv) != 1
                || EVP_EncryptUpdate(f->ctx, NULL, &outl, pkt, 12) != 1
                || EVP_EncryptUpdate(f->ctx, pkt + 12, &outl, pkt + 12, (int)(len - 12)) != 1
                || EVP_EncryptFinal_ex(f->ctx, none, &outl) != 1
                || EVP_CIPHER_CTX_ctrl(f->ctx, EVP_CTRL_GCM_GET_TAG, 16, pkt + len) != 1) {
            return SS_INTERNAL_ERROR;
        }
    }
    return SS_OK;
}

void ss_floor_destroy(ss_floor *f) {
    if (f == NULL) return;
    EVP_CIPHER_CTX_free(f->ctx);
    free(f);
}
