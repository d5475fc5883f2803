/*
 * JNI glue: argument checks and the mapping from Java handles/buffers to ss_session calls. Test and
 * benchmark entry points live in the test library (native/src/test/c/jni_reference.c), not here.
 * No JNI call here allocates on the per-packet paths: direct buffer addresses are read,
 * batch offsets/lengths are copied to and from the C stack.
 */
#include <jni.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "org_sipshield_jni_SrtpNative.h"
#include "ss_core.h"
#include "ss_handles.h"

#define SIPSHIELD_SRTP_CORE_VERSION "0.2.0"

#define SAME(j, c) _Static_assert(org_sipshield_jni_SrtpNative_##j == (c), #j " differs between Java and C")
SAME(STATUS_OK, SS_OK);
SAME(STATUS_AUTH_FAILED, SS_AUTH_FAILED);
SAME(STATUS_REPLAYED, SS_REPLAYED);
SAME(STATUS_BAD_PACKET, SS_BAD_PACKET);
SAME(STATUS_BUFFER_TOO_SMALL, SS_BUFFER_TOO_SMALL);
SAME(STATUS_BAD_MKI, SS_BAD_MKI);
SAME(STATUS_TOO_MANY_STREAMS, SS_TOO_MANY_STREAMS);
SAME(STATUS_INDEX_EXHAUSTED, SS_INDEX_EXHAUSTED);
SAME(STATUS_BAD_ARGUMENT, SS_BAD_ARGUMENT);
SAME(STATUS_UNSUPPORTED, SS_UNSUPPORTED);
SAME(STATUS_INTERNAL_ERROR, SS_INTERNAL_ERROR);
SAME(SUITE_AEAD_AES_128_GCM, SS_AEAD_AES_128_GCM);
SAME(SUITE_AEAD_AES_256_GCM, SS_AEAD_AES_256_GCM);
SAME(SUITE_AES_CM_128_HMAC_SHA1_80, SS_AES_CM_128_HMAC_SHA1_80);
SAME(SUITE_AES_CM_128_HMAC_SHA1_32, SS_AES_CM_128_HMAC_SHA1_32);
SAME(SUITE_AES_256_CM_HMAC_SHA1_80, SS_AES_256_CM_HMAC_SHA1_80);
SAME(SUITE_AES_256_CM_HMAC_SHA1_32, SS_AES_256_CM_HMAC_SHA1_32);
SAME(SUITE_F8_128_HMAC_SHA1_80, SS_F8_128_HMAC_SHA1_80);
SAME(SUITE_AES_192_CM_HMAC_SHA1_80, SS_AES_192_CM_HMAC_SHA1_80);
SAME(SUITE_AES_192_CM_HMAC_SHA1_32, SS_AES_192_CM_HMAC_SHA1_32);
SAME(SUITE_AEAD_AES_128_GCM_8, SS_AEAD_AES_128_GCM_8);
SAME(OP_PROTECT_RTP, SS_PROTECT_RTP);
SAME(OP_UNPROTECT_RTP, SS_UNPROTECT_RTP);
SAME(OP_PROTECT_RTCP, SS_PROTECT_RTCP);
SAME(OP_UNPROTECT_RTCP, SS_UNPROTECT_RTCP);
SAME(ENGINE_OPENSSL, SS_ENGINE_OPENSSL);
SAME(ENGINE_LIBSRTP2, SS_ENGINE_LIBSRTP2);
SAME(DIRECTION_OUTBOUND, SS_OUTBOUND);
SAME(DIRECTION_INBOUND, SS_INBOUND);
SAME(MAX_STREAMS, SS_MAX_STREAMS);
SAME(MIN_REPLAY_WINDOW, SS_MIN_WINDOW);
SAME(MAX_REPLAY_WINDOW, SS_MAX_WINDOW);
SAME(MAX_MKI_LENGTH, SS_MAX_MKI);

