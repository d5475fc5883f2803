/*
 * Batched UDP I/O for the media relay (see ss_udp.h). The message headers live on the C stack;
 * every offset, length and count a caller gives is checked against the memory it names before
 * the kernel sees a pointer, in 64-bit arithmetic so no int32 product or sum can wrap.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ss_udp.h"

static const uint8_t V4_MAPPED[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void words_from_bytes(const uint8_t b[16], int32_t *w) {
    for (int i = 0; i < 4; i++) {
        w[i] = (int32_t)(((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16)
                         | ((uint32_t)b[4 * i + 2] << 8) | (uint32_t)b[4 * i + 3]);
    }
}

static void bytes_from_words(const int32_t *w, uint8_t b[16]) {
    for (int i = 0; i < 4; i++) {
        uint32_t v = (uint32_t)w[i];
        b[4 * i] = (uint8_t)(v >> 24);
        b[4 * i + 1] = (uint8_t)(v >> 16);
        b[4 * i + 2] = (uint8_t)(v >> 8);
        b[4 * i + 3] = (uint8_t)v;
    }
}

/* port + words of a received sockaddr; other families (a UNIX socket's peer) report port 0 and ::. */
static void pack_source(const struct sockaddr_storage *ss, socklen_t len, int32_t *out) {
    uint8_t b[16] = { 0 };
    int32_t port = 0;
    if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(b, V4_MAPPED, 12);
        memcpy(b + 12, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
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
static socklen_t unpack_destination(const int32_t *port_and_words, struct sockaddr_storage *ss) {
    int32_t port = port_and_words[0];
    if (port <= 0 || port > 65535) return 0;
    uint8_t b[16];
    bytes_from_words(port_and_words + 1, b);
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

int ss_udp_receive(int fd, uint8_t *memory, int64_t capacity, int32_t offset, int32_t slot_size,
                   int32_t max_datagrams, int32_t *received, size_t received_ints) {
    if (fd < 0 || memory == NULL || received == NULL || capacity < 0 || offset < 0 || slot_size <= 0
            || max_datagrams < 1 || max_datagrams > SS_UDP_MAX_DATAGRAMS
            || (int64_t)offset + (int64_t)slot_size * max_datagrams > capacity
            || received_ints < (size_t)max_datagrams * SS_UDP_RECEIVED_INTS) {
        return -EINVAL;
    }
    struct mmsghdr msgs[SS_UDP_MAX_DATAGRAMS];
    struct iovec iov[SS_UDP_MAX_DATAGRAMS];
    struct sockaddr_storage from[SS_UDP_MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)max_datagrams);
    for (int i = 0; i < max_datagrams; i++) {
        iov[i].iov_base = memory + offset + (size_t)i * (size_t)slot_size;
        iov[i].iov_len = (size_t)slot_size;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = recvmmsg(fd, msgs, (unsigned)max_datagrams, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        int32_t *r = received + (size_t)i * SS_UDP_RECEIVED_INTS;
        /* the kernel cut a datagram longer than the slot: its tail is gone, it must not be forwarded */
        r[0] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? SS_UDP_TRUNCATED : (int32_t)msgs[i].msg_len;
        pack_source(&from[i], msgs[i].msg_hdr.msg_namelen, r + 1);
    }
    return n;
}

int ss_udp_send(int fd, const uint8_t *memory, int64_t capacity, const int32_t *records, size_t record_ints,
                int32_t count) {
    if (fd < 0 || memory == NULL || records == NULL || capacity < 0 || count < 0 || count > SS_UDP_MAX_DATAGRAMS
            || record_ints < (size_t)count * SS_UDP_SENT_INTS) {
        return -EINVAL;
    }
    if (count == 0) return 0;
    struct mmsghdr msgs[SS_UDP_MAX_DATAGRAMS];
    struct iovec iov[SS_UDP_MAX_DATAGRAMS];
    struct sockaddr_storage to[SS_UDP_MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)count);
    /* only well-formed records go out; the others are skipped (and not counted as sent) */
    int ready = 0;
    for (int i = 0; i < count; i++) {
        const int32_t *d = records + (size_t)i * SS_UDP_SENT_INTS;
        int64_t off = d[0], len = d[1];
        if (off < 0 || len < 0 || off + len > capacity) continue;
        socklen_t tolen = unpack_destination(d + 2, &to[ready]);
        if (tolen == 0) continue;
        /* sendmmsg only reads the datagram: the iovec's pointer is not const, the memory is */
        iov[ready].iov_base = (void *)(uintptr_t)(memory + off);
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
