# XML to libxl_domain_config tests (see Makefile.am)
#
# xml2configtest converts domain XML with src/libxl/libxl_build.c and
# libxl_validate.c, compiled in directly, and compares libxl's JSON of the
# result with an expected file: the cases of xml2configdata/ (NAME.xml +
# NAME.json), libvirt's own tests/libxlxml2domconfigdata from $LIBVIRT_SRC,
# and the refusals of xml2configdata/refuse/ (NAME.xml + NAME.err).
TESTS += xml2configtest
check_PROGRAMS += xml2configtest
xml2configtest_SOURCES = \
	xml2configtest.c \
	xml2config-mock.c \
	xml2config-params.c \
	xml2config-params.h \
	$(top_srcdir)/src/libxl/libxl_build.c \
	$(top_srcdir)/src/libxl/libxl_build.h \
	$(top_srcdir)/src/libxl/libxl_validate.c \
	$(top_srcdir)/src/libxl/libxl_validate.h
# -iquote: src/libxl has headers named like Xen's (libxl_event.h)
xml2configtest_CPPFLAGS = $(LIBVIRT_INTERNAL_CPPFLAGS) -iquote $(top_srcdir)/src/libxl
xml2configtest_CFLAGS = $(XL_WARN_CFLAGS) $(LIBVIRT_CFLAGS) $(GLIB_CFLAGS) \
	$(LIBXML_CFLAGS) $(CHECK_CFLAGS)
# the mock's xc_interface_open/xs_open must be seen by libxenlight
xml2configtest_LDFLAGS = -export-dynamic
xml2configtest_LDADD = $(LIBVIRT_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS) \
	$(XENLIGHT_LIBS) $(CHECK_LIBS)
EXTRA_DIST += xml2configdata
