/*
 * Our SRTP/SRTCP core on OpenSSL libcrypto: RFC 3711 (AES-CM, AES-f8, HMAC-SHA1, replay window,
 * ROC estimation, MKI), RFC 6188 (AES-256-CM) and RFC 7714 (AEAD AES-GCM).
 *
 * Everything a packet needs is allocated when the session is created: cipher contexts keyed once
 * (per packet only the IV changes), HMAC-SHA1 as two precomputed SHA-1 states (EVP_MAC in
 * OpenSSL 3.0 duplicates a digest context, i.e. mallocs, on every re-init), and the replay
 * bitmaps of a fixed number of streams.
 *
 * Why one file of over 400 lines: it is the whole packet path of one engine (key derivation,
 * protect and unprotect of RTP and RTCP for every suite, the replay window) and mirrors
 * srtp/JavaSrtpCore.java function for function, so that the two engines can be read and
 * cross-checked side by side; split, each half would need the other's static helpers.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_* are the only allocation-free way to reuse HMAC state */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "ss_core.h"

/*
 * Every suite's lengths must fit what holds them: master key and salt (ss_openssl_create), the GCM
 * tag (t[] in gcm_open, and EVP's 4..16), the HMAC tag (cut from a 20-octet SHA-1 MAC); GCM IVs
 * are made from exactly 12 octets of salt, f8's mask from a 16-octet key.
 */
