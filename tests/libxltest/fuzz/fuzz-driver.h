/*
 * fuzz-driver.h: what the libFuzzer targets of the driver share
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "libxl_conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libvirt initialised, errors not printed, and a driver with its own
 * domain XML options (libxlDomainXMLConfNew: parser configuration,
 * private data, xen namespace) and nothing else: no libxl, no host */
libxlDriverPrivate *libxlFuzzDriverNew(void);

/* A memory file holding @data, and its name (/proc/self/fd/N) in @path:
 * what the parsers that read files read.  The fd, closed by the caller. */
int libxlFuzzMemFile(const uint8_t *data, size_t size, char **path);

/* Whether @data is an XML that libvirt 9.0.0's own parser (libvirt.so,
 * not this module) mishandles: <numa> distances it refuses (an out of
 * bounds write), a <listen fromConfig> that is not a number (a leak),
 * a <vcpu> count of more than 4 digits (out of memory); fuzz/README, "Findings".  The targets skip those, or the fuzzer finds
 * nothing else. */
bool libxlFuzzLibvirtKnownBug(const uint8_t *data, size_t size);
