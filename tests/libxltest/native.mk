# native config tests (see Makefile.am)
