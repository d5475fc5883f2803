/*
 * JNI: non-blocking UDP sockets for the media relay, read and written in batches (recvmmsg /
 * sendmmsg, in ss_udp.c) straight from and into caller-owned direct memory. Nothing here creates a
 * Java object or allocates: each datagram's length and source go back as ints into the caller's
 * int[] (copied, never pinned).
 *
 * Addresses travel as a port and four big-endian 32-bit words of a 16-octet IPv6 address; an IPv4
 * address is its IPv4-mapped form (::ffff:a.b.c.d), so the Java side compares every peer the same
 * way, as plain ints.
 */
#include <jni.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "org_sipshield_jni_UdpNative.h"
#include "ss_udp.h"

#define MAX_DATAGRAMS SS_UDP_MAX_DATAGRAMS
#define RECEIVED_INTS SS_UDP_RECEIVED_INTS
#define SENT_INTS SS_UDP_SENT_INTS

_Static_assert(org_sipshield_jni_UdpNative_MAX_DATAGRAMS == SS_UDP_MAX_DATAGRAMS, "MAX_DATAGRAMS differs");
_Static_assert(org_sipshield_jni_UdpNative_RECEIVED_INTS == SS_UDP_RECEIVED_INTS, "RECEIVED_INTS differs");
_Static_assert(org_sipshield_jni_UdpNative_SENT_INTS == SS_UDP_SENT_INTS, "SENT_INTS differs");
_Static_assert(org_sipshield_jni_UdpNative_SENT_MANY_INTS == SS_UDP_SENT_MANY_INTS, "SENT_MANY_INTS differs");
_Static_assert(org_sipshield_jni_UdpNative_TRUNCATED == SS_UDP_TRUNCATED, "TRUNCATED differs");
_Static_assert(org_sipshield_jni_UdpNative_RING_RECORD_INTS == SS_UDP_RING_RECORD_INTS, "RING_RECORD_INTS differs");
_Static_assert(org_sipshield_jni_UdpNative_RING_PAYLOAD_AT == SS_UDP_RING_PAYLOAD_AT, "RING_PAYLOAD_AT differs");
_Static_assert(org_sipshield_jni_UdpNative_ENOBUFS == ENOBUFS && org_sipshield_jni_UdpNative_ECANCELED == ECANCELED,
               "errno values differ");
