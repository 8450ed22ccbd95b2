/*
 * libxl_driver.h: the Xen libxenlight driver's entry point
 */
#pragma once

int libxlRegister(void);
