/*
 * The handle table's promise (ss_handles.h), checked in C under ASan and UBSan by `make sanitize`:
 * a closed handle, a handle whose slot was reused, a raw pointer and small or negative numbers
 * find no session, and taking a handle twice takes nothing the second time. Under ASan a lookup
 * that touched freed memory would be a report, not a lucky read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ss_handles.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return 1; } } while (0)

static ss_session *session(void) {
    static uint8_t key[16], salt[12];
    ss_params p = { SS_AEAD_AES_128_GCM, SS_OUTBOUND, key, 16, salt, 12, NULL, 0, 128 };
    ss_session *s = NULL;
    if (ss_openssl_create(&p, &s) != SS_OK) {
        fprintf(stderr, "cannot create a session\n");
        exit(2);
    }
    return s;
}

int main(void) {
    ss_session *a = session();
    int64_t ha = ss_handle_register(a);
    CHECK(ha > 0, "a handle must be > 0, got %lld", (long long)ha);
    CHECK(ss_handle_get(ha) == a, "a live handle finds its session");

    ss_session *taken = ss_handle_take(ha);
    CHECK(taken == a, "take returns the session to destroy");
    a->ops->destroy(a);
    CHECK(ss_handle_get(ha) == NULL, "a closed handle finds nothing");
    CHECK(ss_handle_take(ha) == NULL, "a closed handle cannot be taken twice");

    /* the freed slot is reused with another generation: the old handle still finds nothing */
    ss_session *b = session();
    int64_t hb = ss_handle_register(b);
    CHECK(hb > 0 && hb != ha, "a reused slot gets a new handle");
    CHECK((hb & 0xffffffff) == (ha & 0xffffffff), "the freed slot was reused (the case under test)");
    CHECK(ss_handle_get(ha) == NULL, "a stale handle does not find the slot's new session");
    CHECK(ss_handle_get(hb) == b, "the new handle finds its session");

    int64_t made_up[] = {0, 1, 2, -1, INT64_MIN, INT64_MAX, (int64_t)(intptr_t)b, hb + 1, hb ^ ((int64_t)1 << 32),
                         (hb & 0xffffffff) | ((int64_t)0x7fffffff << 32)};
    for (size_t i = 0; i < sizeof made_up / sizeof made_up[0]; i++) {
        CHECK(ss_handle_get(made_up[i]) == NULL, "a made-up handle %lld finds a session", (long long)made_up[i]);
        CHECK(ss_handle_take(made_up[i]) == NULL, "a made-up handle %lld takes a session", (long long)made_up[i]);
    }
    CHECK(ss_handle_take(hb) == b, "made-up handles left the live one alone");
    b->ops->destroy(b);
    printf("handles: closed, stale, made-up and pointer handles find no session\n");
    return 0;
}
