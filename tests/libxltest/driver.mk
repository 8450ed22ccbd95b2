# driver tests (see Makefile.am)
