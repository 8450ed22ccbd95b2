/*
 * libxl_save.c: saved state: save images (virsh save, restore,
 * save-image-*), managed save, and core dumps
 *
 * A save image has the stock libvirt libxl driver's format, so that a
 * host that swaps modules keeps its images: a 64-byte header (the magic
 * "libvirt-xml\n \0 \r", a version, the length of the domain XML that
 * follows with its NUL, ten unused words), the XML, then libxl's own
 * stream, which libxl_domain_suspend writes and
 * libxl_domain_create_restore reads; the header's version is the
 * stream's (2: libxl's v2 stream).  The first unused word holds this
 * driver's flags (an image of a paused domain restores paused); the
 * stock module writes it zero.
 *
 * The timeline of a save (the caller holds the domain's job):
 *   a temporary file (0600) beside the image <- header, XML;
 *   a paused domain is unpaused first (libxl suspends a running guest);
 *   libxl_domain_suspend, an AO waited for with the domain unlocked:
 *     libxl asks the guest to suspend and its save helper writes the
 *     stream (domjobinfo reads the progress off the fd's offset);
 *   success: the file is renamed into place, the suspended domain is
 *     destroyed (shut off, reason saved);
 *   failure or domjobabort: libxl_domain_resume, the file removed, the
 *     domain runs (or stays paused) as before.
 * A restore reads the header and XML, then hands the fd, positioned at
 * the stream, to libxl_domain_create_restore through libxlProcessRestore:
 * an aborted or failed restore leaves no domain behind.
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
#include "virdomainobjlist.h"
#include "libxl_domain.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_save.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_save");

#define LIBXL_SAVE_MAGIC "libvirt-xml\n \0 \r"
#define LIBXL_SAVE_VERSION 2
/* the qemu driver's images, named when one is given to this driver */
#define LIBXL_SAVE_QEMU_MAGIC "LibvirtQemudSave"
/* no domain XML comes near this */
#define LIBXL_SAVE_XML_MAX (16 * 1024 * 1024)

/* flags in unused[0] */
#define LIBXL_SAVE_FLAG_PAUSED (1 << 0)

typedef struct _libxlSaveHeader libxlSaveHeader;
struct _libxlSaveHeader {
    char magic[sizeof(LIBXL_SAVE_MAGIC) - 1];
    uint32_t version;
    uint32_t xmlLen;
    uint32_t unused[10];
};
G_STATIC_ASSERT(sizeof(libxlSaveHeader) == 64);


/* ---- the image ---------------------------------------------------- */

/*
 * libxlSaveImageOpen:
 * Open the save image @path and read its header and domain XML: the
 * fd, positioned at libxl's stream, with *@hdr, *@xml (NUL-terminated)
 * and, unless @def is NULL, the parsed definition; or -1 with an error
 * that says what is wrong with the file.
 */
