# Sanitized tests (issue 17, item 4).  'make asan' (top Makefile.am) builds
# a copy of the tree in build-asan/tree with --enable-sanitizers (ASan with
# LeakSanitizer, UBSan); 'make check-asan' runs there:
#   check-asan-tests         the unit tests and ASAN_CI_TESTS, a subset of
#                            the integration tests, hotplug with our module
#                            only (make check runs it)
#   check-asan-tests FULL=1  every test of TESTS but ASAN_EXCLUDED
# Every sanitizer report (the sandbox's daemons', the test programs',
# xensimctl's) lands in $(SANDBOX_ASAN_LOGDIR); check-asan fails on any.
ASAN_UNIT_TESTS = $(DRIVER_TESTS) driver-schema-test.sh xensim_test \
	native-test xml2configtest
# measured under ASan on 2 cores: unit tests 2 min, integration-host 2.5,
# integration-hotplug of our module 1.6, lifecycle-api 2.3 (lifecycle-save
# alone takes 7: FULL=1)
ASAN_CI_TESTS = \
	integration-host.sh \
	integration-hotplug.sh \
	lifecycle-api.sh
# valgrind's tests (valgrind and ASan exclude each other) and the fuzz
# smoke run (libFuzzer targets are sanitized already)
ASAN_EXCLUDED = lifecycle-seeds.sh lifecycle-teardown.sh lifecycle-save-race.sh \
	fuzz-smoke.sh

check-asan-tests:
	@if test '$(FULL)' = 1; then \
	  t=`for x in $(TESTS); do case ' $(ASAN_EXCLUDED) ' in *" $$x "*) ;; *) echo $$x ;; esac; done`; \
	else t='$(ASAN_UNIT_TESTS) $(ASAN_CI_TESTS)'; fi; \
	if test '$(FULL)' != 1; then HOTPLUG_DRIVERS=$${HOTPLUG_DRIVERS:-ours}; export HOTPLUG_DRIVERS; fi; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="`echo $$t`"
.PHONY: check-asan-tests

EXTRA_DIST += asan.mk asan.supp
