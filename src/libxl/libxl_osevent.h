/*
 * libxl_osevent.h: libxl's event machinery on libvirt's event loop
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>
#include <libxl_event.h>

#include "internal.h"

/*
 * The bridge between one libxl_ctx and libvirt's event loop: it
 * implements libxl_osevent_hooks with virEventAddHandle and
 * virEventAddTimeout.  It is reference counted: its owner holds one
 * reference and every live registration record holds one, so the hooks'
 * user pointer stays valid until the last record is gone.
 */
typedef struct _libxlEventBridge libxlEventBridge;

/* What the bridge calls when an fd or a timeout fires; libxl's own
 * libxl_osevent_occurred_* unless a test substitutes them. */
typedef void (*libxlEventOccurredFdFunc)(libxl_ctx *ctx, void *for_libxl,
                                         int fd, short events, short revents);
typedef void (*libxlEventOccurredTimeoutFunc)(libxl_ctx *ctx, void *for_libxl);

libxlEventBridge *libxlEventBridgeNew(void);

/* Register the hooks on @ctx.  Call once, before any other libxl call on
 * @ctx (libxl_osevent_register_hooks may be called only once). */
void libxlEventBridgeAttach(libxlEventBridge *bridge, libxl_ctx *ctx);

/* Stop delivering occurrences to the ctx: call before libxl_ctx_free.
 * Callbacks already running finish first. */
void libxlEventBridgeDetach(libxlEventBridge *bridge);

void libxlEventBridgeUnref(libxlEventBridge *bridge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlEventBridge, libxlEventBridgeUnref);

/* for the unit tests */
const libxl_osevent_hooks *libxlEventBridgeHooks(void);
void libxlEventBridgeSetOccurred(libxlEventBridge *bridge,
                                 libxl_ctx *ctx,
                                 libxlEventOccurredFdFunc fdFunc,
                                 libxlEventOccurredTimeoutFunc timeoutFunc);
/* registration records alive now, across all bridges */
int libxlEventRegistrationsAlive(void);
int libxlEventBridgeRefs(libxlEventBridge *bridge);

int libxlEventPollToVir(short events);
short libxlEventVirToPoll(int events);