static int
libxlSaveImageOpen(libxlDriverPrivate *driver,
                   const char *path,
                   libxlSaveHeader *hdr,
                   char **xml,
                   virDomainDef **def)
{
    VIR_AUTOCLOSE fd = -1;
    g_autofree char *text = NULL;
    g_autoptr(virDomainDef) parsed = NULL;
    struct stat sb;
    ssize_t r;
    int ret;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open save image '%s'"), path);
        return -1;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' is not a save image: not a regular file"), path);
        return -1;
    }

    if ((r = saferead(fd, hdr, sizeof(*hdr))) < 0) {
        virReportSystemError(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    if (r >= (ssize_t) sizeof(LIBXL_SAVE_QEMU_MAGIC) - 1 &&
        memcmp(hdr, LIBXL_SAVE_QEMU_MAGIC, sizeof(LIBXL_SAVE_QEMU_MAGIC) - 1) == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' is a QEMU save image, not a Xen one"), path);
        return -1;
    }
    if (r < (ssize_t) sizeof(hdr->magic) ||
        memcmp(hdr->magic, LIBXL_SAVE_MAGIC, sizeof(hdr->magic)) != 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' is not a save image of a Xen domain (no libvirt-xml header)"),
                       path);
        return -1;
    }
    if (r < (ssize_t) sizeof(*hdr)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' is truncated: %zd bytes of its %zu-byte header"),
                       path, r, sizeof(*hdr));
        return -1;
    }
    if (hdr->version < 1 || hdr->version > LIBXL_SAVE_VERSION) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' has version %u; versions 1 to %d are known"),
                       path, hdr->version, LIBXL_SAVE_VERSION);
        return -1;
    }
    if (hdr->xmlLen < 2 || hdr->xmlLen > LIBXL_SAVE_XML_MAX) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' is corrupted: its domain XML is said to be %u bytes"),
                       path, hdr->xmlLen);
        return -1;
    }

    text = g_new0(char, hdr->xmlLen);
    if ((r = saferead(fd, text, hdr->xmlLen)) < 0) {
        virReportSystemError(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    if (r < (ssize_t) hdr->xmlLen) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' is truncated: %zd bytes of its %u-byte domain XML"),
                       path, r, hdr->xmlLen);
        return -1;
    }
    if (text[hdr->xmlLen - 1] != '\0' || strlen(text) != hdr->xmlLen - 1) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' is corrupted: its domain XML is not text"),
                       path);
        return -1;
    }
    if (sb.st_size <= (off_t) (sizeof(*hdr) + hdr->xmlLen)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("save image '%s' is truncated: it ends before libxl's stream"),
                       path);
        return -1;
    }

    if (def) {
        if (!(parsed = virDomainDefParseString(text, driver->xmlopt, NULL,
                                               VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                               VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE))) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("the domain XML in save image '%s' is invalid: %s"),
                           path, virGetLastErrorMessage());
            return -1;
        }
        *def = g_steal_pointer(&parsed);
    }
    *xml = g_steal_pointer(&text);
    ret = fd;
    fd = -1;
    return ret;
}


/* Write the header and @xml of an image (the stream follows) to @fd. */
static int
libxlSaveImageWriteHeader(int fd,
                          const char *path,
                          const char *xml,
                          uint32_t version,
                          uint32_t flags)
{
    libxlSaveHeader hdr;
    size_t len = strlen(xml) + 1;

    memset(&hdr, 0, sizeof(hdr));
    memcpy(hdr.magic, LIBXL_SAVE_MAGIC, sizeof(hdr.magic));
    hdr.version = version;
    hdr.xmlLen = len;
    hdr.unused[0] = flags;

    if (safewrite(fd, &hdr, sizeof(hdr)) != sizeof(hdr) ||
        safewrite(fd, xml, len) != (ssize_t) len) {
        virReportSystemError(errno, _("cannot write save image '%s'"), path);
        return -1;
    }
    return 0;
}


/*
 * libxlSaveTempName:
 * The name of a new file beside @path, named after it: what a save or
 * dump writes until it is complete and renamed to @path.  A save or a
 * dump records it in the domain's status before the file exists
 * (libxlSaveTempOpen), so that a daemon killed in between leaves nothing
 * the next one does not know of.
 */
static char *
libxlSaveTempName(const char *path)
{
    return g_strdup_printf("%s.partial-%06x", path,
                           (unsigned int) g_random_int_range(0, 0x1000000));
}


/* Create @tmp (libxlSaveTempName), 0600; its fd, or -1. */
static int
libxlSaveTempOpen(const char *tmp)
{
    int fd;

    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR)) < 0) {
        virReportSystemError(errno, _("cannot create the file '%s'"), tmp);
        return -1;
    }
    return fd;
}


/* A new file for @path (libxlSaveTempName): its name in *@tmp; the fd,
 * or -1. */
