/*
 * libxl_driver.c: the Xen libxenlight driver's entry points (placeholder)
 */
#include <config.h>

#include "internal.h"
#include "libxl_driver.h"

int
libxlRegister(void)
{
    return 0;
}
