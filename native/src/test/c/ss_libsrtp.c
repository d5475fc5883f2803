/*
 * Debian's libsrtp2 behind the same session API, as the independent reference engine. libsrtp2
 * keeps one context per direction (ssrc_any_outbound / ssrc_any_inbound), which is exactly our
 * session: one leg, one direction. It has no AES-f8; asking for it answers SS_UNSUPPORTED.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>

#include "ss_reference.h"

typedef struct {
    ss_session base;
    srtp_t ctx;
    int use_mki;
} lib_session;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_status = srtp_err_status_init_fail;

static void lib_init(void) {
    init_status = srtp_init();
}

static int map_status(srtp_err_status_t st) {
    switch (st) {
    case srtp_err_status_ok: return SS_OK;
    case srtp_err_status_auth_fail: return SS_AUTH_FAILED;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return SS_REPLAYED;
    case srtp_err_status_bad_mki: return SS_BAD_MKI;
    case srtp_err_status_key_expired: return SS_INDEX_EXHAUSTED;
    case srtp_err_status_parse_err:
    case srtp_err_status_bad_param:
    case srtp_err_status_no_ctx: return SS_BAD_PACKET;
    default: return SS_INTERNAL_ERROR;
    }
}

static int lib_process(ss_session *base, int op, uint8_t *pkt, size_t len, size_t cap, size_t *out_len) {
    lib_session *s = (lib_session *)base;
    if (len > (size_t)INT32_MAX - SRTP_MAX_TRAILER_LEN) return SS_BAD_PACKET;
    int n = (int)len;
    uint32_t trailer = 0;
    srtp_err_status_t st;
    switch (op) {
    case SS_PROTECT_RTP:
        if (len < 12) return SS_BAD_PACKET;
        if (srtp_get_protect_trailer_length(s->ctx, (uint32_t)s->use_mki, 0, &trailer) != srtp_err_status_ok)
            return SS_INTERNAL_ERROR;
        if (cap < len || cap - len < trailer) return SS_BUFFER_TOO_SMALL;
        st = srtp_protect_mki(s->ctx, pkt, &n, (unsigned)s->use_mki, 0);
        break;
    case SS_UNPROTECT_RTP:
        if (len < 12) return SS_BAD_PACKET;
        st = srtp_unprotect_mki(s->ctx, pkt, &n, (unsigned)s->use_mki);
        break;
    case SS_PROTECT_RTCP:
        if (len < 8) return SS_BAD_PACKET;
        if (srtp_get_protect_rtcp_trailer_length(s->ctx, (uint32_t)s->use_mki, 0, &trailer) != srtp_err_status_ok)
            return SS_INTERNAL_ERROR;
        if (cap < len || cap - len < trailer) return SS_BUFFER_TOO_SMALL;
        st = srtp_protect_rtcp_mki(s->ctx, pkt, &n, (unsigned)s->use_mki, 0);
        break;
    case SS_UNPROTECT_RTCP:
        if (len < 8) return SS_BAD_PACKET;
        st = srtp_unprotect_rtcp_mki(s->ctx, pkt, &n, (unsigned)s->use_mki);
        break;
    default:
        return SS_BAD_ARGUMENT;
    }
    if (st != srtp_err_status_ok) return map_status(st);
    *out_len = (size_t)n;
    return SS_OK;
}

static int64_t lib_roc(ss_session *base, uint32_t ssrc) {
    uint32_t roc;
    if (srtp_get_stream_roc(((lib_session *)base)->ctx, ssrc, &roc) != srtp_err_status_ok) return -1;
    return roc;
}

/*
 * Our rule (ss_openssl.c: only an inbound stream before its first packet) meets libsrtp2's (only a
 * stream it has already seen) nowhere, so this engine never sets a ROC: a stream it knows has
 * packets behind it (refused as on our core), one it does not know it cannot set.
 */
static int lib_set_roc(ss_session *base, uint32_t ssrc, uint32_t roc) {
    (void)roc;
    uint32_t current;
    if (base->direction != SS_INBOUND
            || srtp_get_stream_roc(((lib_session *)base)->ctx, ssrc, &current) == srtp_err_status_ok) {
        return SS_BAD_ARGUMENT;
    }
    return SS_UNSUPPORTED;
}

static void lib_destroy(ss_session *base) {
    lib_session *s = (lib_session *)base;
    if (s == NULL) return;
    if (s->ctx != NULL) srtp_dealloc(s->ctx);
    free(s);
}

static const ss_ops LIB_OPS = { lib_process, lib_roc, lib_set_roc, lib_destroy };

static int set_policy(int suite, srtp_crypto_policy_t *rtp, srtp_crypto_policy_t *rtcp) {
    switch (suite) {
    case SS_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
        return SS_OK;
    case SS_AEAD_AES_256_GCM:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
        return SS_OK;
    case SS_AEAD_AES_128_GCM_8:
        srtp_crypto_policy_set_aes_gcm_128_8_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_128_8_auth(rtcp);
        return SS_OK;
    case SS_AES_CM_128_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
        return SS_OK;
    case SS_AES_CM_128_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
        return SS_OK;
    case SS_AES_256_CM_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
        return SS_OK;
    case SS_AES_256_CM_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
        return SS_OK;
    case SS_AES_192_CM_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtcp);
        return SS_OK;
    case SS_AES_192_CM_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(rtp);
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtcp);
        return SS_OK;
    default:
        return SS_UNSUPPORTED;  /* F8: not in libsrtp2 */
    }
}

int ss_libsrtp_create(const ss_params *p, ss_session **out) {
    int rc = ss_check_params(p);
    if (rc != SS_OK) return rc;
    pthread_once(&init_once, lib_init);
    if (init_status != srtp_err_status_ok) return SS_INTERNAL_ERROR;
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    if ((rc = set_policy(p->suite, &policy.rtp, &policy.rtcp)) != SS_OK) return rc;
    policy.ssrc.type = p->direction == SS_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = p->window;
    policy.allow_repeat_tx = 0;
    uint8_t key[SS_MAX_KEY + SS_MAX_SALT];
    memcpy(key, p->master_key, p->master_key_len);
    memcpy(key + p->master_key_len, p->master_salt, p->master_salt_len);
    uint8_t mki[SS_MAX_MKI];
    srtp_master_key_t master = { key, mki, (unsigned)p->mki_len };
    srtp_master_key_t *masters[1] = { &master };
    if (p->mki_len > 0) {
        memcpy(mki, p->mki, p->mki_len);
        policy.keys = masters;
        policy.num_master_keys = 1;
    } else {
        policy.key = key;
    }
    lib_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        OPENSSL_cleanse(key, sizeof key);
        return SS_INTERNAL_ERROR;
    }
    s->base.ops = &LIB_OPS;
    s->base.direction = p->direction;
    s->use_mki = p->mki_len > 0;
    srtp_err_status_t st = srtp_create(&s->ctx, &policy);
    OPENSSL_cleanse(key, sizeof key);
    if (st != srtp_err_status_ok) {
        s->ctx = NULL;
        lib_destroy(&s->base);
        return st == srtp_err_status_bad_param ? SS_BAD_ARGUMENT : SS_INTERNAL_ERROR;
    }
    *out = &s->base;
    return SS_OK;
}