static int
libxlSaveTempCreate(const char *path, char **tmp)
{
    g_autofree char *name = libxlSaveTempName(path);
    int fd;

    if ((fd = libxlSaveTempOpen(name)) < 0)
        return -1;
    *tmp = g_steal_pointer(&name);
    return fd;
}


/* Make the complete @tmp the file @path (data on disk first). */
static int
libxlSaveTempCommit(int fd, const char *tmp, const char *path, bool bypassCache)
{
    if (fd >= 0 && fsync(fd) < 0) {
        virReportSystemError(errno, _("cannot write '%s'"), path);
        return -1;
    }
    /* --bypass-cache: the image does not stay in the page cache (libxl's
     * helper writes unaligned records: O_DIRECT is not for it) */
    if (fd >= 0 && bypassCache)
        ignore_value(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
    if (rename(tmp, path) < 0) {
        virReportSystemError(errno, _("cannot rename '%s' to '%s'"), tmp, path);
        return -1;
    }
    return 0;
}


/*
 * libxlSaveImageGetXML:
 * The domain XML of the image @path as save-image-dumpxml shows it
 * (VIR_DOMAIN_SAVE_IMAGE_XML_SECURE for passwords), and its definition
 * in *@defOut (for the ACL check) unless NULL.
 */
char *
libxlSaveImageGetXML(libxlDriverPrivate *driver,
                     const char *path,
                     unsigned int flags,
                     virDomainDef **defOut)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    libxlSaveHeader hdr;
    VIR_AUTOCLOSE fd = -1;
    unsigned int formatFlags = VIR_DOMAIN_DEF_FORMAT_INACTIVE;

    if ((fd = libxlSaveImageOpen(driver, path, &hdr, &xml, &def)) < 0)
        return NULL;
    if (flags & VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)
        formatFlags |= VIR_DOMAIN_DEF_FORMAT_SECURE;

    g_free(xml);
    if (!(xml = virDomainDefFormat(def, driver->xmlopt, formatFlags)))
        return NULL;
    if (defOut)
        *defOut = g_steal_pointer(&def);
    return g_steal_pointer(&xml);
}


/*
 * libxlSaveParseReplacement:
 * @dxml, the definition a user gives to replace @def's in an image
 * (save --xml, restore --xml, save-image-define): the same domain with
 * the same guest ABI, only host-side details changed.
 */
