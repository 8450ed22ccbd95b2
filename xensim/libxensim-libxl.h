/*
 * libxensim-libxl.h: what libxensim's libxl part shares with its stubs
 */
#pragma once

#include <libxl.h>

void xensimLibxlUnimplemented(libxl_ctx *ctx, const char *func);
