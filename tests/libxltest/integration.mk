# Integration tests: virsh and the Python binding against sandboxed libvirtd,
# with our module and the stock one (see scripts/sandbox).  They speak TAP.
TEST_EXTENSIONS = .sh .py
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
# Every test (these and the Check programs) is stopped after TEST_TIMEOUT
# seconds (the environment's, else 20 min; the longest plain one takes 6):
# a test that hangs then fails by its name instead of holding make check,
# and CI with it, until CI's own limit cuts the log.
TEST_TIMEOUT_DEFAULT = 1200
TEST_TIMEOUT_WRAPPER = timeout -k 30 $${TEST_TIMEOUT:-$(TEST_TIMEOUT_DEFAULT)}
LOG_COMPILER = $(TEST_TIMEOUT_WRAPPER)
SH_LOG_COMPILER = $(TEST_TIMEOUT_WRAPPER) $(BASH)
PY_LOG_DRIVER = $(SH_LOG_DRIVER)
PY_LOG_COMPILER = $(TEST_TIMEOUT_WRAPPER) $(PYTHON3)

TESTS += \
	integration-install.sh \
	integration-badinput.sh \
	integration-host.sh \
	integration-hostpy.py \
	integration-native.sh \
	integration-switch.sh \
	integration-names.sh \
	integration-virtinstall.sh \
	integration-stats.sh \
	integration-stats.py \
	integration-hotplug.sh \
	integration-pci.sh \
	integration-virtmanager.sh \
	integration-examples.sh

EXTRA_DIST += tap.sh data \
	integration-install.sh integration-badinput.sh \
	integration-host.sh integration-hostpy.py integration-native.sh integration-switch.sh \
	integration-names.sh integration-virtinstall.sh \
	integration-stats.sh integration-stats.py integration-hotplug.sh \
	integration-pci.sh integration-virtmanager.sh virtmanager-ui.py \
	integration-examples.sh

# Tuning (vcpus, pinning, memory, scheduler, NUMA; src/libxl/libxl_tune.c):
# virsh and the Python binding, each value checked through the simulated
# host's libxl as well (xensim-xltune: what xl would say)
TESTS += integration-tune.sh
EXTRA_DIST += integration-tune.sh integration-tune-api.py
check_PROGRAMS += xensim-xltune
xensim_xltune_SOURCES = xensim-xltune.c
xensim_xltune_CFLAGS = $(XL_WARN_CFLAGS) -DLIBXL_API_VERSION=0x041300
xensim_xltune_LDADD = $(top_builddir)/xensim/libxensim.la \
	$(GLIB_LIBS) -lxenlight -lxenstore -lxentoollog

# Snapshots (src/libxl/libxl_snapshot.c): a tree of qcow2 overlays made,
# reverted across, merged and deleted, with both modules
TESTS += integration-snapshot.sh
EXTRA_DIST += integration-snapshot.sh

# Guest controls (send-key, inject-nmi, reset, screenshot, domtime,
# set-lifecycle-action; src/libxl/libxl_guest.c), checked through xensimctl
TESTS += integration-guestctl.sh
EXTRA_DIST += integration-guestctl.sh

# Reliability (issue 17): start/console/destroy cycles with libvirtd's RSS
# and fds sampled (short form; LONGRUN_CYCLES=10000 is the long form), and
# libvirtd killed at random points of operations (KILL_ROUNDS=100 long),
# 8 clients of random operations (RANDOM_OPS=10000 long)
TESTS += reliability-longrun.py reliability-kill.py reliability-random.py
EXTRA_DIST += reliability-longrun.py reliability-kill.py reliability-random.py

# Access control (issue 17, item 7): every entry point of the driver table
# on a read-only connection and under libvirt's polkit access driver
# (scripts/sandbox --polkit), the files the driver writes not
# world-readable, hostile names refused
TESTS += integration-acl.sh
EXTRA_DIST += integration-acl.sh integration-acl-calls.py

# Fault injection (issue 17, item 1): a table of APIs, each called while
# xensim makes a libxl entry point it uses fail with each of a few error
# codes: a clear error, nothing changed, the call works afterwards
TESTS += integration-faults.sh
EXTRA_DIST += integration-faults.sh