static virDomainDef *
libxlSaveParseReplacement(libxlDriverPrivate *driver,
                          virDomainDef *def,
                          const char *dxml)
{
    g_autoptr(virDomainDef) newdef = NULL;

    if (!(newdef = virDomainDefParseString(dxml, driver->xmlopt, NULL,
                                           VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (STRNEQ(newdef->name, def->name) ||
        memcmp(newdef->uuid, def->uuid, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the replacement XML is of domain '%s', the image of '%s'"),
                       newdef->name, def->name);
        return NULL;
    }
    if (!virDomainDefCheckABIStability(def, newdef, driver->xmlopt))
        return NULL;
    return g_steal_pointer(&newdef);
}


/*
 * libxlSaveImageDefineXML:
 * save-image-define: the image @path gets @dxml (or, without it, only
 * the state flags) as its domain XML; VIR_DOMAIN_SAVE_RUNNING or
 * _PAUSED set the state a restore brings it back in.  The stream is
 * copied behind the new header into a new file that replaces the old
 * one only when complete.
 */
int
libxlSaveImageDefineXML(libxlDriverPrivate *driver,
                        const char *path,
                        const char *dxml,
                        unsigned int flags)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) newdef = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *newxml = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *buf = NULL;
    libxlSaveHeader hdr;
    VIR_AUTOCLOSE fd = -1;
    VIR_AUTOCLOSE out = -1;
    uint32_t imageFlags;
    ssize_t r;
    int ret = -1;

    if ((fd = libxlSaveImageOpen(driver, path, &hdr, &xml, &def)) < 0)
        return -1;

    if (dxml) {
        if (!(newdef = libxlSaveParseReplacement(driver, def, dxml)) ||
            !(newxml = virDomainDefFormat(newdef, driver->xmlopt,
                                          VIR_DOMAIN_DEF_FORMAT_SECURE)))
            return -1;
    } else {
        newxml = g_steal_pointer(&xml);
    }

    imageFlags = hdr.unused[0];
    if (flags & VIR_DOMAIN_SAVE_PAUSED)
        imageFlags |= LIBXL_SAVE_FLAG_PAUSED;
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        imageFlags &= ~LIBXL_SAVE_FLAG_PAUSED;

    if ((out = libxlSaveTempCreate(path, &tmp)) < 0)
        return -1;
    if (libxlSaveImageWriteHeader(out, path, newxml, hdr.version, imageFlags) < 0)
        goto cleanup;

    buf = g_new(char, 1024 * 1024);
    while ((r = saferead(fd, buf, 1024 * 1024)) > 0) {
        if (safewrite(out, buf, r) != r) {
            virReportSystemError(errno, _("cannot write '%s'"), tmp);
            goto cleanup;
        }
    }
    if (r < 0) {
        virReportSystemError(errno, _("cannot read save image '%s'"), path);
        goto cleanup;
    }

    if (libxlSaveTempCommit(out, tmp, path, false) < 0)
        goto cleanup;
    g_clear_pointer(&tmp, g_free);
    ret = 0;

 cleanup:
    if (tmp)
        unlink(tmp);
    return ret;
}


/* ---- managed save ------------------------------------------------- */

/* Where the managed-save image of @vm is (the stock module's place). */
char *
libxlSaveManagedPath(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    return g_strdup_printf("%s/%s.save", cfg->saveDir, vm->def->name);
}


static int
libxlSaveManagedDetectOne(virDomainObj *vm, void *opaque)
{
    libxlDriverPrivate *driver = opaque;
    g_autofree char *path = NULL;

    virObjectLock(vm);
    if (vm->persistent && vm->def->id != 0 &&
        libxlDomainNameCheck(vm->def->name) == 0) {
        path = libxlSaveManagedPath(driver, vm);
        vm->hasManagedSave = virFileExists(path);
    }
    virResetLastError();
    virObjectUnlock(vm);
    return 0;
}


/*
 * libxlSaveManagedDetect:
 * At daemon start: which domains have a managed-save image, this
 * module's or the stock module's (the same file).
 */
void
libxlSaveManagedDetect(libxlDriverPrivate *driver)
{
    virDomainObjListForEach(driver->domains, false,
                            libxlSaveManagedDetectOne, driver);
}


/* ---- save --------------------------------------------------------- */

static int
libxlSaveSuspendFunc(libxl_ctx *ctx,
                     uint32_t domid,
                     const libxl_asyncop_how *how,
                     void *opaque)
{
    int *fd = opaque;

    return libxl_domain_suspend(ctx, domid, *fd, 0, how);
}



/*
 * libxlSaveCancel:
 * A save of @vm (locked, with its job) that failed after libxl began to
 * suspend the guest: the guest goes on where it was suspended (paused
 * again if @paused), the job's data and the status's save job end.  The
 * error reported is kept.
 */
static void
libxlSaveCancel(libxlDriverPrivate *driver, virDomainObj *vm, bool paused)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virErrorPtr saved;

    virErrorPreserveLast(&saved);
    if (virDomainObjIsActive(vm) &&
        (libxl_domain_resume(cfg->ctx, vm->def->id, 1, NULL) != 0 ||
         libxlProcessRewatchDeath(driver, vm) < 0))
        VIR_WARN("cannot resume domain '%s' after a failed save", vm->def->name);
    if (paused && virDomainObjIsActive(vm) &&
        libxlDomainAORun(vm, cfg->ctx, "save", libxlDomainAOPause, NULL) != 0)
        VIR_WARN("cannot pause domain '%s' again", vm->def->name);
    libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, false));
    libxlDomainStatusJobEnd(driver, vm);
    virErrorRestore(&saved);
}

