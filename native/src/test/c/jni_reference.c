/*
 * JNI glue of the test library, for org.sipshield.jni.SrtpNativeTesting (native/src/test/java):
 * libsrtp2 installed as the shipped library's ENGINE_LIBSRTP2, sessions from already derived
 * session keys (RFC vectors), the key derivation, the EVP floor and a heap probe.
 *
 * Its own copy of the core (ss_common.o, ss_openssl.o, hidden) makes the session-key sessions; every
 * session it makes is registered in the shipped library's handle table (ss_handle_register, which
 * it links against), so the shipped entry points run them like any other.
 */
#include <jni.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>

#include "ss_handles.h"
#include "ss_reference.h"

#define KEY_INPUT_MAX 64

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)vm; (void)reserved;
    ss_set_reference_engine(ss_libsrtp_create);
    return JNI_VERSION_1_8;
}

static int copy_in(JNIEnv *env, jbyteArray array, uint8_t *dst, size_t max) {
    if (array == NULL) return -1;
    jsize n = (*env)->GetArrayLength(env, array);
    if (n < 0 || (size_t)n > max) return -1;
    (*env)->GetByteArrayRegion(env, array, 0, n, (jbyte *)dst);
    return (int)n;
}

JNIEXPORT jstring JNICALL Java_org_sipshield_jni_SrtpNativeTesting_referenceVersion(JNIEnv *env, jclass cls) {
    (void)cls;
    return (*env)->NewStringUTF(env, srtp_get_version_string());
}

JNIEXPORT jlong JNICALL Java_org_sipshield_jni_SrtpNativeTesting_createSessionFromSessionKeys(JNIEnv *env,
        jclass cls, jint suite, jint direction, jbyteArray rtpKey, jbyteArray rtpSalt, jbyteArray rtpAuth,
        jbyteArray rtcpKey, jbyteArray rtcpSalt, jbyteArray rtcpAuth, jbyteArray mki, jint window) {
    (void)cls;
    uint8_t b[6][KEY_INPUT_MAX], mki_bytes[SS_MAX_MKI];
    int n[6];
    jbyteArray in[6] = { rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth };
    int ok = 1;
    for (int i = 0; i < 6; i++) {
        n[i] = copy_in(env, in[i], b[i], KEY_INPUT_MAX);
        ok = ok && n[i] >= 0;
    }
    int mki_len = copy_in(env, mki, mki_bytes, sizeof mki_bytes);
    int rc = SS_BAD_ARGUMENT;
    ss_session *s = NULL;
    if (ok && mki_len >= 0 && window > 0) {
        ss_params p = { suite, direction, NULL, 0, NULL, 0, mki_bytes, (size_t)mki_len, (unsigned)window };
        ss_session_keys rtp = { b[0], (size_t)n[0], b[1], (size_t)n[1], b[2], (size_t)n[2] };
        ss_session_keys rtcp = { b[3], (size_t)n[3], b[4], (size_t)n[4], b[5], (size_t)n[5] };
        rc = ss_openssl_create_with_session_keys(&p, &rtp, &rtcp, &s);
    }
    OPENSSL_cleanse(b, sizeof b);
    if (rc != SS_OK) return -(jlong)rc;
    int64_t h = ss_handle_register(s);
    if (h <= 0) s->ops->destroy(s);
    return h;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNativeTesting_deriveSessionKey(JNIEnv *env, jclass cls,
        jbyteArray masterKey, jbyteArray masterSalt, jint label, jbyteArray out) {
    (void)cls;
    uint8_t key[KEY_INPUT_MAX], salt[KEY_INPUT_MAX], result[1024];
    int key_len = copy_in(env, masterKey, key, sizeof key);
    int salt_len = copy_in(env, masterSalt, salt, sizeof salt);
    int rc = SS_BAD_ARGUMENT;
    jsize out_len = out == NULL ? -1 : (*env)->GetArrayLength(env, out);
    if (key_len > 0 && salt_len >= 0 && salt_len <= 14 && label >= 0 && label <= 5
            && out_len >= 0 && (size_t)out_len <= sizeof result) {
        rc = ss_kdf(key, (size_t)key_len, salt, (size_t)salt_len, (uint8_t)label, result, (size_t)out_len);
        if (rc == SS_OK) (*env)->SetByteArrayRegion(env, out, 0, out_len, (jbyte *)result);
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(result, sizeof result);
    return rc;
}

/* The floor's handle is its pointer: a benchmark's own object, never a session. */
JNIEXPORT jlong JNICALL Java_org_sipshield_jni_SrtpNativeTesting_evpFloorCreate(JNIEnv *env, jclass cls, jint key_len) {
    (void)env; (void)cls;
    ss_floor *f = NULL;
    int rc = key_len > 0 ? ss_floor_create((size_t)key_len, &f) : SS_BAD_ARGUMENT;
    return rc == SS_OK ? (jlong)(intptr_t)f : -(jlong)rc;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_SrtpNativeTesting_evpFloorRun(JNIEnv *env, jclass cls, jlong handle,
        jobject buffer, jint offset, jint length, jint capacity, jint packets) {
    (void)cls;
    if (handle <= 0 || buffer == NULL || packets < 0) return SS_BAD_ARGUMENT;
    uint8_t *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong total = (*env)->GetDirectBufferCapacity(env, buffer);
    if (base == NULL || offset < 0 || length < 0 || capacity < length || (jlong)offset + capacity > total) {
        return SS_BAD_ARGUMENT;
    }
    return ss_floor_run((ss_floor *)(intptr_t)handle, base + offset, (size_t)length, (size_t)capacity, packets);
}

JNIEXPORT void JNICALL Java_org_sipshield_jni_SrtpNativeTesting_evpFloorDestroy(JNIEnv *env, jclass cls, jlong handle) {
    (void)env; (void)cls;
    if (handle > 0) ss_floor_destroy((ss_floor *)(intptr_t)handle);
}

/* Under ASan (make asan) malloc is the sanitizer's, of which glibc's mallinfo2 knows nothing. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_ASAN_HEAP 1
#endif
#endif
#ifdef SS_ASAN_HEAP
#include <sanitizer/allocator_interface.h>
#endif

JNIEXPORT jlong JNICALL Java_org_sipshield_jni_SrtpNativeTesting_nativeHeapInUse(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
#ifdef SS_ASAN_HEAP
    return (jlong)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return (jlong)(mi.uordblks + mi.hblkhd);
#endif
}
