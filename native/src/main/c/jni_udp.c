/*
 * JNI: non-blocking UDP sockets for the media relay, read and written in batches (recvmmsg /
 * sendmmsg) straight from and into caller-owned direct memory. Nothing here creates a Java object
 * or allocates: the message headers live on the C stack, each datagram's length and source go
 * back as ints into the caller's int[] (copied, never pinned).
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

#define MAX_DATAGRAMS org_sipshield_jni_UdpNative_MAX_DATAGRAMS
#define RECEIVED_INTS org_sipshield_jni_UdpNative_RECEIVED_INTS
#define SENT_INTS org_sipshield_jni_UdpNative_SENT_INTS

_Static_assert(RECEIVED_INTS == 6, "received record: length, port, 4 address words");
_Static_assert(SENT_INTS == 7, "sent record: offset, length, port, 4 address words");

static const uint8_t V4_MAPPED[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void words_from_bytes(const uint8_t b[16], jint *w) {
    for (int i = 0; i < 4; i++) {
        w[i] = (jint)(((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16) | ((uint32_t)b[4 * i + 2] << 8)
                      | (uint32_t)b[4 * i + 3]);
    }
}

static void bytes_from_words(const jint *w, uint8_t b[16]) {
    for (int i = 0; i < 4; i++) {
        uint32_t v = (uint32_t)w[i];
        b[4 * i] = (uint8_t)(v >> 24);
        b[4 * i + 1] = (uint8_t)(v >> 16);
        b[4 * i + 2] = (uint8_t)(v >> 8);
        b[4 * i + 3] = (uint8_t)v;
    }
}

/* port + words of a received sockaddr; unknown families report port 0 and ::. */
static void pack_source(const struct sockaddr_storage *ss, jint *out) {
    uint8_t b[16] = { 0 };
    jint port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(b, V4_MAPPED, 12);
        memcpy(b + 12, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        memcpy(b, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
    }
    out[0] = port;
    words_from_bytes(b, out + 1);
}

/*
 * The sockaddr of a destination: an IPv4-mapped address as AF_INET, any other as AF_INET6; 0 if the
 * port is impossible. Which family the socket can reach is the kernel's to say (it refuses the other
 * with EAFNOSUPPORT and that datagram is skipped): asking the socket its family here would cost a
 * getsockname per burst, one system call more per packet when each socket sends one.
 */
static socklen_t unpack_destination(const jint *port_and_words, struct sockaddr_storage *ss) {
    uint8_t b[16];
    bytes_from_words(port_and_words + 1, b);
    jint port = port_and_words[0];
    if (port <= 0 || port > 65535) return 0;
    memset(ss, 0, sizeof *ss);
    if (memcmp(b, V4_MAPPED, 12) == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, b + 12, 4);
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    memcpy(&in6->sin6_addr, b, 16);
    return sizeof *in6;
}

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

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_receive(JNIEnv *env, jclass cls, jint fd, jobject memory,
        jint offset, jint slotSize, jint maxDatagrams, jintArray received) {
    (void)cls;
    if (fd < 0 || memory == NULL || received == NULL || offset < 0 || slotSize <= 0 || maxDatagrams < 1
            || maxDatagrams > MAX_DATAGRAMS) {
        return -EINVAL;
    }
    uint8_t *base = (*env)->GetDirectBufferAddress(env, memory);
    jlong total = (*env)->GetDirectBufferCapacity(env, memory);
    if (base == NULL || (jlong)offset + (jlong)slotSize * maxDatagrams > total
            || (*env)->GetArrayLength(env, received) < maxDatagrams * RECEIVED_INTS) {
        return -EINVAL;
    }
    struct mmsghdr msgs[MAX_DATAGRAMS];
    struct iovec iov[MAX_DATAGRAMS];
    struct sockaddr_storage from[MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)maxDatagrams);
    for (int i = 0; i < maxDatagrams; i++) {
        iov[i].iov_base = base + offset + (size_t)i * (size_t)slotSize;
        iov[i].iov_len = (size_t)slotSize;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = recvmmsg(fd, msgs, (unsigned)maxDatagrams, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    jint out[MAX_DATAGRAMS * RECEIVED_INTS];
    for (int i = 0; i < n; i++) {
        jint *r = out + i * RECEIVED_INTS;
        /* the kernel cut a datagram longer than the slot: its tail is gone, it must not be forwarded */
        r[0] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? org_sipshield_jni_UdpNative_TRUNCATED : (jint)msgs[i].msg_len;
        pack_source(&from[i], r + 1);
    }
    (*env)->SetIntArrayRegion(env, received, 0, n * RECEIVED_INTS, out);
    return n;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_UdpNative_send(JNIEnv *env, jclass cls, jint fd, jobject memory,
        jintArray datagrams, jint count) {
    (void)cls;
    if (fd < 0 || memory == NULL || datagrams == NULL || count < 0 || count > MAX_DATAGRAMS
            || (*env)->GetArrayLength(env, datagrams) < count * SENT_INTS) {
        return -EINVAL;
    }
    uint8_t *base = (*env)->GetDirectBufferAddress(env, memory);
    jlong total = (*env)->GetDirectBufferCapacity(env, memory);
    if (base == NULL || total < 0) return -EINVAL;
    if (count == 0) return 0;
    jint in[MAX_DATAGRAMS * SENT_INTS];
    (*env)->GetIntArrayRegion(env, datagrams, 0, count * SENT_INTS, in);
    struct mmsghdr msgs[MAX_DATAGRAMS];
    struct iovec iov[MAX_DATAGRAMS];
    struct sockaddr_storage to[MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)count);
    /* only well-formed records go out; the others are skipped (and not counted as sent) */
    int ready = 0;
    for (int i = 0; i < count; i++) {
        const jint *d = in + i * SENT_INTS;
        jlong off = d[0], len = d[1];
        if (off < 0 || len < 0 || off + len > total) continue;
        socklen_t tolen = unpack_destination(d + 2, &to[ready]);
        if (tolen == 0) continue;
        iov[ready].iov_base = base + off;
        iov[ready].iov_len = (size_t)len;
        msgs[ready].msg_hdr.msg_name = &to[ready];
        msgs[ready].msg_hdr.msg_namelen = tolen;
        msgs[ready].msg_hdr.msg_iov = &iov[ready];
        msgs[ready].msg_hdr.msg_iovlen = 1;
        ready++;
    }
    int sent = 0;
    int done = 0;
    while (done < ready) {
        int n = sendmmsg(fd, msgs + done, (unsigned)(ready - done), 0);
        if (n > 0) {
            sent += n;
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break; /* socket buffer full: the rest is lost, as a router would drop it */
        } else {
            done++; /* this one failed (unreachable, refused): the next may still go */
        }
    }
    return sent;
}