/*
 * libxlSaveDomain:
 * Save the running (or paused) @vm to @path, with @dxml as the image's
 * XML if given; @flags: VIR_DOMAIN_SAVE_BYPASS_CACHE, _RUNNING,
 * _PAUSED.  @vm is locked, with a job; on success it is shut off
 * (reason saved, the STOPPED event queued) and, if @managed, has a
 * managed-save image.  On failure it runs as it did, and no file is
 * left.
 */
int
libxlSaveDomain(libxlDriverPrivate *driver,
                virDomainObj *vm,
                const char *path,
                const char *dxml,
                unsigned int flags,
                bool managed)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newdef = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *tmp = NULL;
    virObjectEvent *event;
    bool paused = virDomainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED;
    uint32_t imageFlags = 0;
    int fd = -1;
    int rc;
    int ret = -1;

    if (dxml) {
        if (!(newdef = libxlSaveParseReplacement(driver, vm->def, dxml)))
            return -1;
        xml = virDomainDefFormat(newdef, driver->xmlopt, VIR_DOMAIN_DEF_FORMAT_SECURE);
    } else {
        xml = virDomainDefFormat(vm->def, driver->xmlopt, VIR_DOMAIN_DEF_FORMAT_SECURE);
    }
    if (!xml)
        return -1;

    if ((flags & VIR_DOMAIN_SAVE_PAUSED) ||
        (paused && !(flags & VIR_DOMAIN_SAVE_RUNNING)))
        imageFlags |= LIBXL_SAVE_FLAG_PAUSED;

    /* a daemon that dies from here on leaves the image partial (and,
     * once libxl suspended it, the guest suspended): the status says so
     * before the file exists, for the next one to remove the file and
     * resume the guest (or finish the save, the image complete) */
    tmp = libxlSaveTempName(path);
    libxlDomainStatusJobSet(driver, vm, "save", tmp, path, managed, paused);
    if ((fd = libxlSaveTempOpen(tmp)) < 0) {
        g_clear_pointer(&tmp, g_free);
        goto out_job;
    }
    if (libxlSaveImageWriteHeader(fd, tmp, xml, LIBXL_SAVE_VERSION, imageFlags) < 0)
        goto out_job;

    /* libxl suspends a guest that runs */
    if (paused) {
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "save", libxlDomainAOUnpause, NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot unpause domain '%s' to save it"),
                             vm->def->name);
            goto out_job;
        }
    }

    libxlDomainJobDataBegin(vm, VIR_DOMAIN_JOB_OPERATION_SAVE, fd,
                            sizeof(libxlSaveHeader) + strlen(xml) + 1, NULL,
                            vm->def->mem.cur_balloon * 1024ULL);
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "save", libxlSaveSuspendFunc, &fd);
    if (rc == 0 && libxlSaveTempCommit(fd, tmp, path,
                                       flags & VIR_DOMAIN_SAVE_BYPASS_CACHE) < 0)
        rc = ERROR_FAIL;
    else if (rc == ERROR_ABORTED)
        libxlReportError(VIR_ERR_OPERATION_ABORTED,
                         _("saving domain '%s' was aborted"), vm->def->name);
    else if (rc != 0)
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to save domain '%s'"), vm->def->name);

    if (rc != 0) {
        libxlSaveCancel(driver, vm, paused);
        goto out_remove;
    }
    g_clear_pointer(&tmp, g_free);

    /* the image is complete: the suspended domain goes; if it cannot,
     * the save failed: the guest goes on and the image is removed (a
     * later restore of it next to the running guest would fork it) */
    if (libxlProcessDestroy(driver, vm) < 0) {
        libxlSaveCancel(driver, vm, paused);
        if (unlink(path) < 0 && errno != ENOENT)
            VIR_WARN("cannot remove save image '%s'", path);
        goto out_close;
    }
    event = libxlDomainJobDataEnd(vm, true);
    if (managed)
        vm->hasManagedSave = true;
    libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_SAVED,
                        VIR_DOMAIN_EVENT_STOPPED_SAVED);
    libxlProcessQueueEvent(driver, event);
    ret = 0;
    goto out_close;

 out_job:
    libxlDomainStatusJobEnd(driver, vm);
 out_remove:
    if (tmp)
        unlink(tmp);
 out_close:
    VIR_FORCE_CLOSE(fd);
    return ret;
}


