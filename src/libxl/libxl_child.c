/*
 * libxl_child.c: libxl's child processes next to libvirt's
 *
 * libxl forks children for some operations (bootloader, device model
 * helpers, save/restore/dump helpers); libvirtd forks its own (virCommand:
 * hook scripts, helpers) and reaps each of them synchronously with
 * waitpid(pid) in virProcessWait.  Neither may reap the other's children,
 * or the other loses its exit status ("unable to wait for process: No
 * child processes", the 2013 driver's bug when it reaped with
 * waitpid(-1)).
 *
 * The mode is libxl_sigchld_owner_libxl_always_selective_reap: libxl
 * installs its SIGCHLD handler for good and reaps only the pids it forked
 * (waitpid on each of its own children); the application reaps its own
 * children synchronously and does not use SIGCHLD, which is exactly what
 * libvirt does.  libxl wakes itself through its self-pipe, an fd it
 * registers through the osevent hooks (libxl_osevent.c), so its reaping runs
 * on libvirt's event loop.  The other modes do not fit:
 *   - libxl_sigchld_owner_libxl (the default) requires that the
 *     application have no children while libxl runs an operation;
 *   - libxl_sigchld_owner_libxl_always reaps every child of the process,
 *     libvirt's included;
 *   - libxl_sigchld_owner_mainloop needs the application to own SIGCHLD
 *     and reap for libxl, which libvirtd's event loop does not do.
 * libxl's handler asserts that nobody else installed one: libvirtd does
 * not handle SIGCHLD.
 *
 * setmode must be called before libxl has any child: right after the
 * context is created (libxlDriverConfigInit).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "libxl_child.h"

static const libxl_childproc_hooks libxlChildprocHooks = {
    .chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};


const libxl_childproc_hooks *
libxlChildHooks(void)
{
    return &libxlChildprocHooks;
}


void
libxlChildSetMode(libxl_ctx *ctx)
{
    libxl_childproc_setmode(ctx, &libxlChildprocHooks, NULL);
}
