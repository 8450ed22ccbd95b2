# Sanitized tests (issue 17, item 4).  'make asan' (top Makefile.am) builds
# a copy of the tree in build-asan/tree with --enable-sanitizers (ASan with
# LeakSanitizer, UBSan); 'make check-asan' runs there:
#   check-asan-tests         the unit tests and ASAN_CI_TESTS, a subset of
#                            the integration tests, hotplug with our module
#                            only (make check runs it)
#   check-asan-tests FULL=1  every test of TESTS but ASAN_EXCLUDED
# Every sanitizer report (the sandbox's daemons', the test programs',
# xensimctl's) lands in $(SANDBOX_ASAN_LOGDIR); check-asan fails on any.
# The short form's budget is ~6 minutes of CI on 2 cores (make -j2).
# Measured there: the sanitized build 1.5-2.7 min; unit tests 3 min with
# native-test (2.5 min) and xml2configtest, which the sanitized fuzz smoke
# run covers already (fuzz.mk): FULL=1 only; integration-host 2.5 min,
# integration-hotplug (our module) 3, lifecycle-api 2.3, lifecycle-save 7:
# With hotplug and lifecycle-api the short form took 6.4 min beside a built
# tree (16:42-16:49 UTC, 2026-12-04; lifecycle-api ended 2 min after the
# rest), plus 2.7 for a fresh build: it takes hotplug (our module) only.
ASAN_UNIT_TESTS = $(DRIVER_TESTS) driver-schema-test.sh xensim_test
ASAN_CI_TESTS = \
	integration-hotplug.sh xensim-badinput.sh
# valgrind's tests (valgrind and ASan exclude each other) and the fuzz
# smoke run (libFuzzer targets are sanitized already)
ASAN_EXCLUDED = lifecycle-seeds.sh lifecycle-teardown.sh lifecycle-save-race.sh \
	fuzz-smoke.sh

check-asan-tests:
	@if test '$(FULL)' = 1; then \
	  t=`for x in $(TESTS); do case ' $(ASAN_EXCLUDED) ' in *" $$x "*) ;; *) echo $$x ;; esac; done`; \
	else t='$(ASAN_UNIT_TESTS) $(ASAN_CI_TESTS)'; fi; \
	if test '$(FULL)' != 1; then HOTPLUG_DRIVERS=$${HOTPLUG_DRIVERS:-ours}; export HOTPLUG_DRIVERS; \
	else SANDBOX_ASAN_FULL_STACKS=1; TEST_TIMEOUT=$${TEST_TIMEOUT:-5400}; \
	  export SANDBOX_ASAN_FULL_STACKS TEST_TIMEOUT; fi; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="`echo $$t`"
.PHONY: check-asan-tests

EXTRA_DIST += asan.mk asan.supp
