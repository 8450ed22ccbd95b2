# XML to libxl_domain_config tests (see Makefile.am)
