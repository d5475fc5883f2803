/*
 * The native session API shared by both engines: our own SRTP/SRTCP core on OpenSSL libcrypto
 * (ss_openssl.c) and Debian's libsrtp2 (src/test/c/ss_libsrtp.c, in the test library only).
 * A session is one leg in one direction
 * (outbound protects, inbound unprotects) and is used by one thread at a time.
 *
 * Every per-packet entry point returns an ss_status; nothing on the hot path allocates.
 * The numeric values are mirrored by org.sipshield.jni.SrtpNative: change both together.
 */
#ifndef SIPSHIELD_SS_CORE_H
#define SIPSHIELD_SS_CORE_H

#include <stddef.h>
#include <stdint.h>

enum ss_status {
    SS_OK = 0,
    SS_AUTH_FAILED = 1,        /* tag mismatch: forged, corrupted or wrong key */
    SS_REPLAYED = 2,           /* index already seen or older than the replay window */
    SS_BAD_PACKET = 3,         /* not a parseable RTP/RTCP packet (too short, bad header) */
    SS_BUFFER_TOO_SMALL = 4,   /* no room after the packet for tag/MKI/index */
    SS_BAD_MKI = 5,            /* MKI in the packet is not this session's */
    SS_TOO_MANY_STREAMS = 6,   /* more SSRCs than SS_MAX_STREAMS in one session */
    SS_INDEX_EXHAUSTED = 7,    /* 2^48 SRTP or 2^31 SRTCP packets: the key must change */
    SS_BAD_ARGUMENT = 8,       /* caller error: bad handle, offsets, lengths, parameters */
    SS_UNSUPPORTED = 9,        /* this engine cannot do this (e.g. F8 on libsrtp2) */
    SS_INTERNAL_ERROR = 10     /* the crypto library failed */
};

enum ss_suite {
    SS_AEAD_AES_128_GCM = 0,
    SS_AEAD_AES_256_GCM = 1,
    SS_AES_CM_128_HMAC_SHA1_80 = 2,
    SS_AES_CM_128_HMAC_SHA1_32 = 3,
    SS_AES_256_CM_HMAC_SHA1_80 = 4,
    SS_AES_256_CM_HMAC_SHA1_32 = 5,
    SS_F8_128_HMAC_SHA1_80 = 6,
    /* RFC 6188 AES-192: kept so its test vectors run; not offered by the Java API. */
    SS_AES_192_CM_HMAC_SHA1_80 = 7,
    SS_AES_192_CM_HMAC_SHA1_32 = 8,
    /* libsrtp2's AES-128-GCM with 8-octet tags (RFC 7714 allows them; no SDES name): the one suite
     * whose GCM tag is not 16, kept so tests prove the tag length comes from this table. */
    SS_AEAD_AES_128_GCM_8 = 9,
    SS_SUITE_COUNT = 10
};

enum ss_kind { SS_KIND_GCM, SS_KIND_CM, SS_KIND_F8 };
enum ss_direction { SS_OUTBOUND = 0, SS_INBOUND = 1 };
enum ss_engine { SS_ENGINE_OPENSSL = 0, SS_ENGINE_LIBSRTP2 = 1 };
enum ss_op { SS_PROTECT_RTP = 0, SS_UNPROTECT_RTP = 1, SS_PROTECT_RTCP = 2, SS_UNPROTECT_RTCP = 3 };

#define SS_MAX_STREAMS 8
#define SS_MIN_WINDOW 64
#define SS_MAX_WINDOW 32767     /* libsrtp2's bound too, so both engines accept the same range */
#define SS_MAX_MKI 128
#define SS_MAX_KEY 32
#define SS_MAX_SALT 14
#define SS_HMAC_KEY 20
#define SS_HMAC_SHA1_LEN 20     /* an HMAC-SHA1 tag is cut from this */
#define SS_GCM_MAX_TAG 16       /* a GCM tag is at most one AES block */

/*
 * The suites: id, kind, master key and salt lengths, SRTP and SRTCP tag lengths. A macro table so
 * the lengths are constants the compiler can check against the buffers that hold them
 * (SS_CHECK_SUITE_FITS in ss_openssl.c); ss_common.c builds the run-time table from it.
 */