/*
 * The engine behind ENGINE_LIBSRTP2. The shipped library has none (it links libcrypto only); the
 * test library (native/src/test/c) installs libsrtp2 here when it is loaded, and registers its
 * sessions in our handle table, so the reference runs through the same entry points as our core.
 */
static _Atomic(ss_create_fn) reference_create;

SS_EXPORT void ss_set_reference_engine(ss_create_fn create) {
    atomic_store(&reference_create, create);
}

#define KEY_INPUT_MAX 64  /* longest key, salt or auth key accepted from Java */

/* The live session a handle names, or NULL (closed, foreign, <= 0): see ss_handles.h. */
static inline ss_session *session_of(jlong handle) {
    return ss_handle_get(handle);
}

/* A new session's handle; the session is destroyed if it cannot have one. */
static jlong handle_for(int rc, ss_session *s) {
    if (rc != SS_OK) return -(jlong)rc;
    int64_t h = ss_handle_register(s);
    if (h <= 0) s->ops->destroy(s);
    return h;
}

static int op_allowed(const ss_session *s, int op) {
    int protect = op == SS_PROTECT_RTP || op == SS_PROTECT_RTCP;
    int unprotect = op == SS_UNPROTECT_RTP || op == SS_UNPROTECT_RTCP;
    return (protect && s->direction == SS_OUTBOUND) || (unprotect && s->direction == SS_INBOUND);
}

/* Copies a Java array into a fixed buffer; -1 if null or too long. Keys never stay on the Java side
 * of the copy longer than the caller keeps them. */
static int copy_in(JNIEnv *env, jbyteArray array, uint8_t *dst, size_t max) {
    if (array == NULL) return -1;
    jsize n = (*env)->GetArrayLength(env, array);
    if (n < 0 || (size_t)n > max) return -1;
    (*env)->GetByteArrayRegion(env, array, 0, n, (jbyte *)dst);
    return (int)n;
}

JNIEXPORT jstring JNICALL Java_org_sipshield_jni_SrtpNative_version(JNIEnv *env, jclass cls) {
    (void)cls;
    char text[256];
    snprintf(text, sizeof text, "sipshield-srtp %s (%s)", SIPSHIELD_SRTP_CORE_VERSION,
             OpenSSL_version(OPENSSL_VERSION));
    return (*env)->NewStringUTF(env, text);
}

