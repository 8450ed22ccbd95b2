# driver tests (see Makefile.am): Check unit tests and data-driven tests of
# src/libxl, linked with the driver's convenience library.

DRIVER_TEST_CPPFLAGS = $(LIBVIRT_INTERNAL_CPPFLAGS) -I$(top_srcdir)/src/libxl \
	-DLIBXL_TEST_SRCDIR='"$(abs_srcdir)"' \
	-DLIBXL_TEST_MODULE='"$(abs_top_builddir)/src/libxl/.libs/libvirt_driver_libxl.so"'
DRIVER_TEST_CFLAGS = $(XL_WARN_CFLAGS) -Wno-redundant-decls \
	$(LIBVIRT_CFLAGS) $(GLIB_CFLAGS) $(LIBXML_CFLAGS) $(CHECK_CFLAGS)
DRIVER_TEST_LDADD = $(top_builddir)/src/libxl/libvirt_driver_libxl_impl.la \
	$(LIBVIRT_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS) $(XENLIGHT_LIBS) $(CHECK_LIBS)
DRIVER_TEST_UTILS = libxl_testutils.c libxl_testutils.h

DRIVER_TESTS = libxl_caps_test libxl_unit_test libxl_lifecycle_test driver_module_test
TESTS += $(DRIVER_TESTS) driver-schema-test.sh
check_PROGRAMS += $(DRIVER_TESTS)

libxl_caps_test_SOURCES = libxl_caps_test.c $(DRIVER_TEST_UTILS)
libxl_caps_test_CPPFLAGS = $(DRIVER_TEST_CPPFLAGS)
libxl_caps_test_CFLAGS = $(DRIVER_TEST_CFLAGS)
libxl_caps_test_LDADD = $(DRIVER_TEST_LDADD)

libxl_unit_test_SOURCES = libxl_unit_test.c $(DRIVER_TEST_UTILS)
libxl_unit_test_CPPFLAGS = $(DRIVER_TEST_CPPFLAGS)
libxl_unit_test_CFLAGS = $(DRIVER_TEST_CFLAGS)
libxl_unit_test_LDADD = $(DRIVER_TEST_LDADD)

libxl_lifecycle_test_SOURCES = libxl_lifecycle_test.c $(DRIVER_TEST_UTILS)
libxl_lifecycle_test_CPPFLAGS = $(DRIVER_TEST_CPPFLAGS)
libxl_lifecycle_test_CFLAGS = $(DRIVER_TEST_CFLAGS)
libxl_lifecycle_test_LDADD = $(DRIVER_TEST_LDADD)

# the QMP client against xensimd's device model: libxensim comes first,
# as libvirtd has it preloaded (libxl calls, connect() to /var/run/xen)
DRIVER_TESTS += libxl_qmp_test
libxl_qmp_test_SOURCES = libxl_qmp_test.c
libxl_qmp_test_CPPFLAGS = $(DRIVER_TEST_CPPFLAGS)
libxl_qmp_test_CFLAGS = $(DRIVER_TEST_CFLAGS)
libxl_qmp_test_LDADD = $(top_builddir)/xensim/libxensim.la $(DRIVER_TEST_LDADD) \
	-lxentoollog

# the built module loads on its own: every import resolves
driver_module_test_SOURCES = driver_module_test.c
driver_module_test_CPPFLAGS = $(DRIVER_TEST_CPPFLAGS)
driver_module_test_CFLAGS = $(DRIVER_TEST_CFLAGS)
driver_module_test_LDADD = $(LIBVIRT_LIBS) $(CHECK_LIBS) $(GLIB_LIBS) -ldl

EXTRA_DIST += libxlcapsdata libxldomcapsdata libxlconfdata driver-schema-test.sh

# make check-driver-valgrind: the unit tests under valgrind
check-driver-valgrind: $(DRIVER_TESTS)
	@for t in libxl_caps_test libxl_unit_test libxl_lifecycle_test; do \
	  echo "valgrind $$t"; \
	  CK_FORK=no srcdir=$(srcdir) $(LIBTOOL) --mode=execute valgrind -q \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --error-exitcode=1 ./$$t || exit 1; \
	done
.PHONY: check-driver-valgrind