/* ---- restore ------------------------------------------------------ */

/*
 * libxlSaveRestoreInto:
 * Bring @vm (locked, with a job, its definition the image's) back from
 * the stream @fd is positioned at; @paused: leave it paused.  The
 * STARTED (and SUSPENDED) events are queued.
 */
static int
libxlSaveRestoreInto(libxlDriverPrivate *driver,
                     virDomainObj *vm,
                     virConnectPtr conn,
                     int fd,
                     const libxlSaveHeader *hdr,
                     unsigned int startFlags,
                     bool paused)
{
    struct stat sb;
    virObjectEvent *event;
    int ret;

    if (paused)
        startFlags |= LIBXL_PROCESS_START_PAUSED;

    libxlDomainJobDataBegin(vm, VIR_DOMAIN_JOB_OPERATION_RESTORE, fd,
                            sizeof(*hdr) + hdr->xmlLen, NULL,
                            fstat(fd, &sb) == 0 ?
                            sb.st_size - sizeof(*hdr) - hdr->xmlLen : 0);
    ret = libxlProcessRestore(driver, vm, conn, startFlags, fd, hdr->version);
    event = libxlDomainJobDataEnd(vm, ret == 0);
    if (ret < 0)
        return -1;

    libxlProcessQueueEvent(driver,
                           virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                                             VIR_DOMAIN_EVENT_STARTED_RESTORED));
    if (paused)
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                                 VIR_DOMAIN_EVENT_SUSPENDED_RESTORED));
    libxlProcessQueueEvent(driver, event);
    return 0;
}


/* Should the domain of an image with @hdr come back paused? */
static bool
libxlSaveWantPaused(const libxlSaveHeader *hdr, unsigned int flags)
{
    if (flags & VIR_DOMAIN_SAVE_PAUSED)
        return true;
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        return false;
    return hdr->unused[0] & LIBXL_SAVE_FLAG_PAUSED;
}


/*
 * libxlSaveRestore:
 * virsh restore: the domain of the image @path (its XML replaced by
 * @dxml if given) runs again; @flags as for a save.  @aclCheck is the
 * entry point's ACL check, made on the domain the image defines once it
 * is read.  The locked, referenced object (virDomainObjEndAPI), or NULL
 * and no domain.
 */
virDomainObj *
libxlSaveRestore(libxlDriverPrivate *driver,
                 virConnectPtr conn,
                 const char *path,
                 const char *dxml,
                 unsigned int flags,
                 libxlSaveRestoreACLCheck aclCheck)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) newdef = NULL;
    g_autofree char *xml = NULL;
    libxlSaveHeader hdr;
    VIR_AUTOCLOSE fd = -1;
    virDomainObj *vm = NULL;

    if ((fd = libxlSaveImageOpen(driver, path, &hdr, &xml, &def)) < 0)
        return NULL;

    if (dxml) {
        if (!(newdef = libxlSaveParseReplacement(driver, def, dxml)))
            return NULL;
        g_clear_pointer(&def, virDomainDefFree);
        def = g_steal_pointer(&newdef);
    }

    if (aclCheck(conn, def) < 0 ||
        libxlDomainNameCheck(def->name) < 0)
        return NULL;

    if (libxlDomainDefCheckIdle(driver, def) < 0)
        return NULL;

    if (!(vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE |
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE,
                                   NULL)))
        return NULL;

    /* a job another thread took first makes the domain its own (see
     * libxlDomainDefCheckIdle): it is not this restore's to remove */
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "restore") < 0)
        goto out;

    if (libxlSaveRestoreInto(driver, vm, conn, fd, &hdr, 0,
                             libxlSaveWantPaused(&hdr, flags)) < 0) {
        if (!vm->persistent && !virDomainObjIsActive(vm))
            virDomainObjListRemove(driver->domains, vm);
        libxlDomainObjEndJob(vm);
        goto out;
    }
    libxlDomainObjEndJob(vm);
    return vm;

 out:
    virDomainObjEndAPI(&vm);
    return NULL;
}