JNIEXPORT jlong JNICALL Java_org_sipshield_jni_SrtpNative_createSession(JNIEnv *env, jclass cls, jint engine,
        jint suite, jint direction, jbyteArray masterKey, jbyteArray masterSalt, jbyteArray mki, jint window) {
    (void)cls;
    uint8_t key[KEY_INPUT_MAX], salt[KEY_INPUT_MAX], mki_bytes[SS_MAX_MKI];
    int key_len = copy_in(env, masterKey, key, sizeof key);
    int salt_len = copy_in(env, masterSalt, salt, sizeof salt);
    int mki_len = copy_in(env, mki, mki_bytes, sizeof mki_bytes);
    int rc = SS_BAD_ARGUMENT;
    ss_session *s = NULL;
    if (key_len >= 0 && salt_len >= 0 && mki_len >= 0 && window > 0) {
        ss_params p = { suite, direction, key, (size_t)key_len, salt, (size_t)salt_len,
                        mki_bytes, (size_t)mki_len, (unsigned)window };
        ss_create_fn reference = atomic_load(&reference_create);
        if (engine == SS_ENGINE_OPENSSL) rc = ss_openssl_create(&p, &s);
        else if (engine == SS_ENGINE_LIBSRTP2) rc = reference != NULL ? reference(&p, &s) : SS_UNSUPPORTED;
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(salt, sizeof salt);
    return handle_for(rc, s);
}

JNIEXPORT void JNICALL Java_org_sipshield_jni_SrtpNative_destroySession(JNIEnv *env, jclass cls, jlong handle) {
    (void)env; (void)cls;
    ss_session *s = ss_handle_take(handle);  /* a closed or foreign handle takes nothing */
    if (s != NULL) s->ops->destroy(s);
}

static jint process_one(JNIEnv *env, jlong handle, int op, jobject buffer, jint offset, jint length, jint capacity) {
    ss_session *s = session_of(handle);
    if (s == NULL || buffer == NULL || !op_allowed(s, op)) return -SS_BAD_ARGUMENT;
    uint8_t *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong total = (*env)->GetDirectBufferCapacity(env, buffer);
    if (base == NULL || total < 0 || offset < 0 || length < 0 || capacity < length
            || (jlong)offset + capacity > total) {
        return -SS_BAD_ARGUMENT;
    }
    size_t out = 0;
    int rc = s->ops->process(s, op, base + offset, (size_t)length, (size_t)capacity, &out);
    return rc == SS_OK ? (jint)out : -rc;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_protectRtp(JNIEnv *env, jclass cls, jlong h,
        jobject buf, jint off, jint len, jint cap) {
    (void)cls;
    return process_one(env, h, SS_PROTECT_RTP, buf, off, len, cap);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_unprotectRtp(JNIEnv *env, jclass cls, jlong h,
        jobject buf, jint off, jint len, jint cap) {
    (void)cls;
    return process_one(env, h, SS_UNPROTECT_RTP, buf, off, len, cap);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_protectRtcp(JNIEnv *env, jclass cls, jlong h,
        jobject buf, jint off, jint len, jint cap) {
    (void)cls;
    return process_one(env, h, SS_PROTECT_RTCP, buf, off, len, cap);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_unprotectRtcp(JNIEnv *env, jclass cls, jlong h,
        jobject buf, jint off, jint len, jint cap) {
    (void)cls;
    return process_one(env, h, SS_UNPROTECT_RTCP, buf, off, len, cap);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_processBatch(JNIEnv *env, jclass cls, jlong handle,
        jint op, jobject buffer, jintArray offsets, jintArray lengths, jint count, jint slot) {
    (void)cls;
    ss_session *s = session_of(handle);
    if (s == NULL || buffer == NULL || offsets == NULL || lengths == NULL || count < 0
            || count > org_sipshield_jni_SrtpNative_MAX_BATCH || slot < 0 || !op_allowed(s, op)) {
        return -SS_BAD_ARGUMENT;
    }
    uint8_t *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong total = (*env)->GetDirectBufferCapacity(env, buffer);
    if (base == NULL || total < 0 || (*env)->GetArrayLength(env, offsets) < count
            || (*env)->GetArrayLength(env, lengths) < count) {
        return -SS_BAD_ARGUMENT;
    }
    /* Copying 2 x count ints is cheaper than pinning the arrays (no GC locker) and just as
     * allocation-free. */
    jint offs[org_sipshield_jni_SrtpNative_MAX_BATCH], lens[org_sipshield_jni_SrtpNative_MAX_BATCH];
    (*env)->GetIntArrayRegion(env, offsets, 0, count, offs);
    (*env)->GetIntArrayRegion(env, lengths, 0, count, lens);
    int ok = 0;
    for (jint i = 0; i < count; i++) {
        jlong off = offs[i], len = lens[i];
        if (off < 0 || len < 0 || off > total) {
            lens[i] = -SS_BAD_ARGUMENT;
            continue;
        }
        jlong cap = total - off < slot ? total - off : slot;
        if (len > cap) {
            lens[i] = -SS_BAD_ARGUMENT;
            continue;
        }
        size_t out = 0;
        int rc = s->ops->process(s, op, base + off, (size_t)len, (size_t)cap, &out);
        if (rc == SS_OK) {
            lens[i] = (jint)out;
            ok++;
        } else {
            lens[i] = -rc;
        }
    }
    (*env)->SetIntArrayRegion(env, lengths, 0, count, lens);
    return ok;
}

/* Many packets, each with its own session and buffer: the relay's read burst across sockets.
 * The descriptor arrays are copied to and from the C stack (no pinning, no allocation); each
 * buffer's address and capacity are read per packet, so every packet is bounds-checked on its own. */
JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_processPackets(JNIEnv *env, jclass cls,
        jlongArray sessions, jintArray ops, jobjectArray buffers, jintArray offsets, jintArray lengths,
        jintArray capacities, jint count) {
    (void)cls;
    if (sessions == NULL || ops == NULL || buffers == NULL || offsets == NULL || lengths == NULL
            || capacities == NULL || count < 0 || count > org_sipshield_jni_SrtpNative_MAX_BATCH
            || (*env)->GetArrayLength(env, sessions) < count || (*env)->GetArrayLength(env, ops) < count
            || (*env)->GetArrayLength(env, buffers) < count || (*env)->GetArrayLength(env, offsets) < count
            || (*env)->GetArrayLength(env, lengths) < count || (*env)->GetArrayLength(env, capacities) < count) {
        return -SS_BAD_ARGUMENT;
    }
    jlong handles[org_sipshield_jni_SrtpNative_MAX_BATCH];
    jint op[org_sipshield_jni_SrtpNative_MAX_BATCH], offs[org_sipshield_jni_SrtpNative_MAX_BATCH];
    jint lens[org_sipshield_jni_SrtpNative_MAX_BATCH], caps[org_sipshield_jni_SrtpNative_MAX_BATCH];
    (*env)->GetLongArrayRegion(env, sessions, 0, count, handles);
    (*env)->GetIntArrayRegion(env, ops, 0, count, op);
    (*env)->GetIntArrayRegion(env, offsets, 0, count, offs);
    (*env)->GetIntArrayRegion(env, lengths, 0, count, lens);
    (*env)->GetIntArrayRegion(env, capacities, 0, count, caps);
    int ok = 0;
    for (jint i = 0; i < count; i++) {
        jobject buffer = (*env)->GetObjectArrayElement(env, buffers, i);
        jint r = -SS_BAD_ARGUMENT;
        ss_session *s = session_of(handles[i]);
        if (s != NULL && buffer != NULL && op_allowed(s, op[i])) {
            uint8_t *base = (*env)->GetDirectBufferAddress(env, buffer);
            jlong total = (*env)->GetDirectBufferCapacity(env, buffer);
            if (base != NULL && total >= 0 && offs[i] >= 0 && lens[i] >= 0 && caps[i] >= lens[i]
                    && (jlong)offs[i] + caps[i] <= total) {
                size_t out = 0;
                int rc = s->ops->process(s, op[i], base + offs[i], (size_t)lens[i], (size_t)caps[i], &out);
                r = rc == SS_OK ? (jint)out : -rc;
            }
        }
        if (buffer != NULL) (*env)->DeleteLocalRef(env, buffer);  /* a batch may exceed the frame's local refs */
        lens[i] = r;
        if (r >= 0) ok++;
    }
    (*env)->SetIntArrayRegion(env, lengths, 0, count, lens);
    return ok;
}

JNIEXPORT jlong JNICALL Java_org_sipshield_jni_SrtpNative_roc(JNIEnv *env, jclass cls, jlong handle, jint ssrc) {
    (void)env; (void)cls;
    ss_session *s = session_of(handle);
    return s == NULL ? -1 : s->ops->roc(s, (uint32_t)ssrc);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNative_setRoc(JNIEnv *env, jclass cls, jlong handle, jint ssrc,
        jint roc) {
    (void)env; (void)cls;
    ss_session *s = session_of(handle);
    return s == NULL ? SS_BAD_ARGUMENT : s->ops->set_roc(s, (uint32_t)ssrc, (uint32_t)roc);
}
