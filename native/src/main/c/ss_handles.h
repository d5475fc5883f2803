/*
 * Session handles: what Java holds instead of a pointer. A handle names a slot of a table and the
 * generation the slot had when the session was put there; closing a session empties the slot and
 * bumps its generation, so a closed handle, a handle from another run or any other number finds
 * no session and the call answers SS_BAD_ARGUMENT instead of touching freed or foreign memory.
 *
 * This guards against a handle used after close on the same thread, or made up; it is no lock:
 * a session is still used by one thread at a time, and closed by that thread or after it.
 */
#ifndef SIPSHIELD_SS_HANDLES_H
#define SIPSHIELD_SS_HANDLES_H

#include <stdint.h>
#include "ss_core.h"

/* A handle (> 0) for the session, or -SS_INTERNAL_ERROR when the table is full or out of memory. */
SS_EXPORT int64_t ss_handle_register(ss_session *s);  /* exported: the test library's sessions too */
/* The session of a live handle, or NULL. Lock-free and allocation-free: the packet path's lookup. */
ss_session *ss_handle_get(int64_t handle);
/* Empties the handle's slot and returns its session for the caller to destroy, or NULL if the
 * handle is not live (already closed, or never made here). */
ss_session *ss_handle_take(int64_t handle);

#endif