/*
 * libxlSaveStart:
 * virsh start: the inactive @vm (locked, with a job) boots, or, if it
 * has a managed-save image and not @forceBoot, comes back from it (the
 * image is removed once it has).  With @forceBoot the image is
 * discarded first.  The STARTED event is queued.
 */
int
libxlSaveStart(libxlDriverPrivate *driver,
               virDomainObj *vm,
               virConnectPtr conn,
               unsigned int startFlags,
               bool forceBoot)
{
    g_autofree char *path = libxlSaveManagedPath(driver, vm);
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    libxlSaveHeader hdr;
    VIR_AUTOCLOSE fd = -1;

    if (vm->hasManagedSave && forceBoot) {
        if (unlink(path) < 0 && errno != ENOENT) {
            virReportSystemError(errno,
                                 _("cannot remove the managed-save image '%s'"), path);
            return -1;
        }
        vm->hasManagedSave = false;
    }

    if (!vm->hasManagedSave) {
        if (libxlProcessStart(driver, vm, conn, startFlags) < 0)
            return -1;
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                                                 VIR_DOMAIN_EVENT_STARTED_BOOTED));
        if (startFlags & LIBXL_PROCESS_START_PAUSED)
            libxlProcessQueueEvent(driver,
                                   virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
        return 0;
    }

    if ((fd = libxlSaveImageOpen(driver, path, &hdr, &xml, &def)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot start domain '%s' from its managed-save image: %s (start --force-boot discards it)"),
                       vm->def->name, virGetLastErrorMessage());
        return -1;
    }
    if (memcmp(def->uuid, vm->def->uuid, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the managed-save image '%s' is of another domain, '%s' (start --force-boot discards it)"),
                       path, def->name);
        return -1;
    }

    /* the image's definition runs; the persistent one stays next */
    virDomainObjAssignDef(vm, &def, true, NULL);
    if (libxlSaveRestoreInto(driver, vm, conn, fd, &hdr, startFlags,
                             !!(startFlags & LIBXL_PROCESS_START_PAUSED) ||
                             libxlSaveWantPaused(&hdr, 0)) < 0)
        return -1;

    if (unlink(path) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove the managed-save image '%s': %s",
                 path, g_strerror(errno));
    vm->hasManagedSave = false;
    return 0;
}


/*
 * libxlSaveRestoreObj:
 * The inactive @vm (locked, with a job) comes back from the save image
 * @path, running the definition *@def (taken; the image's if NULL: it
 * must be of the same domain), paused if @paused, else running.  The persistent definition stays next.  What a snapshot's
 * revert and its switch to new disk overlays use; the image stays.
 */
