/*
 * The real-time event loops' watchdog (org.sipshield.jni.LoopWatchdog): a thread of its own, outside the
 * JVM, under SCHED_FIFO one priority above the loops it watches.
 *
 * A loop under SCHED_FIFO that waits, spinning, for a thread at normal priority on its own CPU waits
 * for ever: the thread it waits for cannot run until the loop stops, and the loop stops only when the
 * kernel's real-time throttling takes its CPU away (sched_rt_runtime_us: 950 ms of every second).
 * HotSpot makes such waits: a loop that calls a method the JIT is just replacing bounces through
 * SharedRuntime::handle_wrong_method until the compiler thread has installed the new code, and the
 * benchmark caught a loop doing exactly that for a whole second, every packet of its calls lost
 * (bench/media-results.md, 2026-12-04 night). So this thread looks at every loop each period: a loop
 * that has run flat out (90% of its CPU or more) for stuckNanos without progress (a socket read or a
 * finished wake-up: a busy loop reads a socket every few microseconds) goes to normal priority, where
 * the thread it waits for gets its turn, and takes SCHED_FIFO again as soon as it progresses. Being native it never waits for the JVM itself: no safepoint, no JIT, no GC.
 *
 * Each loop shares a few words of direct memory with it (written with atomics on both sides):
 *   [0] the loop's progress, a count (the loop writes it), [1] how many times the loop was let down,
 *   [2] the longest such stall, [3] the last one, in nanoseconds (this thread writes them).
 * The loops' scheduling (what they want, whether the watchdog has let them down) is set under one
 * mutex, by this thread and by the loops' budgets alike, so neither undoes the other. A loop wants one
 * of three: SCHED_FIFO; the fair scheduler at nice -20, where its budget sends it when it is busy nearly
 * all the time (it keeps some 99% of its CPU against a normal thread that wants all of it, and that
 * thread still runs); or the fair scheduler at nice 0 (the warm-up). A let-down loop runs at nice 0,
 * whichever it wants: the thread it waits for gets half of the CPU. Not nice 19, tried: the thread it
 * waited for then had the CPU at once, but a let-down loop that had to share its CPU with another busy
 * thread afterwards got a sixtieth of it, and one let-down in the benchmark lasted 104 ms. The watchdog
 * watches a loop at nice -20 as it watches one under SCHED_FIFO: a normal thread gets about a
 * hundredth of the CPU against it. Where the process may not lower a nice value (no CAP_SYS_NICE, only
 * an RLIMIT_RTPRIO), the budget's loops use nice 0 instead of -20.
 */
#include <errno.h>
#include <jni.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "org_sipshield_jni_LoopWatchdog.h"

#define MAX_LOOPS 256
#define SHARED_PROGRESS 0
#define SHARED_LET_DOWN 1
#define SHARED_LONGEST 2
#define SHARED_LAST 3

_Static_assert(org_sipshield_jni_LoopWatchdog_PROGRESS == SHARED_PROGRESS * 8, "PROGRESS differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_LET_DOWN == SHARED_LET_DOWN * 8, "LET_DOWN differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_LONGEST_STALL_NANOS == SHARED_LONGEST * 8, "LONGEST_STALL_NANOS differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_LAST_STALL_NANOS == SHARED_LAST * 8, "LAST_STALL_NANOS differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_SHARED_BYTES == 4 * 8, "SHARED_BYTES differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_REALTIME == 0, "REALTIME differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_FAIR_FIRST == 1, "FAIR_FIRST differs");
_Static_assert(org_sipshield_jni_LoopWatchdog_FAIR == 2, "FAIR differs");

enum wanted { WANT_REALTIME = 0, WANT_FAIR_FIRST = 1, WANT_FAIR = 2 };
#define NICE_FIRST (-20)

typedef struct {
    pid_t tid;
    clockid_t cpu_clock;
    _Atomic int64_t *shared;
    /* guarded by the watchdog's mutex */
    int wants;      /* enum wanted */
    int let_down;
    int may_renice; /* the process may lower this thread's nice value again */
    /* the watchdog thread's alone */
    int64_t last_progress;
    int64_t last_cpu;
    int64_t last_wall;
    int64_t flat_out_since;
} watched_loop;

