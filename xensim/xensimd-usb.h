/*
 * xensimd-usb.h: the simulated host's USB devices and USB passthrough
 */
#pragma once

#include "xensimd-state.h"

/* a USB device of the host (usb_devices, parsed by xensimd-config.c) */
typedef struct {
    guint bus, addr;
    char *ids;                  /* "VVVV:PPPP" */
    guint cls;                  /* bDeviceClass: 9 is a hub */
} XensimUsbDev;

void xensimUsbDevFree(gpointer udev);
int xensimUsbParseDevices(const char *spec, GPtrArray **devices, char **err);

/* libxl's entry points and xensimctl's "usb-list" */
int xensimCmdUsbctrlAdd(XensimCall *call);
int xensimCmdUsbctrlRemove(XensimCall *call);
int xensimCmdUsbctrlList(XensimCall *call);
int xensimCmdUsbdevAdd(XensimCall *call);
int xensimCmdUsbdevRemove(XensimCall *call);
int xensimCmdUsbdevList(XensimCall *call);
int xensimCmdUsbHost(XensimCall *call);

/* the USB controllers ("DEVID TYPE VERSION PORTS") and devices ("CTRL
 * PORT BUS ADDR") of a domain being created */
int xensimUsbCreateCheck(XensimState *state, GPtrArray *usbdevs, char **message);
void xensimUsbCreateAssign(XensimState *state, XensimDomain *dom,
                           GPtrArray *usbctrls, GPtrArray *usbdevs);