#define SS_CHECK_SUITE_FITS(id, kind, key, salt, rtp_tag, rtcp_tag) \
    _Static_assert((key) <= SS_MAX_KEY && (salt) <= SS_MAX_SALT, #id ": key or salt too long"); \
    _Static_assert((kind) != SS_KIND_GCM || ((salt) == 12 && (rtp_tag) >= 4 && (rtp_tag) <= SS_GCM_MAX_TAG \
                   && (rtcp_tag) >= 4 && (rtcp_tag) <= SS_GCM_MAX_TAG), #id ": GCM salt or tag length"); \
    _Static_assert((kind) == SS_KIND_GCM || ((rtp_tag) > 0 && (rtp_tag) <= SS_HMAC_SHA1_LEN \
                   && (rtcp_tag) > 0 && (rtcp_tag) <= SS_HMAC_SHA1_LEN), #id ": HMAC tag length"); \
    _Static_assert((kind) != SS_KIND_F8 || (key) == 16, #id ": f8 is AES-128 only");
SS_SUITE_TABLE(SS_CHECK_SUITE_FITS)

typedef struct {
    EVP_CIPHER_CTX *cipher;   /* GCM or CTR keyed with the session key; ECB for F8 */
    EVP_CIPHER_CTX *f8_mask;  /* F8 only: ECB keyed with k_e XOR m, turns IV into IV' */
    SHA_CTX inner, outer;     /* HMAC-SHA1 after absorbing key^ipad / key^opad */
    uint8_t salt[SS_MAX_SALT];
    size_t salt_len;
    size_t tag_len;
} leg_crypto;

typedef struct {
    uint64_t highest;  /* highest accepted index (48-bit SRTP, 31-bit SRTCP); ROC base for SRTP */
    int seen;
    uint64_t *bits;    /* circular bitmap, bit (index mod window_words*64) */
} replay_window;

typedef struct {
    int in_use;
    uint32_t ssrc;
    replay_window rtp;
    replay_window rtcp;
    uint32_t rtcp_next;  /* next SRTCP index to send; RFC 3711 3.4 starts at zero */
} stream_state;

typedef struct {
    ss_session base;
    const ss_suite_info *suite;
    leg_crypto rtp;
    leg_crypto rtcp;
    uint8_t mki[SS_MAX_MKI];
    size_t mki_len;
    unsigned window;
    uint64_t window_mask;  /* bitmap bits - 1: a power of two, so no division per packet */
    size_t window_words;
    stream_state streams[SS_MAX_STREAMS];
    uint64_t bits[];
} core_session;

static inline uint32_t load32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void store32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline void xor32(uint8_t *p, uint32_t v) {
    p[0] ^= (uint8_t)(v >> 24); p[1] ^= (uint8_t)(v >> 16); p[2] ^= (uint8_t)(v >> 8); p[3] ^= (uint8_t)v;
}

/* ---------- replay window (RFC 3711 3.3.2) and index estimation (3.3.1, appendix A) ---------- */

static void window_reset(replay_window *w, size_t words) {
    w->highest = 0;
    w->seen = 0;
    memset(w->bits, 0, words * sizeof(uint64_t));
}

static int window_check(const core_session *s, const replay_window *w, uint64_t index) {
    if (!w->seen || index > w->highest) {
        return SS_OK;
    }
    if (w->highest - index >= s->window) {
        return SS_REPLAYED;
    }
    size_t pos = (size_t)(index & s->window_mask);
    return ((w->bits[pos / 64] >> (pos % 64)) & 1) ? SS_REPLAYED : SS_OK;
}

static void window_add(const core_session *s, replay_window *w, uint64_t index) {
    size_t nbits = (size_t)s->window_mask + 1;
    if (!w->seen || index > w->highest) {
        uint64_t delta = w->seen ? index - w->highest : nbits;
        if (delta >= nbits) {
            memset(w->bits, 0, s->window_words * sizeof(uint64_t));
        } else {
            for (uint64_t i = w->highest + 1; i <= index; i++) {
                size_t pos = (size_t)(i & s->window_mask);
                w->bits[pos / 64] &= ~(1ULL << (pos % 64));
            }
        }
        w->highest = index;
        w->seen = 1;
    }
    size_t pos = (size_t)(index & s->window_mask);
    w->bits[pos / 64] |= 1ULL << (pos % 64);
}

/* The ROC guess never goes below zero, as in libsrtp2: a stream may start at any SEQ. */
static int estimate_index(const replay_window *w, uint16_t seq, uint64_t *index) {
    uint32_t roc = (uint32_t)(w->highest >> 16);
    uint32_t s_l = (uint32_t)(w->highest & 0xffff);
    uint32_t v = roc;
    if (s_l < 32768) {
        if (seq > s_l && seq - s_l > 32768 && roc > 0) {
            v = roc - 1;
        }
    } else if (s_l - 32768 > seq) {
        if (roc == UINT32_MAX) {
            return SS_INDEX_EXHAUSTED;
        }
        v = roc + 1;
    }
    *index = ((uint64_t)v << 16) | seq;
    return SS_OK;
}

static stream_state *find_stream(core_session *s, uint32_t ssrc) {
    for (int i = 0; i < SS_MAX_STREAMS; i++) {
        if (s->streams[i].in_use && s->streams[i].ssrc == ssrc) {
            return &s->streams[i];
        }
    }
    return NULL;
}

/* A free slot, reset but not yet in use: inbound claims it only once a packet authenticates,
 * so forged packets with random SSRCs cannot fill the table. */
static stream_state *free_stream(core_session *s, uint32_t ssrc) {
    for (int i = 0; i < SS_MAX_STREAMS; i++) {
        stream_state *st = &s->streams[i];
        if (!st->in_use) {
            window_reset(&st->rtp, s->window_words);
            window_reset(&st->rtcp, s->window_words);
            st->rtcp_next = 0;
            st->ssrc = ssrc;
            return st;
        }
    }
    return NULL;
}

/* ---------- primitives ---------- */

static void hmac_set_key(leg_crypto *lc, const uint8_t *key, size_t len) {
    uint8_t block[64];
    memset(block, 0x36, sizeof block);
    for (size_t i = 0; i < len; i++) block[i] ^= key[i];
    SHA1_Init(&lc->inner);
    SHA1_Update(&lc->inner, block, sizeof block);
    memset(block, 0x5c, sizeof block);
    for (size_t i = 0; i < len; i++) block[i] ^= key[i];
    SHA1_Init(&lc->outer);
    SHA1_Update(&lc->outer, block, sizeof block);
    OPENSSL_cleanse(block, sizeof block);
}

static void hmac_sha1(const leg_crypto *lc, const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                      uint8_t mac[SS_HMAC_SHA1_LEN]) {
    SHA_CTX c = lc->inner;
    uint8_t inner[20];
    SHA1_Update(&c, a, a_len);
    SHA1_Update(&c, b, b_len);
    SHA1_Final(inner, &c);
    c = lc->outer;
    SHA1_Update(&c, inner, sizeof inner);
    SHA1_Final(mac, &c);
    OPENSSL_cleanse(&c, sizeof c);
}

static int ctr_crypt(leg_crypto *lc, const uint8_t iv[16], uint8_t *data, size_t n) {
    int outl;
    if (EVP_EncryptInit_ex(lc->cipher, NULL, NULL, NULL, iv) != 1) return SS_INTERNAL_ERROR;
    if (n > 0 && EVP_EncryptUpdate(lc->cipher, data, &outl, data, (int)n) != 1) return SS_INTERNAL_ERROR;
    return SS_OK;
}

/* RFC 3711 4.1.2: IV' = E(k_e XOR m, IV); S(j) = E(k_e, IV' XOR j XOR S(j-1)), S(-1) = 0. */
static int f8_crypt(leg_crypto *lc, const uint8_t iv[16], uint8_t *data, size_t n) {
    uint8_t ivp[16], s[16] = {0}, in[16];
    int outl;
    if (EVP_EncryptUpdate(lc->f8_mask, ivp, &outl, iv, 16) != 1) return SS_INTERNAL_ERROR;
    uint32_t j = 0;
    for (size_t off = 0; off < n; off += 16, j++) {
        for (int k = 0; k < 16; k++) in[k] = ivp[k] ^ s[k];
        xor32(in + 12, j);
        if (EVP_EncryptUpdate(lc->cipher, s, &outl, in, 16) != 1) return SS_INTERNAL_ERROR;
        size_t m = n - off < 16 ? n - off : 16;
        for (size_t k = 0; k < m; k++) data[off + k] ^= s[k];
    }
    return SS_OK;
}

static int gcm_seal(leg_crypto *lc, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t n, uint8_t *tag) {
    EVP_CIPHER_CTX *c = lc->cipher;
    int outl;
    uint8_t none[16];
    /* The suite's tag length (GCM's tag is cut from the left, RFC 7714 section 14.2 allows 8, 12, 16). */
    if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1
            || EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1
            || (aad2_len > 0 && EVP_EncryptUpdate(c, NULL, &outl, aad2, (int)aad2_len) != 1)
            || (n > 0 && EVP_EncryptUpdate(c, data, &outl, data, (int)n) != 1)
            || EVP_EncryptFinal_ex(c, none, &outl) != 1
            || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, (int)lc->tag_len, tag) != 1) {
        return SS_INTERNAL_ERROR;
    }
    return SS_OK;
}

/* EVP decrypts before it verifies: on a bad tag the would-be plaintext is wiped. */
static int gcm_open(leg_crypto *lc, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t n, const uint8_t *tag) {
    EVP_CIPHER_CTX *c = lc->cipher;
    int outl;
    uint8_t none[16], t[SS_GCM_MAX_TAG];
    memcpy(t, tag, lc->tag_len);
    if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1
            || EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1
            || (aad2_len > 0 && EVP_DecryptUpdate(c, NULL, &outl, aad2, (int)aad2_len) != 1)
            || (n > 0 && EVP_DecryptUpdate(c, data, &outl, data, (int)n) != 1)
            || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, (int)lc->tag_len, t) != 1) {
        return SS_INTERNAL_ERROR;
    }
    if (EVP_DecryptFinal_ex(c, none, &outl) != 1) {
        if (n > 0) OPENSSL_cleanse(data, n);
        return SS_AUTH_FAILED;
    }
    return SS_OK;
}

