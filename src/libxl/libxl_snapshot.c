/*
 * libxl_snapshot.c: domain snapshots (snapshot-create, -list, -info,
 * -dumpxml, -current, -edit, -parent, -revert, -delete)
 *
 * Xen has no internal snapshots: a snapshot here is external, as
 * libvirt's qemu driver makes external ones.  Each selected file disk
 * gets a qcow2 overlay (qemu-img create -b), the domain writes into the
 * overlay from then on, and the image below it is the disk's state at
 * the snapshot, read-only from then on.  The memory state, if any, is a
 * save image of the stock format (libxl_save.c) at the snapshot's
 * <memory file=...>.
 *
 * A running domain cannot have its disks swapped under it on Xen:
 * blkback and qdisk open the image when the backend is created and libxl
 * has no call to change a vbd's backing file.  So a running domain
 * switches to its overlays through its save stream: it is saved (the
 * snapshot's memory file, or a temporary image for --disk-only, where
 * the guest is in effect paused for the switch), the overlays are made,
 * and the domain is restored from the image with its disks pointing at
 * them.  Unless --halt, it runs on (or stays paused) where it was; the
 * lifecycle events of a save and a restore are sent.  This is what real
 * libxl allows for PV, PVH and HVM guests alike.
 *
 * A revert makes new overlays on top of the snapshot's images (the old
 * current overlays, if nothing else needs them, are removed: the state
 * a revert discards), then restores the memory image or, for a snapshot
 * of a shut-off domain, leaves the domain off (or boots it, --running).
 * A delete merges (qemu-img commit) the domain's current overlay into
 * the snapshot's image when nothing else sits on that image and the
 * domain is shut off; it refuses to while the domain runs; it removes
 * the overlays and memory images nothing needs any more.
 *
 * The metadata is kept as libvirt's drivers keep it: one XML file per
 * snapshot, <snapshotDir>/<domain>/<name>.xml, the current one marked
 * with <active>1</active>; read back at daemon start.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "internal.h"
#include "datatypes.h"
#include "viraccessapicheck.h"
#include "domain_event.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "vircommand.h"
#include "virjson.h"
#include "virstring.h"
#include "virxml.h"
#include "snapshot_conf.h"
#include "virdomainsnapshotobjlist.h"
#include "virdomainmomentobjlist.h"
#include "libxl_domain.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_save.h"
#include "libxl_snapshot.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_snapshot");

#define LIBXL_SNAPSHOT_QEMU_IMG "qemu-img"
/* the overlays a revert makes are named <snapshot's overlay>-revert-N */
#define LIBXL_SNAPSHOT_REVERT_TAG "-revert-"


/* ---- metadata ----------------------------------------------------- */

static char *
libxlSnapshotDir(libxlDriverPrivate *driver, const char *domname)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    return g_strdup_printf("%s/snapshot/%s", cfg->libDir, domname);
}


static int
libxlSnapshotWriteMetadata(libxlDriverPrivate *driver,
                           virDomainObj *vm,
                           virDomainMomentObj *snap)
{
    g_autofree char *dir = libxlSnapshotDir(driver, vm->def->name);
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    unsigned int flags = VIR_DOMAIN_SNAPSHOT_FORMAT_SECURE |
        VIR_DOMAIN_SNAPSHOT_FORMAT_INTERNAL;

    if (virDomainSnapshotGetCurrent(vm->snapshots) == snap)
        flags |= VIR_DOMAIN_SNAPSHOT_FORMAT_CURRENT;
    virUUIDFormat(vm->def->uuid, uuidstr);
    if (!(xml = virDomainSnapshotDefFormat(uuidstr, virDomainSnapshotObjGetDef(snap),
                                           driver->xmlopt, flags)))
        return -1;
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        virReportSystemError(errno, _("cannot create snapshot directory '%s'"), dir);
        return -1;
    }
    file = g_strdup_printf("%s/%s.xml", dir, snap->def->name);
    return virXMLSaveFile(file, NULL, "snapshot-edit", xml);
}


static void
libxlSnapshotUnlinkMetadata(libxlDriverPrivate *driver,
                            virDomainObj *vm,
                            const char *name)
{
    g_autofree char *dir = libxlSnapshotDir(driver, vm->def->name);
    g_autofree char *file = g_strdup_printf("%s/%s.xml", dir, name);

    if (unlink(file) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", file, g_strerror(errno));
}


/* @snap (or none) becomes the current snapshot; the old one's file is
 * rewritten without the mark (the caller writes @snap's). */
static void
libxlSnapshotSetCurrent(libxlDriverPrivate *driver,
                        virDomainObj *vm,
                        virDomainMomentObj *snap)
{
    virDomainMomentObj *old = virDomainSnapshotGetCurrent(vm->snapshots);

    virDomainSnapshotSetCurrent(vm->snapshots, snap);
    if (old && old != snap && libxlSnapshotWriteMetadata(driver, vm, old) < 0) {
        VIR_WARN("cannot rewrite snapshot '%s' of domain '%s': %s",
                 old->def->name, vm->def->name, virGetLastErrorMessage());
        virResetLastError();
    }
}


static int
libxlSnapshotLoadOne(virDomainObj *vm, void *opaque)
{
    libxlDriverPrivate *driver = opaque;
    g_autofree char *dir = NULL;
    g_autoptr(DIR) d = NULL;
    struct dirent *ent;
    virDomainMomentObj *current = NULL;

    virObjectLock(vm);
    dir = libxlSnapshotDir(driver, vm->def->name);
    if (virDirOpenIfExists(&d, dir) <= 0)
        goto out;

    while (virDirRead(d, &ent, dir) > 0) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(virDomainSnapshotDef) def = NULL;
        virDomainMomentObj *snap;
        bool cur = false;

        if (!virStringHasSuffix(ent->d_name, ".xml"))
            continue;
        path = g_strdup_printf("%s/%s", dir, ent->d_name);
        if (virFileReadAll(path, 16 * 1024 * 1024, &xml) < 0 ||
            !(def = virDomainSnapshotDefParseString(xml, driver->xmlopt, NULL, &cur,
                                                    VIR_DOMAIN_SNAPSHOT_PARSE_REDEFINE |
                                                    VIR_DOMAIN_SNAPSHOT_PARSE_INTERNAL)) ||
            !(snap = virDomainSnapshotAssignDef(vm->snapshots, &def))) {
            VIR_WARN("cannot load snapshot metadata '%s': %s",
                     path, virGetLastErrorMessage());
            virResetLastError();
            continue;
        }
        if (cur)
            current = snap;
    }
    if (current)
        virDomainSnapshotSetCurrent(vm->snapshots, current);
    if (virDomainSnapshotUpdateRelations(vm->snapshots) < 0)
        VIR_WARN("the snapshots of domain '%s' have inconsistent relations",
                 vm->def->name);

 out:
    virResetLastError();
    virObjectUnlock(vm);
    return 0;
}


