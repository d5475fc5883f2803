#include <jni.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>
#include <stdio.h>

#include "org_sipshield_jni_SrtpNative.h"

#define SIPSHIELD_SRTP_CORE_VERSION "0.1.0"

JNIEXPORT jstring JNICALL Java_org_sipshield_jni_SrtpNative_version(JNIEnv *env, jclass cls) {
    (void)cls;
    char text[256];
    snprintf(text, sizeof text, "sipshield-srtp %s (%s; %s)", SIPSHIELD_SRTP_CORE_VERSION,
             OpenSSL_version(OPENSSL_VERSION), srtp_get_version_string());
    return (*env)->NewStringUTF(env, text);
}
