# console integration tests (see Makefile.am)
#
# virsh console in a real terminal and openConsole through the Python
# binding, against sandboxed libvirtd on the simulated host, with our module
# and the stock one (CONSOLE_DRIVERS, default "ours stock").
CONSOLE_TESTS = \
	console-tty.py

TESTS += $(CONSOLE_TESTS)
EXTRA_DIST += $(CONSOLE_TESTS)

check-console:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(CONSOLE_TESTS)'
.PHONY: check-console
