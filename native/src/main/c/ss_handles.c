/*
 * The handle table (ss_handles.h). Slots live in chunks allocated on first need and never freed,
 * so a lookup reads a chunk pointer and a slot without a lock, whatever other threads register.
 * A handle is generation << 32 | slot index; generations start at 1 and skip 0, so a handle is
 * always > 0 (Java reads <= 0 as a status) and 0, small numbers and raw pointers match no slot.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ss_handles.h"

#define CHUNK_SLOTS 4096
#define MAX_CHUNKS 1024          /* 4 Mi live sessions */
#define NO_SLOT UINT32_MAX

typedef struct {
    _Atomic(ss_session *) session;
    _Atomic uint32_t generation;  /* 31 bits, never 0 */
    uint32_t next_free;           /* under the lock */
} slot;

static _Atomic(slot *) chunks[MAX_CHUNKS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t used;            /* slots ever handed out */
static uint32_t free_head = NO_SLOT;

static slot *slot_at(uint32_t index) {
    if (index >= (uint32_t)CHUNK_SLOTS * MAX_CHUNKS) return NULL;
    slot *c = atomic_load_explicit(&chunks[index / CHUNK_SLOTS], memory_order_acquire);
    return c == NULL ? NULL : &c[index % CHUNK_SLOTS];
}

int64_t ss_handle_register(ss_session *s) {
    pthread_mutex_lock(&lock);
    uint32_t index;
    slot *sl;
    if (free_head != NO_SLOT) {
        index = free_head;
        sl = slot_at(index);
        free_head = sl->next_free;
    } else {
        if (used >= (uint32_t)CHUNK_SLOTS * MAX_CHUNKS) {
            pthread_mutex_unlock(&lock);
            return -SS_INTERNAL_ERROR;
        }
        index = used;
        if (index % CHUNK_SLOTS == 0) {
            slot *c = calloc(CHUNK_SLOTS, sizeof(slot));
            if (c == NULL) {
                pthread_mutex_unlock(&lock);
                return -SS_INTERNAL_ERROR;
            }
            for (int i = 0; i < CHUNK_SLOTS; i++) atomic_init(&c[i].generation, 1);
            atomic_store_explicit(&chunks[index / CHUNK_SLOTS], c, memory_order_release);
        }
        used++;
        sl = slot_at(index);
    }
    uint32_t gen = atomic_load_explicit(&sl->generation, memory_order_relaxed);
    atomic_store_explicit(&sl->session, s, memory_order_release);
    pthread_mutex_unlock(&lock);
    return (int64_t)((uint64_t)gen << 32 | index);
}

ss_session *ss_handle_get(int64_t handle) {
    if (handle <= 0) return NULL;
    slot *sl = slot_at((uint32_t)handle);
    if (sl == NULL || atomic_load_explicit(&sl->generation, memory_order_acquire) != (uint64_t)handle >> 32) {
        return NULL;
    }
    return atomic_load_explicit(&sl->session, memory_order_acquire);
}

ss_session *ss_handle_take(int64_t handle) {
    if (handle <= 0) return NULL;
    pthread_mutex_lock(&lock);
    ss_session *s = NULL;
    slot *sl = slot_at((uint32_t)handle);
    if (sl != NULL && atomic_load_explicit(&sl->generation, memory_order_relaxed) == (uint64_t)handle >> 32
            && (s = atomic_load_explicit(&sl->session, memory_order_relaxed)) != NULL) {
        atomic_store_explicit(&sl->session, NULL, memory_order_release);
        uint32_t next = (atomic_load_explicit(&sl->generation, memory_order_relaxed) + 1) & 0x7fffffffu;
        atomic_store_explicit(&sl->generation, next == 0 ? 1 : next, memory_order_release);
        sl->next_free = free_head;
        free_head = (uint32_t)handle;
    }
    pthread_mutex_unlock(&lock);
    return s;
}
