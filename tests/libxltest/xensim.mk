# xensim tests (see Makefile.am)
#   xensim-symbols.sh    what driver modules import from libxl/xenstore is
#                        defined by libxensim or is a pure helper
#   xensim-badinput.sh   bad config files and flags: one line, exit 1
#   xensim_test          the libxl/xs_ API through libxensim (Check): host,
#                        lifecycle, events, children, consoles
#   xensim-stock.sh      Debian's stock libxl module on xensim (sandbox, TAP):
#                        a PV guest's lifecycle, console, restart, events
#   xensim-fidelity.sh   the stock module on xensim shaped like the real-Xen
#                        lab answers what it answered there (xenlab/real-lab-*)

TESTS += xensim-symbols.sh xensim-badinput.sh xensim_test xensim-stock.sh \
	xensim-fidelity.sh
check_PROGRAMS += xensim_test xensim-xl
EXTRA_DIST += xensim-symbols.sh xensim-badinput.sh xensim-stock.sh \
	xensim-fidelity.sh xenlab/xensim-lab.cfg xenlab/real-lab-answers.txt \
	xenlab/real-lab-xl-info.txt

# xensimd's config parser is tested directly, without a daemon
xensim_test_SOURCES = xensim_test.c $(top_srcdir)/xensim/xensimd-config.c
xensim_test_CFLAGS = $(XL_WARN_CFLAGS) $(GLIB_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/xensim -D_GNU_SOURCE -DLIBXL_API_VERSION=0x041300
# libxensim first: its libxl_/xs_ definitions come before the real ones
xensim_test_LDADD = $(top_builddir)/xensim/libxensim.la \
	$(CHECK_LIBS) $(GLIB_LIBS) -lxenlight -lxenstore -lxentoollog

# what `xl create` does, for tests that need a domain libvirt did not start
xensim_xl_SOURCES = xensim-xl.c
xensim_xl_CFLAGS = $(XL_WARN_CFLAGS) -DLIBXL_API_VERSION=0x041300
xensim_xl_LDADD = $(top_builddir)/xensim/libxensim.la \
	$(GLIB_LIBS) -lxenlight -lxenstore -lxentoollog
