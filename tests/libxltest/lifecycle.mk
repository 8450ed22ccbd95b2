# domain lifecycle integration tests (see Makefile.am)