_Static_assert(sizeof(jint) == sizeof(int32_t), "records are int32");

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_open(JNIEnv *env, jclass cls, jbyteArray address, jint port,
        jint bufferBytes) {
    (void)cls;
    if (address == NULL || port < 0 || port > 65535 || bufferBytes < 0) return -EINVAL;
    jsize n = (*env)->GetArrayLength(env, address);
    if (n != 4 && n != 16) return -EINVAL;
    uint8_t b[16];
    (*env)->GetByteArrayRegion(env, address, 0, n, (jbyte *)b);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int family = n == 4 ? AF_INET : AF_INET6;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, b, 4);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, b, 16);
        len = sizeof *in6;
    }
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    int size = bufferBytes;
    if ((family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
            || (size > 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0
                             || setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) != 0))
            || bind(fd, (struct sockaddr *)&ss, len) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_localPort(JNIEnv *env, jclass cls, jint fd) {
    (void)env; (void)cls;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -EBADF;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -EAFNOSUPPORT;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_close(JNIEnv *env, jclass cls, jint fd) {
    (void)env; (void)cls;
    if (fd < 0) return -EBADF;
    return close(fd) == 0 ? 0 : -errno;
}

/*
 * receive and send only turn Java's buffer and arrays into memory and lengths: every check on the
 * layout is ss_udp's, the code the fuzz target drives. Records travel through the C stack (copied,
 * never pinned), at most what the call can use, so a longer array costs nothing more.
 */
JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_receive(JNIEnv *env, jclass cls, jint fd, jobject memory,
        jint offset, jint slotSize, jint maxDatagrams, jintArray received) {
    (void)cls;
    if (memory == NULL || received == NULL) return -EINVAL;
    uint8_t *base = (*env)->GetDirectBufferAddress(env, memory);
    jlong total = (*env)->GetDirectBufferCapacity(env, memory);
    jsize length = (*env)->GetArrayLength(env, received);
    jint out[MAX_DATAGRAMS * RECEIVED_INTS];
    size_t room = length < (jsize)(sizeof out / sizeof out[0]) ? (size_t)length : sizeof out / sizeof out[0];
    int n = ss_udp_receive(fd, base, total, offset, slotSize, maxDatagrams, out, room);
    if (n > 0) (*env)->SetIntArrayRegion(env, received, 0, n * RECEIVED_INTS, out);
    return n;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_send(JNIEnv *env, jclass cls, jint fd, jobject memory,
        jintArray datagrams, jint count) {
    (void)cls;
    if (memory == NULL || datagrams == NULL || count < 0 || count > MAX_DATAGRAMS) return -EINVAL;
    uint8_t *base = (*env)->GetDirectBufferAddress(env, memory);
    jlong total = (*env)->GetDirectBufferCapacity(env, memory);
    jsize length = (*env)->GetArrayLength(env, datagrams);
    jint in[MAX_DATAGRAMS * SENT_INTS];
    jsize want = count * SENT_INTS;
    jsize copied = length < want ? length : want;
    (*env)->GetIntArrayRegion(env, datagrams, 0, copied, in);
    return ss_udp_send(fd, base, total, in, (size_t)copied, count);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_sendMany(JNIEnv *env, jclass cls, jobject memory,
        jintArray datagrams, jint count, jintArray results, jboolean throughRing) {
    (void)cls;
    if (memory == NULL || datagrams == NULL || results == NULL || count < 0 || count > MAX_DATAGRAMS) return -EINVAL;
    uint8_t *base = (*env)->GetDirectBufferAddress(env, memory);
    jlong total = (*env)->GetDirectBufferCapacity(env, memory);
    jsize length = (*env)->GetArrayLength(env, datagrams);
    jsize room = (*env)->GetArrayLength(env, results);
    jint in[MAX_DATAGRAMS * SS_UDP_SENT_MANY_INTS];
    jint out[MAX_DATAGRAMS];
    jsize want = count * SS_UDP_SENT_MANY_INTS;
    jsize copied = length < want ? length : want;
    (*env)->GetIntArrayRegion(env, datagrams, 0, copied, in);
    int sent = ss_udp_send_many(base, total, in, (size_t)copied, count, out, room < 0 ? 0 : (size_t)room,
                                throughRing == JNI_TRUE);
    if (sent >= 0 && count > 0) (*env)->SetIntArrayRegion(env, results, 0, count, out);
    return sent;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_sendRingError(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return ss_udp_ring_error();
}

/*
 * The receive ring (ss_udp_receive_ring.c): the slots are the ring's own memory, handed to Java once
 * as a direct buffer that stays valid until closeReceiveRing on the same thread.
 */
JNIEXPORT jobject JNICALL Java_org_sipshield_jni_UdpNative_openReceiveRing(JNIEnv *env, jclass cls, jint slotSize,
        jint slots, jintArray eventFdOrError) {
    (void)cls;
    if (eventFdOrError == NULL || (*env)->GetArrayLength(env, eventFdOrError) < 1) return NULL;
    uint8_t *memory = NULL;
    int eventfd = -1;
    jint answer = ss_udp_receive_ring_open(slotSize, slots, &memory, &eventfd);
    jobject buffer = NULL;
    if (answer == 0) {
        buffer = (*env)->NewDirectByteBuffer(env, memory, (jlong)slotSize * (jlong)slots);
        if (buffer == NULL) {
            ss_udp_receive_ring_close();
            answer = -ENOMEM;
        } else {
            answer = eventfd;
        }
    }
    (*env)->SetIntArrayRegion(env, eventFdOrError, 0, 1, &answer);
    return buffer;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_closeReceiveRing(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return ss_udp_receive_ring_close();
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_listenOnRing(JNIEnv *env, jclass cls, jint fd, jint socketId) {
    (void)env; (void)cls;
    return ss_udp_receive_ring_listen(fd, socketId);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_forgetOnRing(JNIEnv *env, jclass cls, jint socketId) {
    (void)env; (void)cls;
    return ss_udp_receive_ring_forget(socketId);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_takeFromRing(JNIEnv *env, jclass cls, jintArray records,
        jint maxRecords) {
    (void)cls;
    if (records == NULL || maxRecords < 1) return -EINVAL;
    jint out[MAX_DATAGRAMS * SS_UDP_RING_RECORD_INTS];
    jsize length = (*env)->GetArrayLength(env, records);
    jint room = length / SS_UDP_RING_RECORD_INTS;
    if (room > maxRecords) room = maxRecords;
    if (room > MAX_DATAGRAMS) room = MAX_DATAGRAMS;
    if (room < 1) return -EINVAL;
    int n = ss_udp_receive_ring_take(out, sizeof out / sizeof out[0], room);
    if (n > 0) (*env)->SetIntArrayRegion(env, records, 0, n * SS_UDP_RING_RECORD_INTS, out);
    return n;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_waitOnRing(JNIEnv *env, jclass cls, jlong timeoutNanos) {
    (void)env; (void)cls;
    return ss_udp_receive_ring_wait(timeoutNanos);
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_giveBackToRing(JNIEnv *env, jclass cls, jintArray slots,
        jint count) {
    (void)cls;
    if (slots == NULL || count < 0 || count > (*env)->GetArrayLength(env, slots)) return -EINVAL;
    jint chunk[MAX_DATAGRAMS];
    int given = 0;
    for (jint at = 0; at < count; at += MAX_DATAGRAMS) {
        jint n = count - at < MAX_DATAGRAMS ? count - at : MAX_DATAGRAMS;
        (*env)->GetIntArrayRegion(env, slots, at, n, chunk);
        int rc = ss_udp_receive_ring_give_back(chunk, n);
        if (rc < 0) return rc;
        given += rc;
    }
    return given;
}