/*
 * libxlSnapshotLoadAll:
 * At daemon start: every domain's snapshot metadata.
 */
void
libxlSnapshotLoadAll(libxlDriverPrivate *driver)
{
    virDomainObjListForEach(driver->domains, false, libxlSnapshotLoadOne, driver);
}


/*
 * libxlSnapshotRemoveAllMetadata:
 * undefine --snapshots-metadata: the metadata of every snapshot of @vm
 * goes (its files, overlays and memory images stay).
 */
int
libxlSnapshotRemoveAllMetadata(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autofree char *dir = libxlSnapshotDir(driver, vm->def->name);
    g_autofree char **names = NULL;
    int n;
    size_t i;

    if ((n = virDomainSnapshotObjListGetNames(vm->snapshots, NULL, NULL, 0, 0)) < 0)
        return -1;
    names = g_new0(char *, n + 1);
    if ((n = virDomainSnapshotObjListGetNames(vm->snapshots, NULL, names, n, 0)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        libxlSnapshotUnlinkMetadata(driver, vm, names[i]);
        g_free(names[i]);
    }
    if (rmdir(dir) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", dir, g_strerror(errno));
    virDomainSnapshotObjListRemoveAll(vm->snapshots);
    return 0;
}


/* ---- images (qemu-img) -------------------------------------------- */

static const char *
libxlSnapshotFormatName(int format)
{
    if (format <= VIR_STORAGE_FILE_NONE)
        return "raw";
    return virStorageFileFormatTypeToString(format);
}


/* A new qcow2 overlay @overlay on top of @backing (format @format). */
static int
libxlSnapshotImageCreate(const char *overlay, const char *backing, int format)
{
    g_autoptr(virCommand) cmd = NULL;

    cmd = virCommandNewArgList(LIBXL_SNAPSHOT_QEMU_IMG, "create", "-q",
                               "-f", "qcow2", "-F", libxlSnapshotFormatName(format),
                               "-b", backing, overlay, NULL);
    /* the overlay takes the guest's writes: its owner's only, as libvirt's
     * storage code creates the qemu driver's (0600) */
    virCommandSetUmask(cmd, 0077);
    return virCommandRun(cmd, NULL);
}


/* The data of the overlay @path into its backing image. */
static int
libxlSnapshotImageCommit(const char *path)
{
    g_autoptr(virCommand) cmd = NULL;

    cmd = virCommandNewArgList(LIBXL_SNAPSHOT_QEMU_IMG, "commit", "-q", path, NULL);
    return virCommandRun(cmd, NULL);
}


/* The images of @path's backing chain (@path first), or NULL. */
static virJSONValue *
libxlSnapshotImageInfo(const char *path)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *out = NULL;

    cmd = virCommandNewArgList(LIBXL_SNAPSHOT_QEMU_IMG, "info", "-U",
                               "--backing-chain", "--output=json", path, NULL);
    virCommandSetOutputBuffer(cmd, &out);
    if (virCommandRun(cmd, NULL) < 0)
        return NULL;
    return virJSONValueFromString(out);
}


/* The image @path is on top of (NULL: none, or unreadable). */
static char *
libxlSnapshotImageBacking(const char *path)
{
    g_autoptr(virJSONValue) chain = NULL;
    virJSONValue *top;
    const char *backing;

    if (!virFileExists(path) || !(chain = libxlSnapshotImageInfo(path))) {
        virResetLastError();
        return NULL;
    }
    if (!(top = virJSONValueArrayGet(chain, 0)))
        return NULL;
    if (!(backing = virJSONValueObjectGetString(top, "full-backing-filename")) &&
        !(backing = virJSONValueObjectGetString(top, "backing-filename")))
        return NULL;
    return g_strdup(backing);
}


/* @path and every image below it into @set. */
static void
libxlSnapshotImageChainAdd(const char *path, GHashTable *set)
{
    g_autoptr(virJSONValue) chain = NULL;
    size_t i;

    if (!path || g_hash_table_contains(set, path))
        return;
    g_hash_table_add(set, g_strdup(path));
    if (!virFileExists(path) || !(chain = libxlSnapshotImageInfo(path))) {
        virResetLastError();
        return;
    }
    for (i = 0; i < virJSONValueArraySize(chain); i++) {
        const char *name = virJSONValueObjectGetString(virJSONValueArrayGet(chain, i),
                                                       "filename");
        if (name)
            g_hash_table_add(set, g_strdup(name));
    }
}


/* The disk image of disk @i of @snapdef's domain (its state at the
 * snapshot), or NULL. */
static virDomainDiskDef *
libxlSnapshotStateDisk(virDomainSnapshotDef *snapdef, size_t i)
{
    if (!snapdef->parent.dom)
        return NULL;
    return virDomainDiskByName(snapdef->parent.dom, snapdef->disks[i].name, false);
}


static int
libxlSnapshotCollectOne(void *payload,
                        const char *name G_GNUC_UNUSED,
                        void *opaque)
{
    virDomainMomentObj *snap = payload;
    void **args = opaque;
    GPtrArray *skip = args[0];
    GHashTable *set = args[1];
    virDomainSnapshotDef *snapdef = virDomainSnapshotObjGetDef(snap);
    size_t i;

    if (skip && g_ptr_array_find(skip, snap, NULL))
        return 0;
    for (i = 0; i < snapdef->ndisks; i++) {
        virDomainDiskDef *disk = libxlSnapshotStateDisk(snapdef, i);

        if (snapdef->disks[i].snapshot == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL &&
            disk && virDomainDiskGetSource(disk))
            libxlSnapshotImageChainAdd(virDomainDiskGetSource(disk), set);
    }
    return 0;
}


static void
libxlSnapshotCollectDef(virDomainDef *def, const char *skipDst, GHashTable *set)
{
    size_t i;

    if (!def)
        return;
    for (i = 0; i < def->ndisks; i++) {
        if (skipDst && STREQ(def->disks[i]->dst, skipDst))
            continue;
        if (virDomainDiskGetType(def->disks[i]) == VIR_STORAGE_TYPE_FILE)
            libxlSnapshotImageChainAdd(virDomainDiskGetSource(def->disks[i]), set);
    }
}


/*
 * libxlSnapshotNeeded:
 * The images something still needs: the states of the snapshots other
 * than those in @skip (NULL: none), the domain's disks (but the disk
 * @skipDst), and all below them.
 */
static GHashTable *
libxlSnapshotNeeded(virDomainObj *vm, GPtrArray *skip, const char *skipDst)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    void *args[2] = { skip, set };

    virDomainSnapshotForEach(vm->snapshots, libxlSnapshotCollectOne, args);
    libxlSnapshotCollectDef(vm->def, skipDst, set);
    libxlSnapshotCollectDef(vm->newDef, skipDst, set);
    return set;
}


