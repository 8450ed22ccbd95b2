# xensim tests (see Makefile.am)