int
libxlSaveRestoreObj(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    virConnectPtr conn,
                    const char *path,
                    virDomainDef **def,
                    bool paused)
{
    g_autoptr(virDomainDef) imgdef = NULL;
    g_autofree char *xml = NULL;
    libxlSaveHeader hdr;
    VIR_AUTOCLOSE fd = -1;

    if ((fd = libxlSaveImageOpen(driver, path, &hdr, &xml, &imgdef)) < 0)
        return -1;
    if (memcmp(imgdef->uuid, vm->def->uuid, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the save image '%s' is of another domain, '%s'"),
                       path, imgdef->name);
        return -1;
    }
    if (def && *def)
        virDomainObjAssignDef(vm, def, true, NULL);
    else
        virDomainObjAssignDef(vm, &imgdef, true, NULL);
    return libxlSaveRestoreInto(driver, vm, conn, fd, &hdr, 0,
                                paused);
}


/* ---- core dumps --------------------------------------------------- */

static int
libxlSaveDumpFunc(libxl_ctx *ctx,
                  uint32_t domid,
                  const libxl_asyncop_how *how,
                  void *opaque)
{
    return libxl_domain_core_dump(ctx, domid, opaque, how);
}


/*
 * libxlSaveCoreDump:
 * virsh dump: the memory of the running @vm (locked, with a job) into
 * @path, through a temporary file.  The domain is paused meanwhile
 * unless VIR_DUMP_LIVE, destroyed after with VIR_DUMP_CRASH.
 */
int
libxlSaveCoreDump(libxlDriverPrivate *driver,
                  virDomainObj *vm,
                  const char *path,
                  unsigned int flags)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    g_autofree char *tmp = NULL;
    bool pause = !(flags & VIR_DUMP_LIVE) &&
        virDomainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING;
    VIR_AUTOCLOSE fd = -1;
    int rc;
    int ret = -1;

    /* recorded before the file exists and the guest is paused (a daemon
     * killed in between: libxlProcessReconnectJob) */
    tmp = libxlSaveTempName(path);
    libxlDomainStatusJobSet(driver, vm, "dump", tmp, path, false, pause);
    if ((fd = libxlSaveTempOpen(tmp)) < 0) {
        g_clear_pointer(&tmp, g_free);
        goto cleanup;
    }

    if (pause) {
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "dump", libxlDomainAOPause, NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot pause domain '%s' to dump it"), vm->def->name);
            goto cleanup;
        }
    }

    libxlDomainJobDataBegin(vm, VIR_DOMAIN_JOB_OPERATION_DUMP, -1, 0, tmp,
                            vm->def->mem.cur_balloon * 1024ULL);
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "dump", libxlSaveDumpFunc, tmp);
    if (rc == ERROR_ABORTED)
        libxlReportError(VIR_ERR_OPERATION_ABORTED,
                         _("dumping domain '%s' was aborted"), vm->def->name);
    else if (rc != 0)
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to dump domain '%s'"), vm->def->name);
    else if (libxlSaveTempCommit(fd, tmp, path, flags & VIR_DUMP_BYPASS_CACHE) < 0)
        rc = ERROR_FAIL;
    libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, rc == 0));
    if (rc == 0)
        g_clear_pointer(&tmp, g_free);

    if (flags & VIR_DUMP_CRASH && rc == 0) {
        if (libxlProcessDestroy(driver, vm) < 0)
            goto cleanup;
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                            VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    } else if (pause && virDomainObjIsActive(vm)) {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "dump", libxlDomainAOUnpause, NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot resume domain '%s' after its dump"),
                             vm->def->name);
            /* the dump is complete and kept; the guest stays paused, and
             * says so (it said running while Xen had it paused) */
            virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_DUMP);
            libxlProcessQueueEvent(driver,
                                   virDomainEventLifecycleNewFromObj(vm,
                                                                     VIR_DOMAIN_EVENT_SUSPENDED,
                                                                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
            ignore_value(libxlDomainSaveStatus(driver, vm));
            virErrorRestore(&saved);
            goto cleanup;
        }
        virErrorRestore(&saved);
    }
    ret = rc == 0 ? 0 : -1;

 cleanup:
    if (tmp)
        unlink(tmp);
    if (priv->statusJob)
        libxlDomainStatusJobEnd(driver, vm);
    return ret;
}