static int
libxlSnapshotIsOverlayOne(void *payload, const char *name G_GNUC_UNUSED, void *opaque)
{
    virDomainSnapshotDef *snapdef = virDomainSnapshotObjGetDef(payload);
    void **args = opaque;
    size_t i;

    for (i = 0; i < snapdef->ndisks; i++) {
        if (snapdef->disks[i].snapshot == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL &&
            STREQ_NULLABLE(snapdef->disks[i].src->path, (const char *) args[0]))
            args[1] = (void *) "yes";
    }
    return 0;
}


/* Did this driver make @path (a snapshot's or a revert's overlay)? */
static bool
libxlSnapshotIsOverlay(virDomainObj *vm, virDomainMomentObj *extra, const char *path)
{
    void *args[2] = { (void *) path, NULL };

    if (!path)
        return false;
    if (strstr(path, LIBXL_SNAPSHOT_REVERT_TAG))
        return true;
    if (extra)
        libxlSnapshotIsOverlayOne(extra, NULL, args);
    virDomainSnapshotForEach(vm->snapshots, libxlSnapshotIsOverlayOne, args);
    return args[1] != NULL;
}


/* Remove the overlay @path if this driver made it and nothing needs it. */
static void
libxlSnapshotDropIfUnneeded(virDomainObj *vm,
                            virDomainMomentObj *extra,
                            GHashTable *needed,
                            const char *path)
{
    if (!path || g_hash_table_contains(needed, path) ||
        !libxlSnapshotIsOverlay(vm, extra, path) || !virFileExists(path))
        return;
    VIR_DEBUG("removing overlay '%s': nothing needs it", path);
    if (unlink(path) < 0)
        VIR_WARN("cannot remove '%s': %s", path, g_strerror(errno));
}


/* Point the disk @dst of @def at the qcow2 overlay @path. */
static void
libxlSnapshotDiskUseOverlay(virDomainDef *def, const char *dst, const char *path)
{
    virDomainDiskDef *disk;

    if (!def || !(disk = virDomainDiskByName(def, dst, false)))
        return;
    virDomainDiskSetSource(disk, path);
    virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_QCOW2);
    /* qcow2 is read by the device model's qdisk backend */
    virDomainDiskSetDriver(disk, "qemu");
    g_clear_pointer(&disk->src->backingStore, virObjectUnref);
}


/* Point the disk @dst of @def at the image @from had. */
static void
libxlSnapshotDiskUseImage(virDomainDef *def, const char *dst, virDomainDiskDef *from)
{
    virDomainDiskDef *disk;

    if (!def || !(disk = virDomainDiskByName(def, dst, false)))
        return;
    virDomainDiskSetSource(disk, virDomainDiskGetSource(from));
    virDomainDiskSetFormat(disk, virDomainDiskGetFormat(from));
    virDomainDiskSetDriver(disk, virDomainDiskGetDriver(from));
    g_clear_pointer(&disk->src->backingStore, virObjectUnref);
}


/* ---- lookups ------------------------------------------------------ */

static virDomainMomentObj *
libxlSnapshotObjFromName(virDomainObj *vm, const char *name)
{
    virDomainMomentObj *snap = virDomainSnapshotFindByName(vm->snapshots, name);

    if (!snap)
        virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT,
                       _("no domain snapshot with matching name '%s'"), name);
    return snap;
}


static virDomainObj *
libxlSnapshotDomObj(virDomainSnapshotPtr snapshot)
{
    return libxlDomainObjFromDomain(snapshot->domain->conn->privateData,
                                    snapshot->domain);
}


/* ---- create ------------------------------------------------------- */

/*
 * libxlSnapshotPrepare:
 * Fill in @snapdef for @vm as it is now: the domain's definitions, the
 * state, the memory image's file, the overlays (qemu's default names);
 * refuse what Xen cannot do, saying why.
 */
static int
libxlSnapshotPrepare(libxlDriverPrivate *driver,
                     virDomainObj *vm,
                     virDomainSnapshotDef *snapdef,
                     unsigned int flags)
{
    bool active = virDomainObjIsActive(vm);
    bool diskOnly = (flags & VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY) || !active;
    int state = virDomainObjGetState(vm, NULL);
    size_t external = 0;
    size_t i;

    if (active && state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_PAUSED) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot snapshot domain '%s' in state '%s'"),
                       vm->def->name, virDomainStateTypeToString(state));
        return -1;
    }

    if (!(snapdef->parent.dom = virDomainDefCopy(vm->def, driver->xmlopt, NULL, true)))
        return -1;
    if (vm->newDef &&
        !(snapdef->parent.inactiveDom = virDomainDefCopy(vm->newDef, driver->xmlopt,
                                                         NULL, true)))
        return -1;

    if (diskOnly) {
        if (snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL ||
            snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_INTERNAL) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           active ?
                           _("a disk-only snapshot has no memory state") :
                           _("a shut-off domain has no memory state to snapshot"));
            return -1;
        }
        snapdef->memory = VIR_DOMAIN_SNAPSHOT_LOCATION_NO;
        snapdef->state = active ? VIR_DOMAIN_SNAPSHOT_DISK_SNAPSHOT : VIR_DOMAIN_SNAPSHOT_SHUTOFF;
    } else {
        snapdef->state = state;
        if (snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_INTERNAL) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("Xen has no internal snapshots: the memory state goes to a file (<memory snapshot='external'/>)"));
            return -1;
        }
        if (snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_NO ||
            snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_MANUAL) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("a snapshot of a running Xen domain keeps its memory state (or use --disk-only)"));
            return -1;
        }
        snapdef->memory = VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL;
        if (!snapdef->memorysnapshotfile) {
            g_autofree char *dir = libxlSnapshotDir(driver, vm->def->name);

            snapdef->memorysnapshotfile = g_strdup_printf("%s/%s.save", dir,
                                                          snapdef->parent.name);
        }
        if (!g_path_is_absolute(snapdef->memorysnapshotfile)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("the memory file '%s' must be an absolute path"),
                           snapdef->memorysnapshotfile);
            return -1;
        }
        if (virFileExists(snapdef->memorysnapshotfile)) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("the memory file '%s' already exists"),
                           snapdef->memorysnapshotfile);
            return -1;
        }
    }

    /* read-only disks and CD-ROMs have no state to keep (the snapshot's
     * copy of the definition says so; the domain's stays as it is) */
    for (i = 0; i < snapdef->parent.dom->ndisks; i++) {
        virDomainDiskDef *disk = snapdef->parent.dom->disks[i];

        if ((disk->src->readonly || disk->device != VIR_DOMAIN_DISK_DEVICE_DISK) &&
            disk->snapshot == VIR_DOMAIN_SNAPSHOT_LOCATION_DEFAULT)
            disk->snapshot = VIR_DOMAIN_SNAPSHOT_LOCATION_NO;
    }
    if (virDomainSnapshotAlignDisks(snapdef, NULL,
                                    VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL, false) < 0)
        return -1;

    for (i = 0; i < snapdef->ndisks; i++) {
        virDomainSnapshotDiskDef *sdisk = &snapdef->disks[i];
        virDomainDiskDef *disk = virDomainDiskByName(vm->def, sdisk->name, false);

        switch ((virDomainSnapshotLocation) sdisk->snapshot) {
        case VIR_DOMAIN_SNAPSHOT_LOCATION_NO:
            continue;
        case VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL:
            break;
        case VIR_DOMAIN_SNAPSHOT_LOCATION_INTERNAL:
        case VIR_DOMAIN_SNAPSHOT_LOCATION_MANUAL:
        case VIR_DOMAIN_SNAPSHOT_LOCATION_DEFAULT:
        case VIR_DOMAIN_SNAPSHOT_LOCATION_LAST:
        default:
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': snapshot='%s' is not supported: Xen's disks have external snapshots (qcow2 overlays) only"),
                           sdisk->name,
                           virDomainSnapshotLocationTypeToString(sdisk->snapshot));
            return -1;
        }

        if (!disk || virDomainDiskGetType(disk) != VIR_STORAGE_TYPE_FILE ||
            !virDomainDiskGetSource(disk)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': external snapshots are made of file disks only"),
                           sdisk->name);
            return -1;
        }
        if (sdisk->src->type != VIR_STORAGE_TYPE_FILE || !sdisk->src->path ||
            !g_path_is_absolute(sdisk->src->path)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': the overlay must be a file with an absolute path"),
                           sdisk->name);
            return -1;
        }
        if (sdisk->src->format == VIR_STORAGE_FILE_NONE) {
            sdisk->src->format = VIR_STORAGE_FILE_QCOW2;
        } else if (sdisk->src->format != VIR_STORAGE_FILE_QCOW2) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': overlays are qcow2, not %s"),
                           sdisk->name,
                           virStorageFileFormatTypeToString(sdisk->src->format));
            return -1;
        }
        if (virFileExists(sdisk->src->path)) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("disk '%s': the overlay '%s' already exists"),
                           sdisk->name, sdisk->src->path);
            return -1;
        }
        if (!virFileExists(virDomainDiskGetSource(disk))) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("disk '%s': its image '%s' does not exist"),
                           sdisk->name, virDomainDiskGetSource(disk));
            return -1;
        }
        external++;
    }

    if (external == 0 && snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_NO) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("nothing selected for snapshot: no file disk and no memory state"));
        return -1;
    }
    return 0;
}


