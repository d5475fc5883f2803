/* Suite table, parameter checks and the AES-CM key derivation shared by both engines. */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

#include "ss_core.h"

#define SS_SUITE_ROW(id, kind, key, salt, rtp_tag, rtcp_tag) [id] = { kind, key, salt, rtp_tag, rtcp_tag },
static const ss_suite_info SUITES[SS_SUITE_COUNT] = { SS_SUITE_TABLE(SS_SUITE_ROW) };
#undef SS_SUITE_ROW

const ss_suite_info *ss_suite_lookup(int suite) {
    if (suite < 0 || suite >= SS_SUITE_COUNT) {
        return NULL;
    }
    return &SUITES[suite];
}

int ss_check_params(const ss_params *p) {
    const ss_suite_info *info = ss_suite_lookup(p->suite);
    if (info == NULL || (p->direction != SS_OUTBOUND && p->direction != SS_INBOUND)) {
        return SS_BAD_ARGUMENT;
    }
    if (p->master_key == NULL || p->master_key_len != info->key_len
            || p->master_salt == NULL || p->master_salt_len != info->salt_len) {
        return SS_BAD_ARGUMENT;
    }
    if (p->mki_len > SS_MAX_MKI || (p->mki_len > 0 && p->mki == NULL)) {
        return SS_BAD_ARGUMENT;
    }
    if (p->window < SS_MIN_WINDOW || p->window > SS_MAX_WINDOW) {
        return SS_BAD_ARGUMENT;
    }
    return SS_OK;
}

static const EVP_CIPHER *ctr_cipher(size_t key_len) {
    switch (key_len) {
    case 16: return EVP_aes_128_ctr();
    case 24: return EVP_aes_192_ctr();
    case 32: return EVP_aes_256_ctr();
    default: return NULL;
    }
}

/*
 * x = master_salt XOR (label << 48), right-aligned in 112 bits; the PRF is AES-CM keyed with the
 * master key over x * 2^16. A 96-bit GCM master salt is zero-padded on the right to 112 bits,
 * as libsrtp2 does (RFC 7714 section 11 reuses the RFC 3711 KDF unchanged).
 */
int ss_kdf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt, size_t salt_len,
           uint8_t label, uint8_t *out, size_t out_len) {
    const EVP_CIPHER *cipher = ctr_cipher(key_len);
    if (cipher == NULL || salt_len > 14 || out_len > 1024) {
        return SS_BAD_ARGUMENT;
    }
    uint8_t iv[16] = {0};
    memcpy(iv, master_salt, salt_len);
    iv[7] ^= label;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return SS_INTERNAL_ERROR;
    }
    int rc = SS_INTERNAL_ERROR;
    int outl = 0;
    memset(out, 0, out_len);
    if (EVP_EncryptInit_ex(ctx, cipher, NULL, master_key, iv) == 1
            && EVP_EncryptUpdate(ctx, out, &outl, out, (int)out_len) == 1) {
        rc = SS_OK;
    }
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(iv, sizeof iv);
    return rc;
}