typedef struct {
    pthread_t thread;
    pthread_mutex_t mutex;
    int loop_priority;
    int64_t period_ns;
    int64_t stuck_ns;
    atomic_int stop;
    atomic_int count;
    watched_loop loops[MAX_LOOPS];
} watchdog;

static int64_t nanos(clockid_t clock) {
    struct timespec t;
    if (clock_gettime(clock, &t) != 0) return -1;
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* sched_setattr(2)'s first version (SCHED_ATTR_SIZE_VER0); <linux/sched/types.h> clashes with <sched.h> */
struct loop_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};
_Static_assert(sizeof(struct loop_sched_attr) == 48, "sched_attr VER0 is 48 octets");

/* One call for every scheduling a loop gets; under SCHED_FIFO the kernel keeps the nice value as it was. */
static int set_scheduling(pid_t tid, uint32_t policy, uint32_t priority, int nice) {
    struct loop_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = policy;
    attr.sched_priority = priority;
    attr.sched_nice = nice;
    return syscall(SYS_sched_setattr, tid, &attr, 0) == 0 ? 0 : -errno;
}

/* Sets the loop's scheduling from what it wants and whether it is let down; the caller holds the mutex. */
static int apply(const watchdog *w, const watched_loop *l) {
    if (l->let_down || l->wants == WANT_FAIR) return set_scheduling(l->tid, SCHED_OTHER, 0, 0);
    if (l->wants == WANT_FAIR_FIRST) return set_scheduling(l->tid, SCHED_OTHER, 0, l->may_renice ? NICE_FIRST : 0);
    return set_scheduling(l->tid, SCHED_FIFO, (uint32_t)w->loop_priority, 0);
}

static void check(watchdog *w, watched_loop *l) {
    int64_t progress = atomic_load_explicit(&l->shared[SHARED_PROGRESS], memory_order_acquire);
    int64_t cpu = nanos(l->cpu_clock);
    int64_t now = nanos(CLOCK_MONOTONIC);
    if (cpu < 0 || now < 0) return; /* the loop's thread has ended: its relay is closing */
    int64_t busy = cpu - l->last_cpu;
    int64_t span = now - l->last_wall;
    l->last_cpu = cpu;
    l->last_wall = now;
    if (progress != l->last_progress) {
        l->last_progress = progress;
        if (l->let_down) {
            int64_t stall = now - l->flat_out_since;
            pthread_mutex_lock(&w->mutex);
            l->let_down = 0;
            apply(w, l);
            pthread_mutex_unlock(&w->mutex);
            atomic_store_explicit(&l->shared[SHARED_LAST], stall, memory_order_relaxed);
            if (stall > atomic_load_explicit(&l->shared[SHARED_LONGEST], memory_order_relaxed)) {
                atomic_store_explicit(&l->shared[SHARED_LONGEST], stall, memory_order_relaxed);
            }
            atomic_fetch_add_explicit(&l->shared[SHARED_LET_DOWN], 1, memory_order_release);
        }
        l->flat_out_since = now;
        return;
    }
    if (l->let_down) return; /* at nice 0 it shares its CPU: only progress counts now */
    if (busy * 10 < span * 9) {
        /* not flat out: it sleeps, or something above it runs; no wait on a lower thread */
        l->flat_out_since = now;
        return;
    }
    if (now - l->flat_out_since >= w->stuck_ns) {
        pthread_mutex_lock(&w->mutex);
        if (l->wants != WANT_FAIR) {
            l->let_down = 1;
            apply(w, l);
        }
        pthread_mutex_unlock(&w->mutex);
    }
}

static void *watch_loops(void *arg) {
    watchdog *w = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!atomic_load_explicit(&w->stop, memory_order_acquire)) {
        next.tv_nsec += w->period_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        int64_t now = nanos(CLOCK_MONOTONIC);
        if (now - ((int64_t)next.tv_sec * 1000000000LL + next.tv_nsec) > w->period_ns) {
            /* overslept (a suspended machine): the next period starts now, not in the past */
            next.tv_sec = now / 1000000000LL;
            next.tv_nsec = now % 1000000000LL;
        }
        int n = atomic_load_explicit(&w->count, memory_order_acquire);
        for (int i = 0; i < n; i++) check(w, &w->loops[i]);
    }
    return NULL;
}