/* Make @snapdef's overlays; on failure none is left. */
static int
libxlSnapshotMakeOverlays(virDomainSnapshotDef *snapdef,
                          virDomainDef *def,
                          const char *const *paths)
{
    size_t i;
    size_t j;

    for (i = 0; i < snapdef->ndisks; i++) {
        virDomainDiskDef *disk;

        if (!paths[i])
            continue;
        disk = virDomainDiskByName(def, snapdef->disks[i].name, false);
        if (libxlSnapshotImageCreate(paths[i], virDomainDiskGetSource(disk),
                                     virDomainDiskGetFormat(disk)) < 0) {
            for (j = 0; j < i; j++) {
                if (paths[j])
                    unlink(paths[j]);
            }
            return -1;
        }
    }
    return 0;
}


/* The overlay of each disk of @snapdef, NULL where none. */
static char **
libxlSnapshotOverlayPaths(virDomainSnapshotDef *snapdef)
{
    char **paths = g_new0(char *, snapdef->ndisks + 1);
    size_t i;

    for (i = 0; i < snapdef->ndisks; i++) {
        if (snapdef->disks[i].snapshot == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL)
            paths[i] = g_strdup(snapdef->disks[i].src->path);
    }
    return paths;
}


static void
libxlSnapshotDefUseOverlays(virDomainSnapshotDef *snapdef,
                            virDomainDef *def,
                            char **paths)
{
    size_t i;

    for (i = 0; i < snapdef->ndisks; i++) {
        if (paths[i])
            libxlSnapshotDiskUseOverlay(def, snapdef->disks[i].name, paths[i]);
    }
}


/*
 * libxlSnapshotTake:
 * Take the snapshot @snapdef of @vm (locked, with a job): the overlays,
 * and for a running domain the switch through its save stream (the
 * memory image kept as the snapshot's, or a temporary one).  A failure
 * leaves the domain as it was: its definition on its old images, the
 * overlays removed, restored from the image (which then goes).
 */
static int
libxlSnapshotTake(libxlDriverPrivate *driver,
                  virDomainObj *vm,
                  virConnectPtr conn,
                  virDomainSnapshotDef *snapdef,
                  unsigned int flags)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_auto(GStrv) paths = libxlSnapshotOverlayPaths(snapdef);
    g_autoptr(virDomainDef) imgdef = NULL;
    g_autoptr(virDomainDef) oldPersistent = NULL;
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *dir = libxlSnapshotDir(driver, vm->def->name);
    bool paused = virDomainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED;
    bool memory = snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL;
    virDomainDef *persistent;
    size_t i;

    if (!virDomainObjIsActive(vm)) {
        if (libxlSnapshotMakeOverlays(snapdef, vm->def, (const char *const *) paths) < 0)
            return -1;
        libxlSnapshotDefUseOverlays(snapdef, vm->def, paths);
        if (virDomainDefSave(vm->def, driver->xmlopt, cfg->configDir) < 0)
            return -1;
        return 0;
    }

    if (g_mkdir_with_parents(dir, 0700) < 0) {
        virReportSystemError(errno, _("cannot create snapshot directory '%s'"), dir);
        return -1;
    }
    if (memory) {
        image = g_strdup(snapdef->memorysnapshotfile);
    } else {
        image = g_strdup_printf("%s/.%s.switch", dir, snapdef->parent.name);
        unlink(image);
    }

    /* the guest stops in its save stream; it comes back on the overlays */
    if (libxlSaveDomain(driver, vm, image, NULL,
                        paused ? VIR_DOMAIN_SAVE_PAUSED : 0, false) < 0)
        return -1;

    if (!(xml = libxlSaveImageGetXML(driver, image, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE,
                                     &imgdef)))
        goto restore;

    /* the disks' states: the images the overlays go on */
    persistent = vm->def;
    if (!(oldPersistent = virDomainDefCopy(persistent, driver->xmlopt, NULL, false)))
        goto restore;
    if (libxlSnapshotMakeOverlays(snapdef, imgdef, (const char *const *) paths) < 0)
        goto restore;

    libxlSnapshotDefUseOverlays(snapdef, persistent, paths);
    libxlSnapshotDefUseOverlays(snapdef, imgdef, paths);
    if (virDomainDefSave(persistent, driver->xmlopt, cfg->configDir) < 0)
        goto rollback;

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_HALT) {
        virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT);
        if (!memory)
            unlink(image);
        return 0;
    }

    if (libxlSaveRestoreObj(driver, vm, conn, image, &imgdef, paused) == 0) {
        if (!memory)
            unlink(image);
        return 0;
    }

 rollback:
    {
        /* the definition as it was, no overlay */
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        if (virDomainDefSave(oldPersistent, driver->xmlopt, cfg->configDir) < 0)
            VIR_WARN("cannot write the definition of domain '%s' back", vm->def->name);
        virDomainObjAssignDef(vm, &oldPersistent, false, NULL);
        for (i = 0; i < snapdef->ndisks; i++) {
            if (paths[i])
                unlink(paths[i]);
        }
        virErrorRestore(&saved);
    }
 restore:
    {
        /* no overlay: the domain comes back as it was */
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        if (libxlSaveRestoreObj(driver, vm, conn, image, NULL, paused) < 0)
            VIR_WARN("domain '%s' could not be restored from '%s' after a failed snapshot",
                     vm->def->name, image);
        else
            unlink(image);
        virErrorRestore(&saved);
        return -1;
    }
}


