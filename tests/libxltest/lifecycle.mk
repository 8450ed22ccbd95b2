# domain lifecycle integration tests (see Makefile.am)
#
# virsh and the Python binding against sandboxed libvirtd on the simulated
# host, with our module and the stock one (see integration.mk for the TAP
# drivers).  They skip themselves while the simulated host cannot create
# domains.  LC_PARALLEL (20) sets the concurrent starts of lifecycle-stress,
# LC_CYCLES (200; LC_CYCLES_CI, 50, when CI is set) the valgrind cycles of
# lifecycle-seeds.
LIFECYCLE_TESTS = \
	lifecycle-actions.sh \
	lifecycle-api.sh \
	lifecycle-events.py \
	lifecycle-ao.sh \
	lifecycle-define-start.sh \
	lifecycle-jobs.sh \
	lifecycle-reboot-console.sh \
	lifecycle-restart.sh \
	lifecycle-stress.sh \
	lifecycle-teardown.sh \
	lifecycle-seeds.sh \
	lifecycle-save.sh \
	lifecycle-save-race.sh \
	lifecycle-restore-race.sh \
	lifecycle-shutdown-paused.sh

TESTS += $(LIFECYCLE_TESTS)
EXTRA_DIST += $(LIFECYCLE_TESTS) lifecycle-lib.sh

check-lifecycle:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(LIFECYCLE_TESTS)'
.PHONY: check-lifecycle