JNIEXPORT jlong JNICALL Java_org_sipshield_jni_LoopWatchdog_start(JNIEnv *env, jclass cls, jint loopPriority,
                                                                  jlong periodNanos, jlong stuckNanos) {
    (void)env; (void)cls;
    if (loopPriority < 1 || loopPriority > 98 || periodNanos <= 0 || periodNanos >= 1000000000LL || stuckNanos <= 0) {
        return -EINVAL;
    }
    watchdog *w = calloc(1, sizeof *w);
    if (w == NULL) return -ENOMEM;
    w->loop_priority = loopPriority;
    w->period_ns = periodNanos;
    w->stuck_ns = stuckNanos;
    pthread_mutex_init(&w->mutex, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    struct sched_param param;
    memset(&param, 0, sizeof param);
    param.sched_priority = loopPriority + 1;
    pthread_attr_setschedparam(&attr, &param);
    int created = pthread_create(&w->thread, &attr, watch_loops, w);
    pthread_attr_destroy(&attr);
    if (created != 0) {
        pthread_mutex_destroy(&w->mutex);
        free(w);
        return -created; /* EPERM: no root, no CAP_SYS_NICE */
    }
    pthread_setname_np(w->thread, "media-watchdog");
    return (jlong)(intptr_t)w;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_LoopWatchdog_watchThisThread(JNIEnv *env, jclass cls, jlong handle,
                                                                           jobject shared) {
    (void)cls;
    watchdog *w = (watchdog *)(intptr_t)handle;
    _Atomic int64_t *words = (*env)->GetDirectBufferAddress(env, shared);
    if (words == NULL || (*env)->GetDirectBufferCapacity(env, shared) < 4 * (jlong)sizeof(int64_t)
            || ((uintptr_t)words % sizeof(int64_t)) != 0) {
        return -EINVAL;
    }
    clockid_t cpu_clock;
    if (pthread_getcpuclockid(pthread_self(), &cpu_clock) != 0) return -EINVAL;
    pthread_mutex_lock(&w->mutex);
    int slot = atomic_load_explicit(&w->count, memory_order_relaxed);
    if (slot == MAX_LOOPS) {
        pthread_mutex_unlock(&w->mutex);
        return -ENOSPC;
    }
    watched_loop *l = &w->loops[slot];
    l->tid = (pid_t)syscall(SYS_gettid);
    l->cpu_clock = cpu_clock;
    l->shared = words;
    l->wants = WANT_REALTIME;
    l->let_down = 0;
    /* a thread may lower its own nice value back only with CAP_SYS_NICE or an RLIMIT_NICE for it */
    l->may_renice = set_scheduling(l->tid, SCHED_OTHER, 0, NICE_FIRST) == 0
                    && set_scheduling(l->tid, SCHED_OTHER, 0, 0) == 0;
    l->last_progress = atomic_load_explicit(&words[SHARED_PROGRESS], memory_order_relaxed);
    l->last_cpu = nanos(cpu_clock);
    l->last_wall = nanos(CLOCK_MONOTONIC);
    l->flat_out_since = l->last_wall;
    int result = apply(w, l);
    if (result == 0) {
        /* published last: the watchdog thread reads a slot only once count covers it */
        atomic_store_explicit(&w->count, slot + 1, memory_order_release);
    }
    pthread_mutex_unlock(&w->mutex);
    return result == 0 ? slot : result;
}

JNIEXPORT jint JNICALL Java_org_sipshield_jni_LoopWatchdog_want(JNIEnv *env, jclass cls, jlong handle, jint slot,
                                                                jint scheduling) {
    (void)env; (void)cls;
    watchdog *w = (watchdog *)(intptr_t)handle;
    if (slot < 0 || slot >= atomic_load_explicit(&w->count, memory_order_acquire)) return -EINVAL;
    if (scheduling != WANT_REALTIME && scheduling != WANT_FAIR_FIRST && scheduling != WANT_FAIR) return -EINVAL;
    pthread_mutex_lock(&w->mutex);
    watched_loop *l = &w->loops[slot];
    l->wants = scheduling;
    int result = apply(w, l);
    pthread_mutex_unlock(&w->mutex);
    return result;
}

JNIEXPORT void JNICALL Java_org_sipshield_jni_LoopWatchdog_stop(JNIEnv *env, jclass cls, jlong handle) {
    (void)env; (void)cls;
    watchdog *w = (watchdog *)(intptr_t)handle;
    atomic_store_explicit(&w->stop, 1, memory_order_release);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mutex);
    free(w);
}