static virDomainSnapshotPtr
libxlSnapshotRedefine(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      virDomainPtr dom,
                      virDomainSnapshotDef *snapdeftmp,
                      unsigned int flags)
{
    g_autoptr(virDomainSnapshotDef) snapdef = virObjectRef(snapdeftmp);
    virDomainMomentObj *snap = NULL;
    virDomainSnapshotPtr ret;

    if (virDomainSnapshotRedefinePrep(vm, snapdef, &snap, driver->xmlopt, flags) < 0)
        return NULL;

    if (snap) {
        virDomainSnapshotReplaceDef(snap, &snapdef);
    } else if (!(snap = virDomainSnapshotAssignDef(vm->snapshots, &snapdef))) {
        return NULL;
    }

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT)
        libxlSnapshotSetCurrent(driver, vm, snap);

    if (libxlSnapshotWriteMetadata(driver, vm, snap) < 0 ||
        !(ret = virGetDomainSnapshot(dom, snap->def->name))) {
        virDomainSnapshotObjListRemove(vm->snapshots, snap);
        return NULL;
    }
    virDomainSnapshotLinkParent(vm->snapshots, snap);
    return ret;
}


virDomainSnapshotPtr
libxlDomainSnapshotCreateXMLWork(virDomainPtr dom,
                                 const char *xmlDesc,
                                 unsigned int flags,
                                 libxlSnapshotACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(virDomainSnapshotDef) snapdef = NULL;
    g_autoptr(virDomainMomentObj) tmpsnap = NULL;
    virDomainMomentObj *snap = NULL;
    virDomainMomentObj *current;
    virDomainSnapshotPtr ret = NULL;
    virDomainObj *vm;
    unsigned int parseFlags = 0;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE |
                  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT |
                  VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA |
                  VIR_DOMAIN_SNAPSHOT_CREATE_HALT |
                  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY |
                  VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE |
                  VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC |
                  VIR_DOMAIN_SNAPSHOT_CREATE_LIVE |
                  VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE, NULL);

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("--quiesce needs a guest agent to freeze the guest's file systems, and this driver has no guest agent channel to a Xen guest"));
        return NULL;
    }
    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_LIVE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("--live is not supported: a Xen guest stops while its save stream is written"));
        return NULL;
    }
    if ((flags & VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE) &&
        (flags & (VIR_DOMAIN_SNAPSHOT_CREATE_HALT |
                  VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA))) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("--redefine cannot be combined with --halt or --no-metadata"));
        return NULL;
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return NULL;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE)
        parseFlags |= VIR_DOMAIN_SNAPSHOT_PARSE_REDEFINE;
    if ((flags & VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY) || !virDomainObjIsActive(vm))
        parseFlags |= VIR_DOMAIN_SNAPSHOT_PARSE_OFFLINE;
    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE)
        parseFlags |= VIR_DOMAIN_SNAPSHOT_PARSE_VALIDATE;

    if (!(snapdef = virDomainSnapshotDefParseString(xmlDesc, driver->xmlopt, NULL,
                                                    NULL, parseFlags)))
        goto cleanup;

    if (strchr(snapdef->parent.name, '/') || snapdef->parent.name[0] == '.') {
        virReportError(VIR_ERR_XML_DETAIL,
                       _("invalid snapshot name '%s': it names a file, so it can contain no '/' and not start with '.'"),
                       snapdef->parent.name);
        goto cleanup;
    }

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "snapshot") < 0)
        goto cleanup;

    if (vm->def->id == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot snapshot Domain-0"));
        goto endjob;
    }
    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot snapshot transient domain '%s': its switch to the overlays goes through a save and restore, which needs a persistent definition"),
                       vm->def->name);
        goto endjob;
    }
    if (vm->hasManagedSave && !(flags & VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has a managed save image: start it or remove the image first"),
                       vm->def->name);
        goto endjob;
    }

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE) {
        ret = libxlSnapshotRedefine(driver, vm, dom, snapdef, flags);
        goto endjob;
    }

    if (virDomainSnapshotFindByName(vm->snapshots, snapdef->parent.name)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' already has a snapshot named '%s'"),
                       vm->def->name, snapdef->parent.name);
        goto endjob;
    }

    if (libxlSnapshotPrepare(driver, vm, snapdef, flags) < 0)
        goto endjob;

    if (flags & VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA) {
        snap = tmpsnap = virDomainMomentObjNew();
        snap->def = (virDomainMomentDef *) g_steal_pointer(&snapdef);
    } else {
        if (!(snap = virDomainSnapshotAssignDef(vm->snapshots, &snapdef)))
            goto endjob;
        if ((current = virDomainSnapshotGetCurrent(vm->snapshots)))
            snap->def->parent_name = g_strdup(current->def->name);
    }

    if (libxlSnapshotTake(driver, vm, dom->conn, virDomainSnapshotObjGetDef(snap), flags) < 0)
        goto error;

    if (!tmpsnap) {
        libxlSnapshotSetCurrent(driver, vm, snap);
        if (libxlSnapshotWriteMetadata(driver, vm, snap) < 0)
            goto error;
        virDomainSnapshotLinkParent(vm->snapshots, snap);
    }

    ret = virGetDomainSnapshot(dom, snap->def->name);
    goto endjob;

 error:
    if (!tmpsnap) {
        if (virDomainSnapshotGetCurrent(vm->snapshots) == snap)
            virDomainSnapshotSetCurrent(vm->snapshots, NULL);
        virDomainSnapshotObjListRemove(vm->snapshots, snap);
    }
 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- queries ------------------------------------------------------ */

