/*
 * xensimd-pci.h: the simulated host's PCI bus, pciback and PCI passthrough
 */
#pragma once

#include "xensimd-state.h"

/* a device of the host's PCI bus (pci_devices, parsed by xensimd-config.c) */
typedef struct {
    guint domain, bus, dev, func;
    char *ids;                  /* "VVVV:DDDD" */
    char *cls;                  /* "0xCCSSPP" */
    char *driver;               /* bound to: its own, pciback, or NULL */
} XensimPciDev;

void xensimPciDevFree(gpointer pdev);
bool xensimPciParseBdf(const char *s, guint *domain, guint *bus, guint *dev,
                        guint *func);
int xensimPciParseDevices(const char *spec, GPtrArray **devices, char **err);

/* libxl's entry points and xensimctl's "pci-list" */
int xensimCmdPciAssignableAdd(XensimCall *call);
int xensimCmdPciAssignableRemove(XensimCall *call);
int xensimCmdPciAssignableList(XensimCall *call);
int xensimCmdPciAdd(XensimCall *call);
int xensimCmdPciRemove(XensimCall *call);
int xensimCmdPciList(XensimCall *call);
int xensimCmdPciHost(XensimCall *call);

/* the PCI devices of a domain being created ("BDF [OPTS]" values) */
int xensimPciCreateCheck(XensimState *state, XensimDomainType type,
                         GPtrArray *pcis, char **message);
void xensimPciCreateAssign(XensimState *state, XensimDomain *dom, GPtrArray *pcis);
/* the domain is gone: its devices go back to pciback's quarantine */
void xensimPciDomainGone(XensimState *state, guint32 domid);
