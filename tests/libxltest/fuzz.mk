# libFuzzer targets (see Makefile.am and fuzz/README): built with clang
# only, by fuzz/run or the smoke test, never by plain make or make check's
# build.  Every target is instrumented for libFuzzer, AddressSanitizer
# (with LeakSanitizer) and UndefinedBehaviorSanitizer, and stops at the
# first undefined behaviour.
#
#   native-fuzz      xl.cfg / xm configuration to XML (native.mk)
#   xml2config-fuzz  domain XML to libxl_domain_config (libxl_build.c)
#   save-fuzz        save image header and XML (libxl_save.c)
#   status-fuzz      status XML and its private data (libxl_domain.c)
#
# The three driver targets link the whole module, compiled once with the
# same instrumentation into libxl-fuzz.a.

FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CPPFLAGS = $(LIBVIRT_INTERNAL_CPPFLAGS) -iquote $(top_srcdir)/src/libxl \
	-iquote $(srcdir) -iquote $(srcdir)/fuzz
FUZZ_CFLAGS = $(LIBVIRT_CFLAGS) $(GLIB_CFLAGS) $(LIBXML_CFLAGS)
FUZZ_LIBS = $(LIBVIRT_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS) $(XENLIGHT_LIBS)
FUZZ_TARGETS = native-fuzz xml2config-fuzz save-fuzz status-fuzz

# every source of the module (a glob: whatever the module gains later)
libxl-fuzz.a: $(top_srcdir)/src/libxl/*.c $(top_srcdir)/src/libxl/*.h \
		$(srcdir)/fuzz/fuzz-driver.c $(srcdir)/fuzz/fuzz-driver.h
	$(AM_V_GEN)rm -rf fuzz-obj && mkdir fuzz-obj && \
	for f in $(top_srcdir)/src/libxl/*.c $(srcdir)/fuzz/fuzz-driver.c; do \
		$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) \
			-c -o fuzz-obj/`basename $$f .c`.o $$f || exit 1; \
	done && rm -f $@ && ar rcs $@ fuzz-obj/*.o

# libxl_ctx_alloc without Xen (for libxl_domain_config_to_json): the
# mock's xc_interface_open/xs_open, exported to libxenlight
xml2config-fuzz: $(srcdir)/fuzz/xml2config-fuzz.c xml2config-mock.c \
		xml2config-params.c xml2config-params.h libxl-fuzz.a
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -rdynamic \
		-o $@ $(srcdir)/fuzz/xml2config-fuzz.c $(srcdir)/xml2config-mock.c \
		$(srcdir)/xml2config-params.c libxl-fuzz.a $(FUZZ_LIBS)

save-fuzz: $(srcdir)/fuzz/save-fuzz.c libxl-fuzz.a
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) \
		-o $@ $(srcdir)/fuzz/save-fuzz.c libxl-fuzz.a $(FUZZ_LIBS)

status-fuzz: $(srcdir)/fuzz/status-fuzz.c libxl-fuzz.a
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) \
		-o $@ $(srcdir)/fuzz/status-fuzz.c libxl-fuzz.a $(FUZZ_LIBS)

TESTS += fuzz-smoke.sh
EXTRA_DIST += fuzz fuzz-smoke.sh
CLEANFILES += $(FUZZ_TARGETS) libxl-fuzz.a
clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz-obj fuzz-out fuzz-smoke
.PHONY: clean-fuzz