char *
libxlDomainSnapshotGetXMLDescWork(virDomainSnapshotPtr snapshot,
                                  unsigned int flags,
                                  libxlSnapshotACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = snapshot->domain->conn->privateData;
    virDomainObj *vm;
    virDomainMomentObj *snap;
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    char *ret = NULL;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_XML_SECURE, NULL);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return NULL;
    if (aclCheck(snapshot->domain->conn, vm->def, flags) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    virUUIDFormat(snapshot->domain->uuid, uuidstr);
    ret = virDomainSnapshotDefFormat(uuidstr, virDomainSnapshotObjGetDef(snap),
                                     driver->xmlopt,
                                     virDomainSnapshotFormatConvertXMLFlags(flags));
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotNumWork(virDomainPtr dom,
                           unsigned int flags,
                           libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_ROOTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return -1;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    ret = virDomainSnapshotObjListNum(vm->snapshots, NULL, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotListNamesWork(virDomainPtr dom,
                                 char **names,
                                 int maxnames,
                                 unsigned int flags,
                                 libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_ROOTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return -1;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    ret = virDomainSnapshotObjListGetNames(vm->snapshots, NULL, names, maxnames, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainListAllSnapshotsWork(virDomainPtr dom,
                                virDomainSnapshotPtr **snaps,
                                unsigned int flags,
                                libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_ROOTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return -1;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    ret = virDomainListSnapshots(vm->snapshots, NULL, dom, snaps, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotNumChildrenWork(virDomainSnapshotPtr snapshot,
                                   unsigned int flags,
                                   libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    ret = virDomainSnapshotObjListNum(vm->snapshots, snap, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotListChildrenNamesWork(virDomainSnapshotPtr snapshot,
                                         char **names,
                                         int maxnames,
                                         unsigned int flags,
                                         libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    ret = virDomainSnapshotObjListGetNames(vm->snapshots, snap, names, maxnames, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotListAllChildrenWork(virDomainSnapshotPtr snapshot,
                                       virDomainSnapshotPtr **snaps,
                                       unsigned int flags,
                                       libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS |
                  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
                  VIR_DOMAIN_SNAPSHOT_FILTERS_ALL, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    ret = virDomainListSnapshots(vm->snapshots, snap, snapshot->domain, snaps, flags);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


virDomainSnapshotPtr
libxlDomainSnapshotLookupByNameWork(virDomainPtr dom,
                                    const char *name,
                                    unsigned int flags,
                                    libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    virDomainSnapshotPtr ret = NULL;

    virCheckFlags(0, NULL);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return NULL;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, name)))
        goto cleanup;
    ret = virGetDomainSnapshot(dom, snap->def->name);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainHasCurrentSnapshotWork(virDomainPtr dom,
                                  unsigned int flags,
                                  libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return -1;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    ret = virDomainSnapshotGetCurrent(vm->snapshots) != NULL;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


virDomainSnapshotPtr
libxlDomainSnapshotGetParentWork(virDomainSnapshotPtr snapshot,
                                 unsigned int flags,
                                 libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    virDomainSnapshotPtr ret = NULL;

    virCheckFlags(0, NULL);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return NULL;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    if (!snap->def->parent_name) {
        virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT,
                       _("snapshot '%s' does not have a parent"), snap->def->name);
        goto cleanup;
    }
    ret = virGetDomainSnapshot(snapshot->domain, snap->def->parent_name);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


virDomainSnapshotPtr
libxlDomainSnapshotCurrentWork(virDomainPtr dom,
                               unsigned int flags,
                               libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *current;
    virDomainSnapshotPtr ret = NULL;

    virCheckFlags(0, NULL);

    if (!(vm = libxlDomainObjFromDomain(dom->conn->privateData, dom)))
        return NULL;
    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;
    if (!(current = virDomainSnapshotGetCurrent(vm->snapshots))) {
        virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT,
                       _("domain '%s' has no current snapshot"), vm->def->name);
        goto cleanup;
    }
    ret = virGetDomainSnapshot(dom, current->def->name);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotIsCurrentWork(virDomainSnapshotPtr snapshot,
                                 unsigned int flags,
                                 libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    virDomainMomentObj *snap;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto cleanup;
    ret = snap == virDomainSnapshotGetCurrent(vm->snapshots);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSnapshotHasMetadataWork(virDomainSnapshotPtr snapshot,
                                   unsigned int flags,
                                   libxlSnapshotACLCheck aclCheck)
{
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (!libxlSnapshotObjFromName(vm, snapshot->name))
        goto cleanup;
    /* every snapshot this driver lists has metadata */
    ret = 1;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- revert ------------------------------------------------------- */

/* The overlays a revert to @snapdef makes: <overlay>-revert-N. */
static char **
libxlSnapshotRevertPaths(virDomainSnapshotDef *snapdef)
{
    char **paths = g_new0(char *, snapdef->ndisks + 1);
    size_t i;
    unsigned int n;

    for (i = 0; i < snapdef->ndisks; i++) {
        if (snapdef->disks[i].snapshot != VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL ||
            !snapdef->disks[i].src->path)
            continue;
        for (n = 1; ; n++) {
            g_autofree char *path = g_strdup_printf("%s%s%u", snapdef->disks[i].src->path,
                                                    LIBXL_SNAPSHOT_REVERT_TAG, n);

            if (!virFileExists(path)) {
                paths[i] = g_steal_pointer(&path);
                break;
            }
        }
    }
    return paths;
}


int
libxlDomainRevertToSnapshotWork(virDomainSnapshotPtr snapshot,
                                unsigned int flags,
                                libxlSnapshotACLCheck aclCheck)
{
    libxlDriverPrivate *driver = snapshot->domain->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) persistent = NULL;
    g_autoptr(virDomainDef) live = NULL;
    g_autoptr(GHashTable) needed = NULL;
    g_auto(GStrv) paths = NULL;
    g_autoptr(GPtrArray) oldDisks = g_ptr_array_new_with_free_func(g_free);
    virDomainSnapshotDef *snapdef;
    virDomainMomentObj *snap;
    virDomainObj *vm;
    bool memory;
    bool paused;
    bool start;
    size_t i;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING |
                  VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED |
                  VIR_DOMAIN_SNAPSHOT_REVERT_FORCE, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING,
                            VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "snapshot-revert") < 0)
        goto cleanup;

    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto endjob;
    snapdef = virDomainSnapshotObjGetDef(snap);

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot revert transient domain '%s'"), vm->def->name);
        goto endjob;
    }
    if (!snapdef->parent.dom) {
        virReportError(VIR_ERR_SNAPSHOT_REVERT_RISKY,
                       _("snapshot '%s' lacks the domain's definition to revert to"),
                       snap->def->name);
        goto endjob;
    }

    switch (snapdef->state) {
    case VIR_DOMAIN_SNAPSHOT_RUNNING:
    case VIR_DOMAIN_SNAPSHOT_PAUSED:
        memory = true;
        break;
    case VIR_DOMAIN_SNAPSHOT_SHUTOFF:
    case VIR_DOMAIN_SNAPSHOT_SHUTDOWN:
    case VIR_DOMAIN_SNAPSHOT_CRASHED:
    case VIR_DOMAIN_SNAPSHOT_DISK_SNAPSHOT:
        memory = false;
        break;
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot revert to snapshot '%s' in state '%s'"),
                       snap->def->name, virDomainSnapshotStateTypeToString(snapdef->state));
        goto endjob;
    }
    if (memory && (snapdef->memory != VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL ||
                   !snapdef->memorysnapshotfile ||
                   !virFileExists(snapdef->memorysnapshotfile))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("snapshot '%s' has no memory image to revert to ('%s' is missing)"),
                       snap->def->name, NULLSTR(snapdef->memorysnapshotfile));
        goto endjob;
    }
    paused = (flags & VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED) ||
        (memory && snapdef->state == VIR_DOMAIN_SNAPSHOT_PAUSED &&
         !(flags & VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING));
    start = memory || (flags & (VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING |
                                VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED));

    for (i = 0; i < snapdef->ndisks; i++) {
        virDomainDiskDef *disk = libxlSnapshotStateDisk(snapdef, i);

        if (snapdef->disks[i].snapshot != VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        if (!disk || !virFileExists(virDomainDiskGetSource(disk))) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("disk '%s' of snapshot '%s': its image '%s' is missing"),
                           snapdef->disks[i].name, snap->def->name,
                           disk ? NULLSTR(virDomainDiskGetSource(disk)) : "?");
            goto endjob;
        }
    }

    /* the definitions the domain gets: the snapshot's, on new overlays */
    if (!(persistent = virDomainDefCopy(snapdef->parent.inactiveDom ?
                                        snapdef->parent.inactiveDom : snapdef->parent.dom,
                                        driver->xmlopt, NULL, false)))
        goto endjob;
    if (memory &&
        !(live = virDomainDefCopy(snapdef->parent.dom, driver->xmlopt, NULL, false)))
        goto endjob;

    paths = libxlSnapshotRevertPaths(snapdef);
    if (libxlSnapshotMakeOverlays(snapdef, snapdef->parent.dom,
                                  (const char *const *) paths) < 0)
        goto endjob;
    libxlSnapshotDefUseOverlays(snapdef, persistent, paths);
    if (live)
        libxlSnapshotDefUseOverlays(snapdef, live, paths);

    /* the images the domain leaves: its live and persistent disks */
    for (i = 0; i < vm->def->ndisks; i++) {
        if (virDomainDiskGetSource(vm->def->disks[i]))
            g_ptr_array_add(oldDisks, g_strdup(virDomainDiskGetSource(vm->def->disks[i])));
    }
    for (i = 0; vm->newDef && i < vm->newDef->ndisks; i++) {
        if (virDomainDiskGetSource(vm->newDef->disks[i]))
            g_ptr_array_add(oldDisks, g_strdup(virDomainDiskGetSource(vm->newDef->disks[i])));
    }

    if (virDomainObjIsActive(vm)) {
        if (libxlProcessDestroy(driver, vm) < 0)
            goto out_remove;
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT,
                            VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
    }

    if (virDomainDefSave(persistent, driver->xmlopt, cfg->configDir) < 0)
        goto out_remove;
    virDomainObjAssignDef(vm, &persistent, false, NULL);
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT);

    libxlSnapshotSetCurrent(driver, vm, snap);
    if (libxlSnapshotWriteMetadata(driver, vm, snap) < 0) {
        VIR_WARN("cannot write snapshot '%s': %s", snap->def->name, virGetLastErrorMessage());
        virResetLastError();
    }

    /* the state the revert discards */
    needed = libxlSnapshotNeeded(vm, NULL, NULL);
    for (i = 0; i < oldDisks->len; i++)
        libxlSnapshotDropIfUnneeded(vm, NULL, needed, g_ptr_array_index(oldDisks, i));

    if (start) {
        if (memory) {
            if (libxlSaveRestoreObj(driver, vm, snapshot->domain->conn,
                                    snapdef->memorysnapshotfile, &live, paused) < 0)
                goto endjob;
        } else {
            if (libxlProcessStart(driver, vm, snapshot->domain->conn,
                                  paused ? LIBXL_PROCESS_START_PAUSED : 0) < 0)
                goto endjob;
            libxlProcessQueueEvent(driver,
                                   virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                                                     VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT));
            if (paused)
                libxlProcessQueueEvent(driver,
                                       virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                                         VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT));
        }
    }
    ret = 0;
    goto endjob;

 out_remove:
    for (i = 0; i < snapdef->ndisks; i++) {
        if (paths[i])
            unlink(paths[i]);
    }
 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- delete ------------------------------------------------------- */

/*
 * libxlSnapshotMergePlan:
 * Which disks of the domain a delete of @snap merges: those whose
 * current image sits directly on the snapshot's image when nothing else
 * needs that image, once the snapshots in @gone (@snap among them) are
 * gone.  *@merge[i] is set for disk i of the snapshot.  A running domain
 * cannot have them merged: refused, saying so.
 */
static int
libxlSnapshotMergePlan(virDomainObj *vm,
                       virDomainMomentObj *snap,
                       GPtrArray *gone,
                       bool *merge)
{
    virDomainSnapshotDef *snapdef = virDomainSnapshotObjGetDef(snap);
    virDomainDef *def = vm->newDef ? vm->newDef : vm->def;
    size_t i;

    for (i = 0; i < snapdef->ndisks; i++) {
        virDomainDiskDef *state = libxlSnapshotStateDisk(snapdef, i);
        virDomainDiskDef *disk;
        g_autoptr(GHashTable) needed = NULL;
        g_autofree char *backing = NULL;
        const char *image;

        merge[i] = false;
        if (snapdef->disks[i].snapshot != VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL ||
            !state || !(image = virDomainDiskGetSource(state)))
            continue;
        if (!(disk = virDomainDiskByName(def, snapdef->disks[i].name, false)) ||
            virDomainDiskGetType(disk) != VIR_STORAGE_TYPE_FILE ||
            !virDomainDiskGetSource(disk))
            continue;
        if (!(backing = libxlSnapshotImageBacking(virDomainDiskGetSource(disk))) ||
            STRNEQ(backing, image))
            continue;
        needed = libxlSnapshotNeeded(vm, gone, disk->dst);
        if (g_hash_table_contains(needed, image))
            continue;
        if (virDomainObjIsActive(vm)) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           _("cannot delete snapshot '%s': disk '%s' of running domain '%s' ('%s') would be merged into '%s', which Xen cannot do under a running guest; shut the domain off, or delete with --metadata to keep the images"),
                           snap->def->name, disk->dst, vm->def->name,
                           virDomainDiskGetSource(disk), image);
            return -1;
        }
        merge[i] = true;
    }
    return 0;
}


/* Delete @snap: its images merged or removed (unless @metadataOnly),
 * its children moved to its parent, its metadata removed. */
static int
libxlSnapshotDiscard(libxlDriverPrivate *driver,
                     virDomainObj *vm,
                     virDomainMomentObj *snap,
                     bool metadataOnly)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainSnapshotDef *snapdef = virDomainSnapshotObjGetDef(snap);
    virDomainMomentObj *parent = NULL;
    virDomainMomentObj *child;
    g_autofree bool *merge = g_new0(bool, snapdef->ndisks + 1);
    g_autoptr(GHashTable) needed = NULL;
    g_autoptr(GPtrArray) gone = g_ptr_array_new();
    bool current = virDomainSnapshotGetCurrent(vm->snapshots) == snap;
    size_t i;

    g_ptr_array_add(gone, snap);
    if (!metadataOnly && libxlSnapshotMergePlan(vm, snap, gone, merge) < 0)
        return -1;

    if (!metadataOnly) {
        virDomainDef *def = vm->def;
        bool changed = false;

        for (i = 0; i < snapdef->ndisks; i++) {
            virDomainDiskDef *disk;
            g_autofree char *top = NULL;

            if (!merge[i])
                continue;
            disk = virDomainDiskByName(def, snapdef->disks[i].name, false);
            top = g_strdup(virDomainDiskGetSource(disk));
            if (libxlSnapshotImageCommit(top) < 0)
                return -1;
            libxlSnapshotDiskUseImage(def, disk->dst, libxlSnapshotStateDisk(snapdef, i));
            changed = true;
            if (unlink(top) < 0)
                VIR_WARN("cannot remove '%s': %s", top, g_strerror(errno));
        }
        if (changed && virDomainDefSave(def, driver->xmlopt, cfg->configDir) < 0)
            return -1;
    }

    if (snap->def->parent_name)
        parent = virDomainSnapshotFindByName(vm->snapshots, snap->def->parent_name);

    /* the children go to the parent */
    for (child = snap->first_child; child; child = child->sibling) {
        g_free(child->def->parent_name);
        child->def->parent_name = g_strdup(parent ? parent->def->name : NULL);
        if (libxlSnapshotWriteMetadata(driver, vm, child) < 0) {
            VIR_WARN("cannot rewrite snapshot '%s': %s",
                     child->def->name, virGetLastErrorMessage());
            virResetLastError();
        }
    }
    if (snap->nchildren)
        virDomainMomentMoveChildren(snap, snap->parent);

    if (current) {
        virDomainSnapshotSetCurrent(vm->snapshots, parent);
        if (parent && libxlSnapshotWriteMetadata(driver, vm, parent) < 0) {
            VIR_WARN("cannot rewrite snapshot '%s': %s",
                     parent->def->name, virGetLastErrorMessage());
            virResetLastError();
        }
    }

    libxlSnapshotUnlinkMetadata(driver, vm, snap->def->name);
    virDomainMomentDropParent(snap);
    /* keep the definition for the clean-up below */
    virObjectRef(snapdef);
    virDomainSnapshotObjListRemove(vm->snapshots, snap);

    if (!metadataOnly) {
        /* what nobody needs any more: the overlay, the memory image */
        needed = libxlSnapshotNeeded(vm, NULL, NULL);
        for (i = 0; i < snapdef->ndisks; i++) {
            virDomainDiskDef *state = libxlSnapshotStateDisk(snapdef, i);
            virDomainSnapshotDiskDef *sdisk = &snapdef->disks[i];

            if (sdisk->snapshot != VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL)
                continue;
            if (sdisk->src->path && !g_hash_table_contains(needed, sdisk->src->path) &&
                virFileExists(sdisk->src->path) && unlink(sdisk->src->path) < 0)
                VIR_WARN("cannot remove '%s': %s", sdisk->src->path, g_strerror(errno));
            if (state)
                libxlSnapshotDropIfUnneeded(vm, NULL, needed, virDomainDiskGetSource(state));
        }
        if (snapdef->memory == VIR_DOMAIN_SNAPSHOT_LOCATION_EXTERNAL &&
            snapdef->memorysnapshotfile &&
            unlink(snapdef->memorysnapshotfile) < 0 && errno != ENOENT)
            VIR_WARN("cannot remove '%s': %s", snapdef->memorysnapshotfile,
                     g_strerror(errno));
    }
    virObjectUnref(snapdef);
    return 0;
}


/* The descendants of @snap, deepest first. */
static void
libxlSnapshotCollectDescendants(virDomainMomentObj *snap, GPtrArray *out)
{
    virDomainMomentObj *child;

    for (child = snap->first_child; child; child = child->sibling) {
        libxlSnapshotCollectDescendants(child, out);
        g_ptr_array_add(out, child);
    }
}


int
libxlDomainSnapshotDeleteWork(virDomainSnapshotPtr snapshot,
                              unsigned int flags,
                              libxlSnapshotACLCheck aclCheck)
{
    libxlDriverPrivate *driver = snapshot->domain->conn->privateData;
    g_autoptr(GPtrArray) victims = g_ptr_array_new();
    virDomainMomentObj *snap;
    virDomainObj *vm;
    bool metadataOnly = !!(flags & VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY);
    size_t i;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN |
                  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY |
                  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN,
                            VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY, -1);

    if (!(vm = libxlSnapshotDomObj(snapshot)))
        return -1;
    if (aclCheck(snapshot->domain->conn, vm->def) < 0)
        goto cleanup;
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "snapshot-delete") < 0)
        goto cleanup;
    if (!(snap = libxlSnapshotObjFromName(vm, snapshot->name)))
        goto endjob;

    if (flags & (VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN |
                 VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY))
        libxlSnapshotCollectDescendants(snap, victims);
    if (!(flags & VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY))
        g_ptr_array_add(victims, snap);

    /* nothing is deleted unless every merge can be done: each victim's
     * images are judged as if all the victims were gone */
    if (!metadataOnly && virDomainObjIsActive(vm)) {
        for (i = 0; i < victims->len; i++) {
            virDomainMomentObj *v = g_ptr_array_index(victims, i);
            g_autofree bool *merge =
                g_new0(bool, virDomainSnapshotObjGetDef(v)->ndisks + 1);

            if (libxlSnapshotMergePlan(vm, v, victims, merge) < 0)
                goto endjob;
        }
    }

    for (i = 0; i < victims->len; i++) {
        if (libxlSnapshotDiscard(driver, vm, g_ptr_array_index(victims, i),
                                 metadataOnly) < 0)
            goto endjob;
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}