#define SS_SUITE_TABLE(X) \
    X(SS_AEAD_AES_128_GCM,        SS_KIND_GCM, 16, 12, 16, 16) \
    X(SS_AEAD_AES_256_GCM,        SS_KIND_GCM, 32, 12, 16, 16) \
    X(SS_AES_CM_128_HMAC_SHA1_80, SS_KIND_CM,  16, 14, 10, 10) \
    X(SS_AES_CM_128_HMAC_SHA1_32, SS_KIND_CM,  16, 14,  4, 10) \
    X(SS_AES_256_CM_HMAC_SHA1_80, SS_KIND_CM,  32, 14, 10, 10) \
    X(SS_AES_256_CM_HMAC_SHA1_32, SS_KIND_CM,  32, 14,  4, 10) \
    X(SS_F8_128_HMAC_SHA1_80,     SS_KIND_F8,  16, 14, 10, 10) \
    X(SS_AES_192_CM_HMAC_SHA1_80, SS_KIND_CM,  24, 14, 10, 10) \
    X(SS_AES_192_CM_HMAC_SHA1_32, SS_KIND_CM,  24, 14,  4, 10) \
    X(SS_AEAD_AES_128_GCM_8,      SS_KIND_GCM, 16, 12,  8,  8)

typedef struct {
    int kind;
    size_t key_len;
    size_t salt_len;       /* master and session salt: 14 (CM, F8) or 12 (GCM, RFC 7714) */
    size_t rtp_tag_len;
    size_t rtcp_tag_len;   /* the _32 suites still use 80-bit SRTCP tags (RFC 4568 6.2) */
} ss_suite_info;

const ss_suite_info *ss_suite_lookup(int suite);

typedef struct ss_session ss_session;

typedef struct {
    /* Processes the packet in place: pkt[0..len) in, pkt[0..*out_len) out, never past cap. */
    int (*process)(ss_session *s, int op, uint8_t *pkt, size_t len, size_t cap, size_t *out_len);
    /* ROC of the stream with this SSRC, or -1 if the session has not seen it. */
    int64_t (*roc)(ss_session *s, uint32_t ssrc);
    int (*set_roc)(ss_session *s, uint32_t ssrc, uint32_t roc);
    void (*destroy)(ss_session *s);
} ss_ops;

struct ss_session {
    const ss_ops *ops;
    int direction;   /* outbound sessions only protect, inbound only unprotect */
};

typedef struct {
    int suite;
    int direction;
    const uint8_t *master_key;  size_t master_key_len;
    const uint8_t *master_salt; size_t master_salt_len;
    const uint8_t *mki;         size_t mki_len;     /* mki_len 0: no MKI */
    unsigned window;
} ss_params;

/* Session keys given directly (for the RFC test vectors that start after key derivation). */
typedef struct {
    const uint8_t *key;  size_t key_len;
    const uint8_t *salt; size_t salt_len;
    const uint8_t *auth; size_t auth_len;
} ss_session_keys;

int ss_openssl_create(const ss_params *p, ss_session **out);
int ss_openssl_create_with_session_keys(const ss_params *p, const ss_session_keys *rtp,
                                        const ss_session_keys *rtcp, ss_session **out);

/* The shipped library exports its JNI entry points and these two hooks only (-fvisibility=hidden). */
#define SS_EXPORT __attribute__((visibility("default")))
typedef int (*ss_create_fn)(const ss_params *p, ss_session **out);
/* Installs the engine behind SS_ENGINE_LIBSRTP2 (the test library's libsrtp2); none by default. */
SS_EXPORT void ss_set_reference_engine(ss_create_fn create);

/* RFC 3711 4.3.1 / RFC 6188 AES-CM PRF with kdr = 0. key_len 16, 24 or 32. */
int ss_kdf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt, size_t salt_len,
           uint8_t label, uint8_t *out, size_t out_len);

/* Validates parameters common to both engines. */
int ss_check_params(const ss_params *p);

#endif