/* ---------- IVs ---------- */

static void cm_iv(const leg_crypto *lc, uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
    memset(iv, 0, 16);
    memcpy(iv, lc->salt, lc->salt_len);   /* (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) */
    xor32(iv + 4, ssrc);
    for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

static void gcm_iv(const leg_crypto *lc, uint32_t ssrc, uint32_t high, uint32_t low16or32, int rtcp,
                   uint8_t iv[12]) {
    memcpy(iv, lc->salt, 12);
    xor32(iv + 2, ssrc);
    if (rtcp) {
        xor32(iv + 8, low16or32);             /* 00 00 || SSRC || 00 00 || 0 || index */
    } else {
        xor32(iv + 6, high);                  /* 00 00 || SSRC || ROC || SEQ */
        iv[10] ^= (uint8_t)(low16or32 >> 8);
        iv[11] ^= (uint8_t)low16or32;
    }
}

/* ---------- RTP ---------- */

static int rtp_header_len(const uint8_t *pkt, size_t len, size_t *hlen) {
    if (len < 12 || (pkt[0] >> 6) != 2) return SS_BAD_PACKET;
    size_t h = 12 + 4 * (size_t)(pkt[0] & 0x0f);
    if (pkt[0] & 0x10) {
        if (h + 4 > len) return SS_BAD_PACKET;
        h += 4 + 4 * (size_t)((pkt[h + 2] << 8) | pkt[h + 3]);
    }
    if (h > len) return SS_BAD_PACKET;
    *hlen = h;
    return SS_OK;
}

static int rtp_crypt_and_tag(core_session *s, int seal, uint8_t *pkt, size_t hlen, size_t body,
                             uint32_t ssrc, uint64_t index, uint8_t *tag_at) {
    leg_crypto *lc = &s->rtp;
    uint32_t roc = (uint32_t)(index >> 16);
    uint16_t seq = (uint16_t)index;
    uint8_t *payload = pkt + hlen;
    size_t plen = body - hlen;
    int rc;
    if (s->suite->kind == SS_KIND_GCM) {
        uint8_t iv[12];
        gcm_iv(lc, ssrc, roc, seq, 0, iv);
        return seal ? gcm_seal(lc, iv, pkt, hlen, NULL, 0, payload, plen, tag_at)
                    : gcm_open(lc, iv, pkt, hlen, NULL, 0, payload, plen, tag_at);
    }
    uint8_t iv[16], rocb[4], mac[SS_HMAC_SHA1_LEN];
    if (s->suite->kind == SS_KIND_CM) {
        cm_iv(lc, ssrc, index, iv);
    } else {
        iv[0] = 0;
        memcpy(iv + 1, pkt + 1, 11);
        store32(iv + 12, roc);
    }
    store32(rocb, roc);
    if (!seal) {
        hmac_sha1(lc, pkt, body, rocb, 4, mac);
        if (CRYPTO_memcmp(mac, tag_at, lc->tag_len) != 0) return SS_AUTH_FAILED;
    }
    rc = s->suite->kind == SS_KIND_CM ? ctr_crypt(lc, iv, payload, plen) : f8_crypt(lc, iv, payload, plen);
    if (rc != SS_OK) return rc;
    if (seal) {
        hmac_sha1(lc, pkt, body, rocb, 4, mac);
        memcpy(tag_at, mac, lc->tag_len);
    }
    return SS_OK;
}

static int protect_rtp(core_session *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len) {
    size_t hlen;
    int rc = rtp_header_len(pkt, len, &hlen);
    if (rc != SS_OK) return rc;
    size_t tag = s->rtp.tag_len, trailer = tag + s->mki_len;
    if (cap < len || cap - len < trailer) return SS_BUFFER_TOO_SMALL;
    uint32_t ssrc = load32(pkt + 8);
    uint16_t seq = (uint16_t)((pkt[2] << 8) | pkt[3]);
    stream_state *st = find_stream(s, ssrc);
    if (st == NULL) {
        if ((st = free_stream(s, ssrc)) == NULL) return SS_TOO_MANY_STREAMS;
        st->in_use = 1;
    }
    uint64_t index;
    if ((rc = estimate_index(&st->rtp, seq, &index)) != SS_OK) return rc;
    /* Sending an index twice would reuse a keystream (and, for GCM, an IV): refuse, like libsrtp2. */
    if ((rc = window_check(s, &st->rtp, index)) != SS_OK) return rc;
    int aead = s->suite->kind == SS_KIND_GCM;
    uint8_t *tag_at = aead ? pkt + len : pkt + len + s->mki_len;
    uint8_t *mki_at = aead ? pkt + len + tag : pkt + len;
    if ((rc = rtp_crypt_and_tag(s, 1, pkt, hlen, len, ssrc, index, tag_at)) != SS_OK) return rc;
    memcpy(mki_at, s->mki, s->mki_len);
    window_add(s, &st->rtp, index);
    *out_len = len + trailer;
    return SS_OK;
}

static int unprotect_rtp(core_session *s, uint8_t *pkt, size_t len, size_t *out_len) {
    size_t tag = s->rtp.tag_len, mki = s->mki_len;
    if (len < 12 + tag + mki) return SS_BAD_PACKET;
    size_t body = len - tag - mki, hlen;
    int rc = rtp_header_len(pkt, body, &hlen);
    if (rc != SS_OK) return rc;
    int aead = s->suite->kind == SS_KIND_GCM;
    uint8_t *tag_at = aead ? pkt + body : pkt + body + mki;
    uint8_t *mki_at = aead ? pkt + body + tag : pkt + body;
    if (mki > 0 && memcmp(mki_at, s->mki, mki) != 0) return SS_BAD_MKI;
    uint32_t ssrc = load32(pkt + 8);
    uint16_t seq = (uint16_t)((pkt[2] << 8) | pkt[3]);
    stream_state *st = find_stream(s, ssrc);
    if (st == NULL && (st = free_stream(s, ssrc)) == NULL) return SS_TOO_MANY_STREAMS;
    uint64_t index;
    if ((rc = estimate_index(&st->rtp, seq, &index)) != SS_OK) return rc;
    if ((rc = window_check(s, &st->rtp, index)) != SS_OK) return rc;
    if ((rc = rtp_crypt_and_tag(s, 0, pkt, hlen, body, ssrc, index, tag_at)) != SS_OK) return rc;
    st->in_use = 1;
    window_add(s, &st->rtp, index);
    *out_len = body;
    return SS_OK;
}

/* ---------- RTCP ---------- */

static int rtcp_crypt_and_tag(core_session *s, int seal, uint8_t *pkt, size_t body, const uint8_t word[4],
                              uint8_t *tag_at) {
    leg_crypto *lc = &s->rtcp;
    uint32_t w = load32(word);
    int encrypted = (w >> 31) != 0;
    uint32_t ssrc = load32(pkt + 4);
    if (s->suite->kind == SS_KIND_GCM) {
        uint8_t iv[12];
        gcm_iv(lc, ssrc, 0, w & 0x7fffffff, 1, iv);
        /* E=1: AAD is the first 8 octets and the E||index word; E=0: the whole packet is AAD. */
        size_t aad_len = encrypted ? 8 : body;
        size_t n = encrypted ? body - 8 : 0;
        return seal ? gcm_seal(lc, iv, pkt, aad_len, word, 4, pkt + 8, n, tag_at)
                    : gcm_open(lc, iv, pkt, aad_len, word, 4, pkt + 8, n, tag_at);
    }
    uint8_t iv[16], mac[SS_HMAC_SHA1_LEN];
    if (s->suite->kind == SS_KIND_CM) {
        cm_iv(lc, ssrc, w & 0x7fffffff, iv);
    } else {
        memset(iv, 0, 4);
        memcpy(iv + 4, word, 4);
        memcpy(iv + 8, pkt, 8);
    }
    if (!seal) {
        hmac_sha1(lc, pkt, body, word, 4, mac);
        if (CRYPTO_memcmp(mac, tag_at, lc->tag_len) != 0) return SS_AUTH_FAILED;
    }
    if (encrypted) {
        int rc = s->suite->kind == SS_KIND_CM ? ctr_crypt(lc, iv, pkt + 8, body - 8)
                                              : f8_crypt(lc, iv, pkt + 8, body - 8);
        if (rc != SS_OK) return rc;
    }
    if (seal) {
        hmac_sha1(lc, pkt, body, word, 4, mac);
        memcpy(tag_at, mac, lc->tag_len);
    }
    return SS_OK;
}

static int protect_rtcp(core_session *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len) {
    if (len < 8 || (pkt[0] >> 6) != 2) return SS_BAD_PACKET;
    size_t tag = s->rtcp.tag_len, mki = s->mki_len, trailer = tag + 4 + mki;
    if (cap < len || cap - len < trailer) return SS_BUFFER_TOO_SMALL;
    uint32_t ssrc = load32(pkt + 4);
    stream_state *st = find_stream(s, ssrc);
    if (st == NULL) {
        if ((st = free_stream(s, ssrc)) == NULL) return SS_TOO_MANY_STREAMS;
        st->in_use = 1;
    }
    if (st->rtcp_next > 0x7fffffff) return SS_INDEX_EXHAUSTED;
    uint8_t word[4];
    store32(word, 0x80000000u | st->rtcp_next);
    int aead = s->suite->kind == SS_KIND_GCM;
    /* AEAD: ciphertext || tag || E+index || MKI; HMAC suites: E+index || MKI || tag. */
    uint8_t *tag_at = aead ? pkt + len : pkt + len + 4 + mki;
    uint8_t *word_at = aead ? pkt + len + tag : pkt + len;
    uint8_t *mki_at = aead ? pkt + len + tag + 4 : pkt + len + 4;
    int rc = rtcp_crypt_and_tag(s, 1, pkt, len, word, tag_at);
    if (rc != SS_OK) return rc;
    memcpy(word_at, word, 4);
    memcpy(mki_at, s->mki, mki);
    st->rtcp_next++;
    *out_len = len + trailer;
    return SS_OK;
}

static int unprotect_rtcp(core_session *s, uint8_t *pkt, size_t len, size_t *out_len) {
    size_t tag = s->rtcp.tag_len, mki = s->mki_len;
    if (len < 8 + 4 + tag + mki || (pkt[0] >> 6) != 2) return SS_BAD_PACKET;
    int aead = s->suite->kind == SS_KIND_GCM;
    size_t word_pos = aead ? len - mki - 4 : len - tag - mki - 4;
    size_t body = aead ? word_pos - tag : word_pos;
    uint8_t *tag_at = aead ? pkt + body : pkt + len - tag;
    uint8_t *mki_at = aead ? pkt + len - mki : pkt + len - tag - mki;
    if (body < 8) return SS_BAD_PACKET;
    if (mki > 0 && memcmp(mki_at, s->mki, mki) != 0) return SS_BAD_MKI;
    uint8_t word[4];
    memcpy(word, pkt + word_pos, 4);
    uint32_t index = load32(word) & 0x7fffffff;
    uint32_t ssrc = load32(pkt + 4);
    stream_state *st = find_stream(s, ssrc);
    if (st == NULL && (st = free_stream(s, ssrc)) == NULL) return SS_TOO_MANY_STREAMS;
    int rc = window_check(s, &st->rtcp, index);
    if (rc != SS_OK) return rc;
    if ((rc = rtcp_crypt_and_tag(s, 0, pkt, body, word, tag_at)) != SS_OK) return rc;
    st->in_use = 1;
    window_add(s, &st->rtcp, index);
    *out_len = body;
    return SS_OK;
}

/* ---------- session ---------- */

static int core_process(ss_session *base, int op, uint8_t *pkt, size_t len, size_t cap, size_t *out_len) {
    core_session *s = (core_session *)base;
    switch (op) {
    case SS_PROTECT_RTP: return protect_rtp(s, pkt, len, cap, out_len);
    case SS_UNPROTECT_RTP: return unprotect_rtp(s, pkt, len, out_len);
    case SS_PROTECT_RTCP: return protect_rtcp(s, pkt, len, cap, out_len);
    case SS_UNPROTECT_RTCP: return unprotect_rtcp(s, pkt, len, out_len);
    default: return SS_BAD_ARGUMENT;
    }
}

static int64_t core_roc(ss_session *base, uint32_t ssrc) {
    stream_state *st = find_stream((core_session *)base, ssrc);
    return st == NULL ? -1 : (int64_t)(st->rtp.highest >> 16);
}

/*
 * Only an inbound stream that has not yet accepted an SRTP packet may be given a ROC: the window
 * is reset with it, so on a stream in use (or any outbound one, whose window is what keeps an
 * index from being protected twice) it would let one index be used twice under one key:
 * key-stream reuse for AES-CM and f8, nonce reuse for GCM.
 */
static int core_set_roc(ss_session *base, uint32_t ssrc, uint32_t roc) {
    core_session *s = (core_session *)base;
    if (base->direction != SS_INBOUND) return SS_BAD_ARGUMENT;
    stream_state *st = find_stream(s, ssrc);
    if (st != NULL && st->rtp.seen) return SS_BAD_ARGUMENT;
    if (st == NULL) {
        if ((st = free_stream(s, ssrc)) == NULL) return SS_TOO_MANY_STREAMS;
        st->in_use = 1;
    }
    window_reset(&st->rtp, s->window_words);
    st->rtp.highest = (uint64_t)roc << 16;
    return SS_OK;
}

static void leg_free(leg_crypto *lc) {
    EVP_CIPHER_CTX_free(lc->cipher);
    EVP_CIPHER_CTX_free(lc->f8_mask);
}

static void core_destroy(ss_session *base) {
    core_session *s = (core_session *)base;
    if (s == NULL) return;
    leg_free(&s->rtp);
    leg_free(&s->rtcp);
    size_t size = sizeof(core_session) + 2 * SS_MAX_STREAMS * s->window_words * sizeof(uint64_t);
    OPENSSL_cleanse(s, size);  /* salts and HMAC states are key material */
    free(s);
}

static const ss_ops CORE_OPS = { core_process, core_roc, core_set_roc, core_destroy };

static const EVP_CIPHER *leg_cipher(int kind, size_t key_len) {
    if (kind == SS_KIND_GCM) {
        return key_len == 16 ? EVP_aes_128_gcm() : key_len == 32 ? EVP_aes_256_gcm() : NULL;
    }
    if (kind == SS_KIND_F8) {
        return key_len == 16 ? EVP_aes_128_ecb() : NULL;
    }
    switch (key_len) {
    case 16: return EVP_aes_128_ctr();
    case 24: return EVP_aes_192_ctr();
    case 32: return EVP_aes_256_ctr();
    default: return NULL;
    }
}

static int leg_init(leg_crypto *lc, const ss_suite_info *info, int direction, const ss_session_keys *k,
                    size_t tag_len) {
    const EVP_CIPHER *cipher = leg_cipher(info->kind, k->key_len);
    if (cipher == NULL || k->key_len != info->key_len || k->salt_len > SS_MAX_SALT
            || (info->kind == SS_KIND_GCM && k->salt_len != 12)
            || (info->kind != SS_KIND_GCM && (k->auth_len == 0 || k->auth_len > 64))) {
        return SS_BAD_ARGUMENT;
    }
    lc->tag_len = tag_len;
    lc->salt_len = k->salt_len;
    memcpy(lc->salt, k->salt, k->salt_len);
    if ((lc->cipher = EVP_CIPHER_CTX_new()) == NULL) return SS_INTERNAL_ERROR;
    int ok = (info->kind == SS_KIND_GCM && direction == SS_INBOUND)
                 ? EVP_DecryptInit_ex(lc->cipher, cipher, NULL, k->key, NULL)
                 : EVP_EncryptInit_ex(lc->cipher, cipher, NULL, k->key, NULL);
    if (ok != 1) return SS_INTERNAL_ERROR;
    if (info->kind == SS_KIND_F8) {
        uint8_t masked[16];
        for (size_t i = 0; i < 16; i++) {
            uint8_t m = i < k->salt_len ? k->salt[i] : 0x55;  /* m = k_s || 0x55...55 */
            masked[i] = k->key[i] ^ m;
        }
        EVP_CIPHER_CTX_set_padding(lc->cipher, 0);
        lc->f8_mask = EVP_CIPHER_CTX_new();
        ok = lc->f8_mask != NULL && EVP_EncryptInit_ex(lc->f8_mask, cipher, NULL, masked, NULL) == 1;
        OPENSSL_cleanse(masked, sizeof masked);
        if (!ok) return SS_INTERNAL_ERROR;
        EVP_CIPHER_CTX_set_padding(lc->f8_mask, 0);
    }
    if (info->kind != SS_KIND_GCM) {
        hmac_set_key(lc, k->auth, k->auth_len);
    }
    return SS_OK;
}

static int check_common(const ss_params *p) {
    if (ss_suite_lookup(p->suite) == NULL || (p->direction != SS_OUTBOUND && p->direction != SS_INBOUND)
            || p->mki_len > SS_MAX_MKI || (p->mki_len > 0 && p->mki == NULL)
            || p->window < SS_MIN_WINDOW || p->window > SS_MAX_WINDOW) {
        return SS_BAD_ARGUMENT;
    }
    return SS_OK;
}

int ss_openssl_create_with_session_keys(const ss_params *p, const ss_session_keys *rtp,
                                        const ss_session_keys *rtcp, ss_session **out) {
    int rc = check_common(p);
    if (rc != SS_OK) return rc;
    const ss_suite_info *info = ss_suite_lookup(p->suite);
    size_t bits = 64;
    while (bits < p->window) bits *= 2;
    size_t words = bits / 64;
    core_session *s = calloc(1, sizeof(core_session) + 2 * SS_MAX_STREAMS * words * sizeof(uint64_t));
    if (s == NULL) return SS_INTERNAL_ERROR;
    s->base.ops = &CORE_OPS;
    s->base.direction = p->direction;
    s->suite = info;
    s->window = p->window;
    s->window_words = words;
    s->window_mask = bits - 1;
    s->mki_len = p->mki_len;
    if (p->mki_len > 0) memcpy(s->mki, p->mki, p->mki_len);
    for (int i = 0; i < SS_MAX_STREAMS; i++) {
        s->streams[i].rtp.bits = s->bits + (size_t)(2 * i) * words;
        s->streams[i].rtcp.bits = s->bits + (size_t)(2 * i + 1) * words;
    }
    if ((rc = leg_init(&s->rtp, info, p->direction, rtp, info->rtp_tag_len)) != SS_OK
            || (rc = leg_init(&s->rtcp, info, p->direction, rtcp, info->rtcp_tag_len)) != SS_OK) {
        core_destroy(&s->base);
        return rc;
    }
    *out = &s->base;
    return SS_OK;
}

int ss_openssl_create(const ss_params *p, ss_session **out) {
    int rc = ss_check_params(p);
    if (rc != SS_OK) return rc;
    const ss_suite_info *info = ss_suite_lookup(p->suite);
    /* RFC 3711 4.3.2 labels: 0..2 SRTP encryption/auth/salt, 3..5 the same for SRTCP. */
    uint8_t keys[2][SS_MAX_KEY], auth[2][SS_HMAC_KEY], salt[2][SS_MAX_SALT];
    for (int leg = 0; leg < 2 && rc == SS_OK; leg++) {
        uint8_t base = (uint8_t)(3 * leg);
        rc = ss_kdf(p->master_key, info->key_len, p->master_salt, info->salt_len, base, keys[leg], info->key_len);
        if (rc == SS_OK)
            rc = ss_kdf(p->master_key, info->key_len, p->master_salt, info->salt_len, base + 1, auth[leg], SS_HMAC_KEY);
        if (rc == SS_OK)
            rc = ss_kdf(p->master_key, info->key_len, p->master_salt, info->salt_len, base + 2, salt[leg], info->salt_len);
    }
    if (rc == SS_OK) {
        ss_session_keys rtp = { keys[0], info->key_len, salt[0], info->salt_len, auth[0], SS_HMAC_KEY };
        ss_session_keys rtcp = { keys[1], info->key_len, salt[1], info->salt_len, auth[1], SS_HMAC_KEY };
        rc = ss_openssl_create_with_session_keys(p, &rtp, &rtcp, out);
    }
    OPENSSL_cleanse(keys, sizeof keys);
    OPENSSL_cleanse(auth, sizeof auth);
    OPENSSL_cleanse(salt, sizeof salt);
    return rc;
}
