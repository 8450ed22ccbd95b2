/*
 * native-testutils.h: capabilities and XML options for the native
 * configuration tests and fuzz target
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "capabilities.h"
#include "domain_conf.h"

virCaps *libxlNativeTestCapsNew(void);
virDomainXMLOption *libxlNativeTestXMLOptionNew(void);
