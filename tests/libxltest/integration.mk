# Integration tests: virsh and the Python binding against sandboxed libvirtd,
# with our module and the stock one (see scripts/sandbox).  They speak TAP.
TEST_EXTENSIONS = .sh .py
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_COMPILER = $(BASH)
PY_LOG_DRIVER = $(SH_LOG_DRIVER)
PY_LOG_COMPILER = $(PYTHON3)

TESTS += \
	integration-install.sh \
	integration-badinput.sh \
	integration-host.sh \
	integration-hostpy.py \
	integration-native.sh \
	integration-switch.sh \
	integration-names.sh \
	integration-virtinstall.sh \
	integration-pci.sh

EXTRA_DIST += tap.sh data \
	integration-install.sh integration-badinput.sh \
	integration-host.sh integration-hostpy.py integration-native.sh integration-switch.sh \
	integration-names.sh integration-virtinstall.sh integration-pci.sh
