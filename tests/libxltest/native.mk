# native config tests (see Makefile.am): xl.cfg / xm configuration to and
# from domain XML.  The converter's sources are compiled into the test
# directly; the driver module links them through src/libxl/Makefile.am.
# libxl_validate.c and libxl_build.c (not ours) are the driver's parser
# configuration and xen XML namespace, which the expected XML depends on.

NATIVE_SRCS = \
	$(top_srcdir)/src/libxl/libxl_native.c \
	$(top_srcdir)/src/libxl/libxl_native.h \
	$(top_srcdir)/src/libxl/libxl_native_xl.c \
	$(top_srcdir)/src/libxl/libxl_native_xl.h \
	$(top_srcdir)/src/libxl/libxl_native_xm.c \
	$(top_srcdir)/src/libxl/libxl_native_xm.h \
	$(top_srcdir)/src/libxl/libxl_validate.c \
	$(top_srcdir)/src/libxl/libxl_validate.h \
	$(top_srcdir)/src/libxl/libxl_build.c \
	$(top_srcdir)/src/libxl/libxl_build.h

NATIVE_CPPFLAGS = $(LIBVIRT_INTERNAL_CPPFLAGS) -iquote $(top_srcdir)/src/libxl -iquote $(srcdir)
NATIVE_CFLAGS = $(LIBVIRT_CFLAGS) $(GLIB_CFLAGS) $(LIBXML_CFLAGS)
NATIVE_LIBS = $(LIBVIRT_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS) $(XENLIGHT_LIBS)

check_PROGRAMS += native-test
TESTS += native-test

native_test_SOURCES = native-test.c native-testutils.c native-testutils.h $(NATIVE_SRCS)
native_test_CPPFLAGS = $(NATIVE_CPPFLAGS)
native_test_CFLAGS = $(XL_WARN_CFLAGS) $(NATIVE_CFLAGS) $(CHECK_CFLAGS)
native_test_LDADD = $(NATIVE_LIBS) $(CHECK_LIBS)

# The libFuzzer target (fuzz.mk): built with clang only, by fuzz/run or
# the smoke test.
native-fuzz: $(srcdir)/fuzz/native-fuzz.c native-testutils.c $(NATIVE_SRCS)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(NATIVE_CPPFLAGS) $(NATIVE_CFLAGS) \
		-o $@ $(srcdir)/fuzz/native-fuzz.c $(srcdir)/native-testutils.c \
		$(filter %.c,$(NATIVE_SRCS)) $(NATIVE_LIBS)

EXTRA_DIST += nativedata
clean-local: clean-native
clean-native:
	rm -rf native-out
.PHONY: clean-native
