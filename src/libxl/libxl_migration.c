/*
 * libxl_migration.c: migration of domains between hosts (virsh migrate)
 *
 * libvirt's v3 protocol with extensible parameters, spoken as the stock
 * libvirt libxl driver speaks it, so that a guest moves between hosts
 * running either module:
 *  - the cookie is "<libxl-migration>" XML: the domain's name and uuid,
 *    the source's hostname, the version of libxl's stream;
 *  - the data is libxl's migration stream, raw: written by
 *    libxl_domain_suspend on the source, read by
 *    libxl_domain_create_restore on the destination, over a TCP
 *    connection from the source to a port of the destination's
 *    libxl.conf migration_portmin..migration_portmax, or, tunnelled, over
 *    a virStream of the connection between the two daemons.
 *
 * The timeline (source S, destination D):
 *   Begin (S):   the domain's XML and the cookie;
 *   Prepare (D): the domain object (paused to be), its job held until
 *                Finish, a listening socket (tcp://HOST:PORT back to the
 *                client) or the tunnel's stream; a receiving thread that
 *                accepts the connection and restores the domain, paused;
 *   Perform (S): connect, libxl_domain_suspend (LIBXL_SUSPEND_LIVE with
 *                --live) into a pipe that a pump thread copies to the
 *                connection, counting the bytes for domjobinfo and pacing
 *                them at the migrate-setspeed bandwidth; the suspended
 *                domain is kept, its job held until Confirm; a failure or
 *                domjobabort resumes it at once;
 *   Finish (D):  the restored domain runs (or stays paused with
 *                --suspend) and, with --persistent, is defined; if the
 *                migration was cancelled or the restore failed, it goes;
 *   Confirm (S): the domain is destroyed (shut off, migrated) and, with
 *                --undefinesource, undefined; if cancelled it resumes.
 * --p2p: the source's daemon drives Prepare, Finish and Confirm itself
 * over its own connection to the destination's daemon.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "internal.h"
#include "datatypes.h"
#include "domain_event.h"
#include "viralloc.h"
#include "virerror.h"
#include "virclosecallbacks.h"
#include "virfdstream.h"
#include "virfile.h"
#include "virlog.h"
#include "virnetdev.h"
#include "virportallocator.h"
#include "virthread.h"
#include "virtime.h"
#include "virtypedparam.h"
#include "viruri.h"
#include "virutil.h"
#include "virxml.h"
#include "virdomainobjlist.h"
#include "libxl_domain.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_migration.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_migration");

/* libxl's stream: version 2 (the save images' LIBXL_SAVE_VERSION) */
#define LIBXL_MIGRATION_STREAM_VERSION 2
#define LIBXL_MIGRATION_PUMP_BUF (256 * 1024)

typedef struct _libxlMigrationCookie libxlMigrationCookie;
struct _libxlMigrationCookie {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char *hostname;
    unsigned int version;
};

/* the source's copy of libxl's stream to the destination */
typedef struct _libxlMigrationPump libxlMigrationPump;
struct _libxlMigrationPump {
    int in;                     /* the pipe libxl writes */
    int out;                    /* the connection, or -1 ... */
    virStreamPtr st;            /* ... the tunnel */
    unsigned long long bandwidth;   /* bytes/s, 0: no limit */
    unsigned long long moved;   /* atomic */
    int error;                  /* errno of a failed write */
    virThread thread;
    /* a suspend during the migration (virsh migrate --timeout): the
     * guest paused by the user; libxl's last step asks it to suspend
     * itself, which a paused PV guest cannot do, so once the stream
     * stalls on that the pump lets it run (atomic) */
    libxl_ctx *ctx;
    uint32_t domid;
    int userPause;              /* LIBXL_MIGRATION_USER_PAUSE_* */
};

enum {
    LIBXL_MIGRATION_USER_PAUSE_NONE = 0,
    LIBXL_MIGRATION_USER_PAUSE_PAUSED,      /* paused by the user */
    LIBXL_MIGRATION_USER_PAUSE_RELEASED,    /* let run for its suspend */
};

/* how long libxl's stream stalls before a user-paused guest is let run
 * to answer libxl's suspend request */
#define LIBXL_MIGRATION_STALL_MS 1000

struct _libxlMigration {
    /* the source: migrate-setspeed (MiB/s), and a Perform that
     * succeeded, its job held until Confirm */
    unsigned long bandwidth;
    bool outPending;
    /* libxl's stream is being sent (the job's owner waits for libxl
     * with the domain unlocked): suspend and resume may run meanwhile,
     * as in the qemu driver's migration-out job mask */
    libxlMigrationPump *sending;

    /* the destination, from Prepare to Finish */
    bool in;
    bool offline;
    libxlDriverPrivate *driver;
    virConnectPtr conn;
    unsigned int version;
    int *listenFds;
    size_t nlisten;
    int cancelPipe[2];
    int recvFd;
    unsigned short port;        /* from the port range, 0 if none */
    bool threadRunning;
    virThread thread;
    int restored;               /* 1 restored, -1 failed, 0 not yet */
    bool finishing;             /* Finish runs */
    char *error;
    /* --persistent-xml: the definition Finish makes persistent */
    virDomainDef *persistDef;
};


/* ---- the per-domain record ---------------------------------------- */

static libxlMigration *
libxlMigrationGet(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (!priv->migration) {
        priv->migration = g_new0(libxlMigration, 1);
        priv->migration->cancelPipe[0] = priv->migration->cancelPipe[1] = -1;
        priv->migration->recvFd = -1;
    }
    return priv->migration;
}


/* The destination's part goes (its thread was joined). */
static void
libxlMigrationInClear(libxlMigration *mig)
{
    size_t i;

    for (i = 0; i < mig->nlisten; i++)
        VIR_FORCE_CLOSE(mig->listenFds[i]);
    g_clear_pointer(&mig->listenFds, g_free);
    mig->nlisten = 0;
    VIR_FORCE_CLOSE(mig->cancelPipe[0]);
    VIR_FORCE_CLOSE(mig->cancelPipe[1]);
    VIR_FORCE_CLOSE(mig->recvFd);
    if (mig->port)
        virPortAllocatorRelease(mig->port);
    mig->port = 0;
    g_clear_pointer(&mig->conn, virObjectUnref);
    g_clear_pointer(&mig->error, g_free);
    g_clear_pointer(&mig->persistDef, virDomainDefFree);
    mig->in = false;
    mig->offline = false;
    mig->finishing = false;
    mig->restored = 0;
}


void
libxlMigrationFree(libxlMigration *mig)
{
    if (!mig)
        return;
    libxlMigrationInClear(mig);
    g_free(mig);
}


/* ---- the cookie --------------------------------------------------- */

static void
libxlMigrationCookieFree(libxlMigrationCookie *mig)
{
    if (!mig)
        return;
    g_free(mig->name);
    g_free(mig->hostname);
    g_free(mig);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlMigrationCookie, libxlMigrationCookieFree);


static int
libxlMigrationCookieBake(virDomainObj *vm, char **cookieout, int *cookieoutlen)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    g_autofree char *hostname = NULL;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    if (!cookieout || !cookieoutlen)
        return 0;
    if (!(hostname = virGetHostname()))
        return -1;

    virUUIDFormat(vm->def->uuid, uuidstr);
    virBufferAddLit(&buf, "<libxl-migration>\n");
    virBufferAdjustIndent(&buf, 2);
    virBufferEscapeString(&buf, "<name>%s</name>\n", vm->def->name);
    virBufferAsprintf(&buf, "<uuid>%s</uuid>\n", uuidstr);
    virBufferEscapeString(&buf, "<hostname>%s</hostname>\n", hostname);
    virBufferAsprintf(&buf, "<migration-stream-version>%d</migration-stream-version>\n",
                      LIBXL_MIGRATION_STREAM_VERSION);
    virBufferAdjustIndent(&buf, -2);
    virBufferAddLit(&buf, "</libxl-migration>\n");

    *cookieout = virBufferContentAndReset(&buf);
    *cookieoutlen = strlen(*cookieout) + 1;
    return 0;
}


/* The source's cookie; none (an old source): a v1 stream. */
static libxlMigrationCookie *
libxlMigrationCookieEat(const char *cookiein, int cookieinlen)
{
    g_autoptr(libxlMigrationCookie) mig = g_new0(libxlMigrationCookie, 1);
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree char *uuidstr = NULL;

    if (!cookiein || cookieinlen <= 0) {
        mig->version = 1;
        return g_steal_pointer(&mig);
    }
    if (cookiein[cookieinlen - 1] != '\0') {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the migration cookie is not NUL-terminated"));
        return NULL;
    }
    if (!(doc = virXMLParseStringCtxt(cookiein, _("(libxl_migration_cookie)"), &ctxt)))
        return NULL;
    if (!virXMLNodeNameEqual(ctxt->node, "libxl-migration")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the migration cookie is <%s>, not <libxl-migration>"),
                       (const char *) ctxt->node->name);
        return NULL;
    }

    if (!(mig->name = virXPathString("string(./name[1])", ctxt)) ||
        !(uuidstr = virXPathString("string(./uuid[1])", ctxt)) ||
        virUUIDParse(uuidstr, mig->uuid) < 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the migration cookie has no valid domain name and uuid"));
        return NULL;
    }
    mig->hostname = virXPathString("string(./hostname[1])", ctxt);
    if (virXPathUInt("string(./migration-stream-version[1])", ctxt,
                     &mig->version) < 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the migration cookie has no libxl stream version"));
        return NULL;
    }
    return g_steal_pointer(&mig);
}


/* ---- Begin (source) ----------------------------------------------- */

static int
libxlMigrationCheckAllowed(virDomainObj *vm, virDomainDef *def, unsigned int flags)
{
    if (vm->def->id == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("Domain-0 cannot be migrated"));
        return -1;
    }
    if (flags & VIR_MIGRATE_OFFLINE) {
        if (!vm->persistent) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("domain '%s' is transient: an offline migration moves a definition"),
                           vm->def->name);
            return -1;
        }
        if (!(flags & VIR_MIGRATE_PERSIST_DEST)) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("an offline migration needs --persistent"));
            return -1;
        }
        if (flags & (VIR_MIGRATE_LIVE | VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PAUSED)) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("an offline migration moves no running domain: --live, --tunnelled and --suspend do not apply"));
            return -1;
        }
        return 0;
    }
    if (virDomainObjCheckActive(vm) < 0)
        return -1;
    if (def->nhostdevs > 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has host devices assigned: it cannot migrate"),
                       vm->def->name);
        return -1;
    }
    return 0;
}


/*
 * libxlMigrationBegin:
 * The domain XML the destination gets (@xmlin if given, checked to be
 * the same guest) and the cookie.  @vm is locked, with a job.
 */
char *
libxlMigrationBegin(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    const char *xmlin,
                    char **cookieout,
                    int *cookieoutlen,
                    unsigned int flags)
{
    g_autoptr(virDomainDef) tmpdef = NULL;
    virDomainDef *def = vm->def;

    if ((flags & VIR_MIGRATE_OFFLINE) && !virDomainObjIsActive(vm))
        def = vm->newDef ? vm->newDef : vm->def;
    else if (flags & VIR_MIGRATE_OFFLINE)
        flags &= ~VIR_MIGRATE_OFFLINE;

    if (xmlin) {
        if (!(tmpdef = virDomainDefParseString(xmlin, driver->xmlopt, NULL,
                                               VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                               VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)))
            return NULL;
        if (STRNEQ(tmpdef->name, def->name) ||
            memcmp(tmpdef->uuid, def->uuid, VIR_UUID_BUFLEN) != 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("the destination XML is of domain '%s', not '%s'"),
                           tmpdef->name, def->name);
            return NULL;
        }
        if (!virDomainDefCheckABIStability(def, tmpdef, driver->xmlopt))
            return NULL;
        def = tmpdef;
    }

    if (libxlMigrationCheckAllowed(vm, def, flags) < 0 ||
        libxlMigrationCookieBake(vm, cookieout, cookieoutlen) < 0)
        return NULL;

    return virDomainDefFormat(def, driver->xmlopt,
                              VIR_DOMAIN_DEF_FORMAT_SECURE |
                              VIR_DOMAIN_DEF_FORMAT_MIGRATABLE);
}


/* ---- Prepare (destination) ---------------------------------------- */

virDomainDef *
libxlMigrationPrepareDef(libxlDriverPrivate *driver,
                         const char *domXML,
                         const char *dname)
{
    g_autoptr(virDomainDef) def = NULL;

    if (!domXML) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("no domain XML was given to the destination"));
        return NULL;
    }
    if (!(def = virDomainDefParseString(domXML, driver->xmlopt, NULL,
                                        VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                        VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)))
        return NULL;
    if (dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    return g_steal_pointer(&def);
}


/*
 * libxlMigrationPreparePersistDef:
 * --persistent-xml: the persistent definition @persistXML of the
 * incoming @def, parsed and validated as virsh define does, named as
 * @def (the destination name, if one was given).  A definition of
 * another domain (UUID) is refused.
 */
static virDomainDef *
libxlMigrationPreparePersistDef(libxlDriverPrivate *driver,
                                virDomainDef *def,
                                const char *persistXML)
{
    g_autoptr(virDomainDef) pdef = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!(pdef = virDomainDefParseString(persistXML, driver->xmlopt, NULL,
                                         VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (memcmp(pdef->uuid, def->uuid, VIR_UUID_BUFLEN) != 0) {
        virUUIDFormat(pdef->uuid, uuid);
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the persistent XML is of another domain (uuid %s) than '%s'"),
                       uuid, def->name);
        return NULL;
    }
    g_free(pdef->name);
    pdef->name = g_strdup(def->name);
    return g_steal_pointer(&pdef);
}


/*
 * Can this host take @def: memory enough, the bridges and virtual
 * networks its interfaces name?  Said before any data moves.
 */
static int
libxlMigrationCheckHost(libxlDriverPrivate *driver, virDomainDef *def)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virConnect) netconn = NULL;
    libxl_physinfo phys;
    uint64_t freeKiB = 0;
    size_t i;

    /* with autoballoon, Domain-0 gives memory back: only more than the
     * host has is refused here */
    libxl_physinfo_init(&phys);
    if (libxl_get_free_memory(cfg->ctx, &freeKiB) == 0 &&
        freeKiB < virDomainDefGetMemoryTotal(def) &&
        (!cfg->autoballoon ||
         (libxl_get_physinfo(cfg->ctx, &phys) == 0 &&
          phys.total_pages * 4ULL < virDomainDefGetMemoryTotal(def)))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("not enough memory on this host for domain '%s': %llu KiB needed, %llu KiB free"),
                       def->name,
                       (unsigned long long) virDomainDefGetMemoryTotal(def),
                       (unsigned long long) freeKiB);
        libxl_physinfo_dispose(&phys);
        return -1;
    }
    libxl_physinfo_dispose(&phys);

    for (i = 0; i < def->nnets; i++) {
        virDomainNetDef *net = def->nets[i];

        if (net->type == VIR_DOMAIN_NET_TYPE_BRIDGE &&
            net->data.bridge.brname &&
            !virNetDevExists(net->data.bridge.brname)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("domain '%s' needs bridge '%s', which this host does not have"),
                           def->name, net->data.bridge.brname);
            return -1;
        }
        if (net->type == VIR_DOMAIN_NET_TYPE_NETWORK) {
            g_autoptr(virNetwork) network = NULL;

            if (!netconn && !(netconn = virGetConnectNetwork()))
                return -1;
            if (!(network = virNetworkLookupByName(netconn, net->data.network.name)) ||
                virNetworkIsActive(network) != 1) {
                virResetLastError();
                virReportError(VIR_ERR_OPERATION_FAILED,
                               _("domain '%s' needs network '%s', which is not active on this host"),
                               def->name, net->data.network.name);
                return -1;
            }
        }
    }
    return 0;
}


/* Listen on @host:@port (all its addresses). */
static int
libxlMigrationListen(libxlMigration *mig, const char *host, unsigned short port)
{
    struct addrinfo hints = { 0 };
    struct addrinfo *ai = NULL;
    struct addrinfo *p;
    char portstr[16];
    int err = 0;
    int r;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
    g_snprintf(portstr, sizeof(portstr), "%u", port);
    if ((r = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot resolve the migration address '%s': %s"),
                       host, gai_strerror(r));
        return -1;
    }

    for (p = ai; p; p = p->ai_next) {
        int one = 1;
        int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);

        if (fd < 0) {
            err = errno;
            continue;
        }
        ignore_value(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
        if (p->ai_family == AF_INET6)
            ignore_value(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
        if (bind(fd, p->ai_addr, p->ai_addrlen) < 0 || listen(fd, 1) < 0) {
            err = errno;
            VIR_FORCE_CLOSE(fd);
            continue;
        }
        VIR_APPEND_ELEMENT(mig->listenFds, mig->nlisten, fd);
    }
    freeaddrinfo(ai);

    if (mig->nlisten == 0) {
        virReportSystemError(err, _("cannot listen for the migration on %s port %u"),
                             host, port);
        return -1;
    }
    return 0;
}


/* In the receiving thread: the source's connection, or -1 when Finish
 * cancels the migration first.  No lock held. */
static int
libxlMigrationAccept(libxlMigration *mig)
{
    g_autofree struct pollfd *fds = g_new0(struct pollfd, mig->nlisten + 1);
    size_t i;

    for (i = 0; i < mig->nlisten; i++) {
        fds[i].fd = mig->listenFds[i];
        fds[i].events = POLLIN;
    }
    fds[mig->nlisten].fd = mig->cancelPipe[0];
    fds[mig->nlisten].events = POLLIN;

    for (;;) {
        if (poll(fds, mig->nlisten + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (fds[mig->nlisten].revents)
            return -1;
        for (i = 0; i < mig->nlisten; i++) {
            int fd;

            if (!fds[i].revents)
                continue;
            if ((fd = accept(fds[i].fd, NULL, NULL)) >= 0) {
                ignore_value(virSetCloseExec(fd));
                return fd;
            }
        }
    }
}


/*
 * libxlMigrationReceive:
 * The destination's thread: accept the source's connection (unless the
 * tunnel's pipe is there already), restore the domain from it, paused.
 * It holds a reference to @vm; the job is Prepare's, ended by Finish.
 */
static void
libxlMigrationReceive(void *opaque)
{
    virDomainObj *vm = opaque;
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlMigration *mig;
    libxlDriverPrivate *driver;
    int fd;
    size_t i;

    virObjectLock(vm);
    mig = priv->migration;
    driver = mig->driver;

    if (mig->recvFd < 0) {
        virObjectUnlock(vm);
        fd = libxlMigrationAccept(mig);
        virObjectLock(vm);
        if (fd < 0) {
            mig->restored = -1;
            mig->error = g_strdup(_("the source never sent the domain"));
            goto out;
        }
        mig->recvFd = fd;
        for (i = 0; i < mig->nlisten; i++)
            VIR_FORCE_CLOSE(mig->listenFds[i]);
    }

    libxlDomainJobDataBegin(vm, VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN, -1, 0,
                            NULL, virDomainDefGetMemoryTotal(vm->def) * 1024ULL);
    if (libxlProcessRestore(driver, vm, NULL, LIBXL_PROCESS_START_PAUSED,
                            mig->recvFd, mig->version) < 0) {
        mig->restored = -1;
        mig->error = g_strdup(virGetLastErrorMessage());
        virResetLastError();
        libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, false));
    } else {
        mig->restored = 1;
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                                                 VIR_DOMAIN_EVENT_STARTED_MIGRATED));
        libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, true));
    }
    VIR_FORCE_CLOSE(mig->recvFd);

 out:
    virObjectUnlock(vm);
    virObjectUnref(vm);
}


/* A domain object Prepare added, and nothing started: it goes (a
 * persistent one keeps its definition). */
static void
libxlMigrationDiscard(libxlDriverPrivate *driver, virDomainObj *vm)
{
    if (virDomainObjIsActive(vm))
        return;
    if (vm->newDef) {
        virDomainObjAssignDef(vm, &vm->newDef, false, NULL);
        vm->def->id = -1;
    }
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
}


static void libxlMigrationInConnClosed(virDomainObj *vm, virConnectPtr conn);


/* The URI the source sends to, and where to listen: @uriIn (a host,
 * tcp://HOST or tcp://HOST:PORT) or this host's name, a port of the
 * range unless one is given; @listenAddress if given. */
static int
libxlMigrationPrepareListen(libxlDriverPrivate *driver,
                            libxlMigration *mig,
                            const char *uriIn,
                            const char *listenAddress,
                            char **uriOut)
{
    g_autoptr(virURI) uri = NULL;
    g_autofree char *hostname = NULL;
    unsigned short port = 0;

    if (!uriIn) {
        if (!(hostname = virGetHostname()))
            return -1;
        if (STRPREFIX(hostname, "localhost")) {
            virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                           _("this host's name is localhost: the source cannot reach it (give a migration URI)"));
            return -1;
        }
    } else {
        g_autofree char *full = NULL;

        if (!STRPREFIX(uriIn, "tcp://") && !strstr(uriIn, "://"))
            full = g_strdup_printf("tcp://%s", uriIn);
        if (!(uri = virURIParse(full ? full : uriIn)))
            return -1;
        if (STRNEQ_NULLABLE(uri->scheme, "tcp")) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("migration URI '%s': only tcp:// is known"), uriIn);
            return -1;
        }
        if (!uri->server) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("migration URI '%s' names no host"), uriIn);
            return -1;
        }
        hostname = g_strdup(uri->server);
        port = uri->port;
    }

    if (port == 0) {
        if (virPortAllocatorAcquire(driver->migrationPorts, &port) < 0)
            return -1;
        mig->port = port;
    }

    if (libxlMigrationListen(mig, listenAddress ? listenAddress : hostname, port) < 0)
        return -1;
    *uriOut = g_strdup_printf("tcp://%s:%u", hostname, port);
    return 0;
}


/*
 * libxlMigrationPrepareOffline:
 * --offline: the definition only, made persistent in Finish.
 */
static int
libxlMigrationPrepareOffline(libxlDriverPrivate *driver,
                             virConnectPtr dconn,
                             virDomainDef **def,
                             char **uriOut,
                             unsigned int flags)
{
    virDomainObj *vm;
    libxlMigration *mig;
    g_autofree char *hostname = NULL;

    if (!(flags & VIR_MIGRATE_PERSIST_DEST)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("an offline migration needs --persistent"));
        return -1;
    }
    if (libxlDomainDefCheckIdle(driver, *def) < 0)
        return -1;
    if (!(vm = virDomainObjListAdd(driver->domains, def, driver->xmlopt,
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return -1;
    /* a job another thread took first makes the domain its own (see
     * libxlDomainDefCheckIdle): it is not this migration's to remove */
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "migration in") < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }
    mig = libxlMigrationGet(vm);
    mig->in = true;
    mig->offline = true;
    mig->driver = driver;
    mig->conn = virObjectRef(dconn);
    if (uriOut && (hostname = virGetHostname()))
        *uriOut = g_strdup_printf("tcp://%s", hostname);
    virDomainObjEndAPI(&vm);
    return 0;
}


/*
 * libxlMigrationPrepare:
 * The destination gets ready for the domain of *@def (taken): a domain
 * object, its job held until Finish, and a thread that receives it from
 * @st (tunnelled) or from a connection to the address in *@uriOut.
 */
int
libxlMigrationPrepare(libxlDriverPrivate *driver,
                      virConnectPtr dconn,
                      virDomainDef **def,
                      const char *persistXML,
                      const char *cookiein,
                      int cookieinlen,
                      const char *uriIn,
                      const char *listenAddress,
                      char **uriOut,
                      virStreamPtr st,
                      unsigned int flags)
{
    g_autoptr(libxlMigrationCookie) cookie = NULL;
    g_autoptr(virDomainDef) persistDef = NULL;
    virDomainObj *vm = NULL;
    libxlMigration *mig = NULL;
    int pipefd[2] = { -1, -1 };
    int ret = -1;

    if (persistXML && (flags & VIR_MIGRATE_PERSIST_DEST) &&
        !(persistDef = libxlMigrationPreparePersistDef(driver, *def, persistXML)))
        return -1;
    if (!(cookie = libxlMigrationCookieEat(cookiein, cookieinlen)))
        return -1;
    if (cookie->version > LIBXL_MIGRATION_STREAM_VERSION) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("libxl migration stream version %u is not supported on this host"),
                       cookie->version);
        return -1;
    }
    if (libxlDomainNameCheck((*def)->name) < 0)
        return -1;

    if (flags & VIR_MIGRATE_OFFLINE) {
        /* the persistent definition is all that moves */
        if (persistDef) {
            virDomainDefFree(*def);
            *def = g_steal_pointer(&persistDef);
        }
        return libxlMigrationPrepareOffline(driver, dconn, def, uriOut, flags);
    }

    if (libxlMigrationCheckHost(driver, *def) < 0)
        return -1;

    /* a domain another client is starting (or restoring...) keeps its
     * definition: ListAdd would put the incoming one in its place */
    if (libxlDomainDefCheckIdle(driver, *def) < 0)
        return -1;

    if (!(vm = virDomainObjListAdd(driver->domains, def, driver->xmlopt,
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE |
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE,
                                   NULL)))
        return -1;

    /* a job another thread took first makes the domain its own: it is
     * not this migration's to remove */
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "migration in") < 0)
        goto out;
    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' already runs on this host"), vm->def->name);
        goto out_endjob;
    }

    mig = libxlMigrationGet(vm);
    mig->in = true;
    mig->driver = driver;
    /* no reference to @dconn: its close is the news that the migration
     * will not finish (libxlMigrationInConnClosed) */
    mig->version = cookie->version;
    mig->restored = 0;
    mig->persistDef = g_steal_pointer(&persistDef);
    if (virPipe(mig->cancelPipe) < 0)
        goto out_clear;

    if (st) {
        /* the tunnel: stream -> pipe -> libxl */
        if (virPipe(pipefd) < 0)
            goto out_clear;
        if (virFDStreamOpen(st, pipefd[1]) < 0)
            goto out_clear;
        pipefd[1] = -1;
        mig->recvFd = pipefd[0];
        pipefd[0] = -1;
    } else if (libxlMigrationPrepareListen(driver, mig, uriIn, listenAddress,
                                           uriOut) < 0) {
        goto out_clear;
    }

    if (virThreadCreateFull(&mig->thread, true, libxlMigrationReceive,
                            "libxl-migration-in", false, virObjectRef(vm)) < 0) {
        virObjectUnref(vm);
        virReportSystemError(errno, "%s",
                             _("cannot create the thread receiving the migration"));
        goto out_clear;
    }
    mig->threadRunning = true;
    /* the connection that calls Finish closes first: the migration is
     * cancelled (libxlMigrationInConnClosed) */
    virCloseCallbacksDomainAdd(vm, dconn, libxlMigrationInConnClosed);
    VIR_DEBUG("domain '%s' awaits its migration on %s", vm->def->name,
              st ? "the tunnel" : NULLSTR(uriOut ? *uriOut : NULL));
    ret = 0;
    goto out;

 out_clear:
    libxlMigrationInClear(mig);
    if (uriOut)
        g_clear_pointer(uriOut, g_free);
 out_endjob:
    /* under this migration's job: no other job has the domain */
    libxlMigrationDiscard(driver, vm);
    libxlDomainObjEndJob(vm);
 out:
    VIR_FORCE_CLOSE(pipefd[0]);
    VIR_FORCE_CLOSE(pipefd[1]);
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- Perform (source) --------------------------------------------- */

/* Write all of @buf to the connection (or the tunnel), at the bandwidth. */
static int
libxlMigrationPumpWrite(libxlMigrationPump *pump, const char *buf, size_t len)
{
    while (len) {
        ssize_t n;

        if (pump->st) {
            if ((n = virStreamSend(pump->st, buf, len)) < 0) {
                pump->error = EPIPE;
                return -1;
            }
        } else if ((n = send(pump->out, buf, len, MSG_NOSIGNAL)) < 0) {
            if (errno == EINTR)
                continue;
            pump->error = errno;
            return -1;
        }
        buf += n;
        len -= n;
    }
    return 0;
}


static void
libxlMigrationPumpRun(void *opaque)
{
    libxlMigrationPump *pump = opaque;
    g_autofree char *buf = g_new(char, LIBXL_MIGRATION_PUMP_BUF);
    unsigned long long t0 = g_get_monotonic_time();
    unsigned long long moved = 0;

    unsigned long long idleSince = 0;

    for (;;) {
        ssize_t n;

        if (__atomic_load_n(&pump->userPause, __ATOMIC_ACQUIRE) ==
            LIBXL_MIGRATION_USER_PAUSE_PAUSED) {
            struct pollfd pfd = { .fd = pump->in, .events = POLLIN };
            int r = poll(&pfd, 1, 100);

            if (r < 0 && errno != EINTR) {
                pump->error = errno;
                break;
            }
            if (r <= 0) {
                unsigned long long now = g_get_monotonic_time();

                if (!idleSince) {
                    idleSince = now;
                } else if (now - idleSince >= LIBXL_MIGRATION_STALL_MS * 1000ULL) {
                    int expected = LIBXL_MIGRATION_USER_PAUSE_PAUSED;

                    /* libxl waits for the guest's suspend: let it run */
                    if (__atomic_compare_exchange_n(&pump->userPause, &expected,
                                                    LIBXL_MIGRATION_USER_PAUSE_RELEASED,
                                                    false, __ATOMIC_ACQ_REL,
                                                    __ATOMIC_ACQUIRE)) {
                        VIR_DEBUG("stream stalled on paused domain %u: unpausing it",
                                  pump->domid);
                        if (libxl_domain_unpause(pump->ctx, pump->domid, NULL) != 0)
                            VIR_WARN("cannot unpause domain %u for its suspend",
                                     pump->domid);
                    }
                }
                continue;
            }
        }
        idleSince = 0;

        n = read(pump->in, buf, LIBXL_MIGRATION_PUMP_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pump->error = errno;
            break;
        }
        if (n == 0)
            break;
        if (libxlMigrationPumpWrite(pump, buf, n) < 0)
            break;
        moved += n;
        __atomic_store_n(&pump->moved, moved, __ATOMIC_RELAXED);

        /* migrate-setspeed: no faster than the bandwidth */
        if (pump->bandwidth) {
            unsigned long long due = moved * 1000000ULL / pump->bandwidth;
            unsigned long long spent = g_get_monotonic_time() - t0;

            if (due > spent)
                g_usleep(due - spent);
        }
    }
    /* libxl's helper, if it still writes, learns the stream is broken */
    VIR_FORCE_CLOSE(pump->in);
}


/* Connect to the destination's tcp://HOST:PORT. */
static int
libxlMigrationConnect(const char *uristr)
{
    g_autoptr(virURI) uri = NULL;
    struct addrinfo hints = { 0 };
    struct addrinfo *ai = NULL;
    struct addrinfo *p;
    char portstr[16];
    int err = 0;
    int fd = -1;
    int r;

    if (!(uri = virURIParse(uristr)))
        return -1;
    if (STRNEQ_NULLABLE(uri->scheme, "tcp") || !uri->server || uri->port <= 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("migration URI '%s' is not tcp://HOST:PORT"), uristr);
        return -1;
    }
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    g_snprintf(portstr, sizeof(portstr), "%d", uri->port);
    if ((r = getaddrinfo(uri->server, portstr, &hints, &ai)) != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot resolve the destination '%s': %s"),
                       uri->server, gai_strerror(r));
        return -1;
    }
    for (p = ai; p; p = p->ai_next) {
        if ((fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol)) < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0)
            break;
        err = errno;
        VIR_FORCE_CLOSE(fd);
    }
    freeaddrinfo(ai);
    if (fd < 0)
        virReportSystemError(err, _("cannot connect to the destination %s"), uristr);
    return fd;
}


/* Has libxl suspended the running @vm (shut down, reason suspend)? */
static bool
libxlMigrationIsSuspended(libxlDriverConfig *cfg, virDomainObj *vm)
{
    libxl_dominfo info;
    bool suspended;

    libxl_dominfo_init(&info);
    suspended = libxl_domain_info(cfg->ctx, &info, vm->def->id) == 0 &&
        info.shutdown && info.shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND;
    libxl_dominfo_dispose(&info);
    return suspended;
}


typedef struct {
    int fd;
    int suspendFlags;
} libxlMigrationSendArgs;

static int
libxlMigrationSuspendFunc(libxl_ctx *ctx,
                          uint32_t domid,
                          const libxl_asyncop_how *how,
                          void *opaque)
{
    libxlMigrationSendArgs *args = opaque;

    return libxl_domain_suspend(ctx, domid, args->fd, args->suspendFlags, how);
}


/*
 * libxlMigrationSend:
 * libxl's stream of @vm (locked, with a job) to the connection @out or
 * the tunnel @st.  On success the domain is suspended, paused
 * (migration) for Confirm; on failure or domjobabort it runs (or stays
 * paused) as before.
 */
static int
libxlMigrationSend(libxlDriverPrivate *driver,
                   virDomainObj *vm,
                   int out,
                   virStreamPtr st,
                   unsigned long long bandwidth,
                   unsigned int flags)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlMigrationPump pump = { .in = -1, .out = out, .st = st,
                                .ctx = cfg->ctx, .domid = vm->def->id };
    libxlMigrationSendArgs args = { .fd = -1 };
    bool paused = virDomainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED;
    int pipefd[2] = { -1, -1 };
    bool pumping = false;
    int userPause = LIBXL_MIGRATION_USER_PAUSE_NONE;
    int rc;
    int ret = -1;

    if (libxlMigrationGet(vm)->bandwidth && !bandwidth)
        bandwidth = libxlMigrationGet(vm)->bandwidth;
    pump.bandwidth = bandwidth * 1024 * 1024;

    if (virPipe(pipefd) < 0)
        goto out;
    pump.in = pipefd[0];
    pipefd[0] = -1;
    if (virThreadCreateFull(&pump.thread, true, libxlMigrationPumpRun,
                            "libxl-migration-out", false, &pump) < 0) {
        virReportSystemError(errno, "%s",
                             _("cannot create the thread sending the migration"));
        VIR_FORCE_CLOSE(pump.in);
        goto out;
    }
    pumping = true;

    /* libxl suspends a guest that runs */
    if (paused) {
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "migration", libxlDomainAOUnpause, NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot unpause domain '%s' to migrate it"),
                             vm->def->name);
            goto out;
        }
    }

    libxlDomainJobDataBegin(vm, VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, -1, 0, NULL,
                            virDomainDefGetMemoryTotal(vm->def) * 1024ULL);
    priv->jobData.moved = &pump.moved;

    args.fd = pipefd[1];
    args.suspendFlags = (flags & VIR_MIGRATE_LIVE) ? LIBXL_SUSPEND_LIVE : 0;
    /* a daemon that dies from now on finds the migration in the status
     * XML (libxlMigrationReconnect) */
    libxlDomainStatusJobSet(driver, vm, "migration-out", NULL, NULL, false, paused);
    libxlLoggerResetLastError();
    libxlMigrationGet(vm)->sending = &pump;
    rc = libxlDomainAORun(vm, cfg->ctx, "migration", libxlMigrationSuspendFunc, &args);
    libxlMigrationGet(vm)->sending = NULL;
    /* paused by the user meanwhile: so it stays, whatever the outcome */
    userPause = __atomic_load_n(&pump.userPause, __ATOMIC_ACQUIRE);

    /* the stream is complete (or broken): the pump drains it */
    VIR_FORCE_CLOSE(pipefd[1]);
    virObjectUnlock(vm);
    virThreadJoin(&pump.thread);
    virObjectLock(vm);
    pumping = false;
    if (st) {
        if (rc == 0 && pump.error == 0 && virStreamFinish(st) < 0)
            pump.error = EPIPE;
        else if (rc != 0 || pump.error)
            ignore_value(virStreamAbort(st));
    } else {
        ignore_value(shutdown(out, SHUT_WR));
    }

    if (rc == ERROR_ABORTED) {
        libxlReportError(VIR_ERR_OPERATION_ABORTED,
                         _("migration of domain '%s' was aborted"), vm->def->name);
    } else if (rc != 0 || pump.error) {
        if (pump.error)
            virReportSystemError(pump.error,
                                 _("migration of domain '%s': the connection to the destination broke"),
                                 vm->def->name);
        else
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("libxenlight failed to send domain '%s' to the destination"),
                             vm->def->name);
        rc = rc ? rc : ERROR_FAIL;
    }

    if (rc != 0) {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        priv->jobData.moved = NULL;
        libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, false));
        /* the guest goes on where it was suspended (a live migration
         * that failed before its last round never suspended it) */
        if (virDomainObjIsActive(vm) && libxlMigrationIsSuspended(cfg, vm) &&
            (libxl_domain_resume(cfg->ctx, vm->def->id, 1, NULL) != 0 ||
             libxlProcessRewatchDeath(driver, vm) < 0))
            VIR_WARN("cannot resume domain '%s' after a failed migration", vm->def->name);
        if (userPause == LIBXL_MIGRATION_USER_PAUSE_PAUSED) {
            /* never let run: still paused, as the user asked */
        } else if ((paused || userPause) && virDomainObjIsActive(vm) &&
                   libxlDomainAORun(vm, cfg->ctx, "migration", libxlDomainAOPause, NULL) != 0) {
            VIR_WARN("cannot pause domain '%s' again", vm->def->name);
        } else if (!paused && !userPause && virDomainObjIsActive(vm)) {
            virDomainObjSetState(vm, VIR_DOMAIN_RUNNING,
                                 VIR_DOMAIN_RUNNING_MIGRATION_CANCELED);
        }
        libxlDomainStatusJobEnd(driver, vm);
        virErrorRestore(&saved);
        goto out;
    }

    priv->jobData.moved = NULL;
    priv->jobData.total = MAX(priv->jobData.total, pump.moved);
    libxlProcessQueueEvent(driver, libxlDomainJobDataEnd(vm, true));
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    libxlProcessQueueEvent(driver,
                           virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                             VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED));
    /* the stream is complete: whether the destination runs the guest is
     * Confirm's news */
    libxlDomainStatusJobSet(driver, vm, "migration-sent", NULL, NULL, false, paused);
    ret = 0;

 out:
    VIR_FORCE_CLOSE(pipefd[0]);
    VIR_FORCE_CLOSE(pipefd[1]);
    if (pumping) {
        virObjectUnlock(vm);
        virThreadJoin(&pump.thread);
        virObjectLock(vm);
    }
    return ret;
}


/*
 * libxlMigrationPerform:
 * Direct migration: send @vm (locked, with a job) to @uri.  On success
 * the job stays held for Confirm.
 */
int
libxlMigrationPerform(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      const char *uri,
                      unsigned long long bandwidth,
                      unsigned int flags)
{
    VIR_AUTOCLOSE fd = -1;

    if (libxlMigrationCheckAllowed(vm, vm->def, flags & ~VIR_MIGRATE_OFFLINE) < 0)
        return -1;
    if (!uri) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("no migration URI: the destination gave none"));
        return -1;
    }

    virObjectUnlock(vm);
    fd = libxlMigrationConnect(uri);
    virObjectLock(vm);
    if (fd < 0)
        return -1;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' stopped"), vm->def->name);
        return -1;
    }

    if (libxlMigrationSend(driver, vm, fd, NULL, bandwidth, flags) < 0)
        return -1;
    libxlMigrationGet(vm)->outPending = true;
    return 0;
}


/*
 * libxlMigrationOutSending:
 * Is libxl's stream of @vm (locked) being sent?  Then suspend and resume
 * run beside the migration's job (libxlMigrationOutPause).
 */
bool
libxlMigrationOutSending(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    return priv->migration && priv->migration->sending;
}


/*
 * libxlMigrationOutPause:
 * virsh suspend (@pause) or resume of @vm (locked) while its stream is
 * being sent, as virsh migrate --timeout does: the guest's vCPUs stop
 * (or go on) at once and the live migration goes on; libxl's last step,
 * the guest's own suspend, lets it run for that (libxlMigrationPumpRun).
 * The destination runs the guest unless --suspend, as after a migration
 * of a paused domain.
 */
int
libxlMigrationOutPause(libxlDriverPrivate *driver,
                       virDomainObj *vm,
                       bool pause)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlMigrationPump *pump = libxlMigrationGet(vm)->sending;
    int cur = __atomic_load_n(&pump->userPause, __ATOMIC_ACQUIRE);
    int rc;

    if (pause == (cur != LIBXL_MIGRATION_USER_PAUSE_NONE)) {
        if (pause)
            return 0;
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not paused"), vm->def->name);
        return -1;
    }

    libxlLoggerResetLastError();
    if (pause) {
        rc = libxl_domain_pause(cfg->ctx, vm->def->id, NULL);
        if (rc == 0)
            __atomic_store_n(&pump->userPause, LIBXL_MIGRATION_USER_PAUSE_PAUSED,
                             __ATOMIC_RELEASE);
    } else {
        cur = __atomic_exchange_n(&pump->userPause, LIBXL_MIGRATION_USER_PAUSE_NONE,
                                  __ATOMIC_ACQ_REL);
        rc = cur == LIBXL_MIGRATION_USER_PAUSE_PAUSED ?
            libxl_domain_unpause(cfg->ctx, vm->def->id, NULL) : 0;
    }
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         pause ? _("failed to suspend domain '%s'") :
                                 _("failed to resume domain '%s'"),
                         vm->def->name);
        return -1;
    }

    if (pause) {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                                 VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_RESUMED,
                                                                 VIR_DOMAIN_EVENT_RESUMED_UNPAUSED));
    }
    libxlDomainSaveStatus(driver, vm);
    return 0;
}


bool
libxlMigrationOutPending(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    return priv->migration && priv->migration->outPending;
}


/* ---- the source's daemon restarted --------------------------------- */

/*
 * libxlMigrationWaitGone:
 * The destruction the daemon was making when it died may still be under
 * way (libxl's destroyer child outlives it; libxl refuses a second one):
 * wait up to LIBXL_MIGRATION_GONE_MS for domain @domid to be dying or
 * gone.  Returns true if it is.
 */
#define LIBXL_MIGRATION_GONE_MS 15000

static bool
libxlMigrationWaitGone(libxl_ctx *ctx, uint32_t domid)
{
    unsigned int waited;

    for (waited = 0; waited <= LIBXL_MIGRATION_GONE_MS; waited += 100) {
        libxl_dominfo info;
        int rc;
        bool gone;

        libxl_dominfo_init(&info);
        rc = libxl_domain_info(ctx, &info, domid);
        gone = rc == ERROR_DOMAIN_NOTFOUND || (rc == 0 && info.dying);
        libxl_dominfo_dispose(&info);
        if (gone)
            return true;
        if (rc != 0)
            return false;
        g_usleep(100 * 1000);
    }
    return false;
}


/*
 * libxlMigrationReconnect:
 * @vm's status says a migration out of it was in progress when the
 * daemon died (libxlProcessReconnect; @info: libxl's dominfo of @vm,
 * NULL if it is gone).  As the qemu driver recovers an outgoing
 * migration (qemuProcessRecoverMigrationOut):
 *  - "migration-out", the stream being sent: the destination discards
 *    what it received when the connection breaks; the guest libxl
 *    suspended for the last round is resumed (paused again if it was),
 *    and runs, migration cancelled;
 *  - "migration-sent", the stream complete, Confirm not reached: whether
 *    the destination runs the guest is not known here; it stays paused
 *    (migration) for the administrator, as the qemu driver leaves it;
 *  - "migration-confirm": the destination runs the guest; the copy here
 *    is destroyed, shut off (migrated) and, with --undefinesource,
 *    undefined.
 * Returns -1 when @vm stopped, 1 when its state is set here (running or
 * paused), 0 when there was no migration or it is as libxl reports it.
 */
int
libxlMigrationReconnect(libxlDriverPrivate *driver,
                        virDomainObj *vm,
                        const libxl_dominfo *info)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    bool suspended = info && info->shutdown &&
        info->shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND;
    bool paused = priv->statusPaused;
    bool undefine = priv->statusManaged;

    if (!priv->statusJob || !STRPREFIX(priv->statusJob, "migration-"))
        return 0;

    if (STREQ(priv->statusJob, "migration-confirm")) {
        g_autofree char *file = virDomainConfigFile(cfg->configDir, vm->def->name);

        /* first of all: the persistent definition, loaded after the
         * reconnection, finds it shut off (migrated); a transient object
         * removed meanwhile would make libvirt refuse that definition */
        if (!undefine && virFileExists(file))
            vm->persistent = 1;
        VIR_INFO("domain '%s' (id %d) was migrated when libvirtd stopped: "
                 "finishing its migration", vm->def->name, vm->def->id);
        /* not libxlProcessDestroy: its failure would watch the domain's
         * death again, whose event would then stop it as destroyed */
        if (info &&
            libxlDomainAORun(vm, cfg->ctx, "destroy", libxlDomainAODestroy, NULL) != 0 &&
            !libxlMigrationWaitGone(cfg->ctx, vm->def->id)) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("failed to destroy domain '%s' (id %d)"),
                             vm->def->name, vm->def->id);
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
            libxlDomainStatusJobClear(vm);
            return 0;
        }
        virResetLastError();
        if (undefine &&
            virDomainDeleteConfig(cfg->configDir, cfg->autostartDir, vm) < 0) {
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
        }
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_MIGRATED,
                            VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
        return -1;
    }

    if (!info) {
        libxlDomainStatusJobClear(vm);
        return 0;
    }

    if (STREQ(priv->statusJob, "migration-sent")) {
        VIR_WARN("domain '%s' (id %d) was sent to the destination when libvirtd "
                 "stopped, its migration unconfirmed: leaving it paused",
                 vm->def->name, vm->def->id);
        libxlDomainStatusJobClear(vm);
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
        return 1;
    }

    VIR_INFO("domain '%s' (id %d) was being migrated when libvirtd stopped: "
             "cancelling the migration", vm->def->name, vm->def->id);
    libxlDomainStatusJobClear(vm);
    if (suspended &&
        (libxl_domain_resume(cfg->ctx, vm->def->id, 1, NULL) != 0)) {
        VIR_WARN("cannot resume domain '%s' after its interrupted migration",
                 vm->def->name);
        return 0;
    }
    if (paused || (!suspended && info->paused)) {
        int reason;

        if (!info->paused &&
            libxl_domain_pause(cfg->ctx, vm->def->id, NULL) != 0)
            VIR_WARN("cannot pause domain '%s' again", vm->def->name);
        if (virDomainObjGetState(vm, &reason) != VIR_DOMAIN_PAUSED)
            reason = VIR_DOMAIN_PAUSED_MIGRATION;
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, reason);
        return 1;
    }
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING,
                         VIR_DOMAIN_RUNNING_MIGRATION_CANCELED);
    if (suspended)
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_RESUMED,
                                                                 VIR_DOMAIN_EVENT_RESUMED_MIGRATED));
    return 1;
}


/* ---- Confirm (source) --------------------------------------------- */

/*
 * libxlMigrationConfirm:
 * The end of a migration out of @vm (locked; the job Perform kept, which
 * the caller ends): gone to the destination, or, @cancelled, back to
 * running here.
 */
int
libxlMigrationConfirm(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      unsigned int flags,
                      bool cancelled)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlMigration *mig = libxlMigrationGet(vm);

    mig->outPending = false;

    if (flags & VIR_MIGRATE_OFFLINE) {
        if (cancelled || !(flags & VIR_MIGRATE_UNDEFINE_SOURCE) || !vm->persistent)
            return 0;
        goto undefine;
    }

    if (!virDomainObjIsActive(vm)) {
        if (cancelled)
            return 0;
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not running"), vm->def->name);
        return -1;
    }

    if (cancelled) {
        if (virDomainObjGetState(vm, NULL) != VIR_DOMAIN_PAUSED) {
            libxlDomainStatusJobEnd(driver, vm);
            return 0;
        }
        if (libxl_domain_resume(cfg->ctx, vm->def->id, 1, NULL) != 0 ||
            libxlProcessRewatchDeath(driver, vm) < 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot resume domain '%s' after its migration failed"),
                             vm->def->name);
            return -1;
        }
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING,
                             VIR_DOMAIN_RUNNING_MIGRATION_CANCELED);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_RESUMED,
                                                                 VIR_DOMAIN_EVENT_RESUMED_MIGRATED));
        libxlDomainStatusJobEnd(driver, vm);
        return 0;
    }

    /* the destination runs the guest: a daemon that dies from now on
     * finishes this (libxlMigrationReconnect) */
    libxlDomainStatusJobSet(driver, vm, "migration-confirm", NULL, NULL,
                            (flags & VIR_MIGRATE_UNDEFINE_SOURCE) && vm->persistent,
                            false);
    if (libxlProcessDestroy(driver, vm) < 0) {
        libxlDomainStatusJobSet(driver, vm, "migration-sent", NULL, NULL, false, false);
        return -1;
    }
    if (!(flags & VIR_MIGRATE_UNDEFINE_SOURCE) || !vm->persistent) {
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_MIGRATED,
                            VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
        return 0;
    }
    libxlProcessCleanup(driver, vm, VIR_DOMAIN_SHUTOFF_MIGRATED);
    libxlProcessQueueEvent(driver,
                           virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STOPPED,
                                                             VIR_DOMAIN_EVENT_STOPPED_MIGRATED));

 undefine:
    if (virDomainDeleteConfig(cfg->configDir, cfg->autostartDir, vm) < 0)
        return -1;
    vm->persistent = 0;
    libxlProcessQueueEvent(driver,
                           virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_UNDEFINED,
                                                             VIR_DOMAIN_EVENT_UNDEFINED_REMOVED));
    if (!virDomainObjIsActive(vm))
        virDomainObjListRemove(driver->domains, vm);
    return 0;
}


/* ---- Finish (destination) ----------------------------------------- */

static virDomainPtr
libxlMigrationFinishOffline(libxlDriverPrivate *driver,
                            virConnectPtr dconn,
                            virDomainObj *vm,
                            bool cancelled)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    bool existed = vm->persistent;

    if (cancelled) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("migration of domain '%s' was cancelled"), vm->def->name);
        libxlMigrationDiscard(driver, vm);
        return NULL;
    }
    vm->persistent = 1;
    if (virDomainDefSave(vm->newDef ? vm->newDef : vm->def, driver->xmlopt,
                         cfg->configDir) < 0) {
        vm->persistent = existed;
        libxlMigrationDiscard(driver, vm);
        return NULL;
    }
    libxlProcessQueueEvent(driver,
                           virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_DEFINED,
                                                             existed ?
                                                             VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                                             VIR_DOMAIN_EVENT_DEFINED_ADDED));
    return virGetDomain(dconn, vm->def->name, vm->def->uuid, vm->def->id);
}


/*
 * libxlMigrationFinish:
 * The domain restored on this host runs (paused with --suspend) and,
 * with --persistent, is defined; or, @cancelled or its restore failed,
 * it goes, leaving nothing behind.  @vm is locked; Prepare's job ends
 * here.
 */
virDomainPtr
libxlMigrationFinish(libxlDriverPrivate *driver,
                     virConnectPtr dconn,
                     virDomainObj *vm,
                     unsigned int flags,
                     bool cancelled)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlMigration *mig = priv->migration;
    virDomainPtr dom = NULL;

    if (!mig || !mig->in || mig->finishing) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not migrating to this host"), vm->def->name);
        return NULL;
    }
    mig->finishing = true;
    virCloseCallbacksDomainRemove(vm, NULL, libxlMigrationInConnClosed);

    if (mig->offline) {
        dom = libxlMigrationFinishOffline(driver, dconn, vm, cancelled);
        goto out;
    }

    if (cancelled && mig->threadRunning) {
        /* no connection coming, or a stream that will not complete */
        if (mig->cancelPipe[1] >= 0)
            ignore_value(safewrite(mig->cancelPipe[1], "x", 1));
        if (priv->ao)
            ignore_value(libxlDomainAOAbort(vm, cfg->ctx));
    }
    if (mig->threadRunning) {
        virObjectUnlock(vm);
        virThreadJoin(&mig->thread);
        virObjectLock(vm);
        mig->threadRunning = false;
    }

    if (cancelled || mig->restored != 1 || !virDomainObjIsActive(vm)) {
        if (cancelled)
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("migration of domain '%s' was cancelled"), vm->def->name);
        else
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("migration of domain '%s' failed on the destination: %s"),
                           vm->def->name, NULLSTR(mig->error));
        goto out_fail;
    }

    if (!(flags & VIR_MIGRATE_PAUSED)) {
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "migration", libxlDomainAOUnpause, NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot unpause domain '%s' after its migration"),
                             vm->def->name);
            goto out_fail;
        }
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_RESUMED,
                                                                 VIR_DOMAIN_EVENT_RESUMED_MIGRATED));
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        libxlProcessQueueEvent(driver,
                               virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                                 VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
    }

    if (flags & VIR_MIGRATE_PERSIST_DEST) {
        bool existed = vm->persistent;
        virDomainDef *vmdef;

        /* --persistent-xml */
        if (mig->persistDef) {
            virDomainDefFree(vm->newDef);
            vm->newDef = g_steal_pointer(&mig->persistDef);
        }
        vm->persistent = 1;
        if (!(vmdef = virDomainObjGetPersistentDef(driver->xmlopt, vm, NULL)) ||
            virDomainDefSave(vmdef, driver->xmlopt, cfg->configDir) < 0) {
            vm->persistent = existed;
            VIR_WARN("domain '%s' migrated but could not be defined: %s",
                     vm->def->name, virGetLastErrorMessage());
        } else {
            libxlProcessQueueEvent(driver,
                                   virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_DEFINED,
                                                                     existed ?
                                                                     VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                                                     VIR_DOMAIN_EVENT_DEFINED_ADDED));
        }
    }
    libxlDomainSaveStatus(driver, vm);
    dom = virGetDomain(dconn, vm->def->name, vm->def->uuid, vm->def->id);
    goto out;

 out_fail:
    {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        if (virDomainObjIsActive(vm)) {
            if (libxlProcessDestroy(driver, vm) == 0)
                libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED,
                                    VIR_DOMAIN_EVENT_STOPPED_FAILED);
        } else {
            libxlMigrationDiscard(driver, vm);
        }
        virErrorRestore(&saved);
    }
 out:
    libxlMigrationInClear(mig);
    libxlDomainObjEndJob(vm);
    return dom;
}


/* The connection that prepared the migration into @vm closed without
 * its Finish (the client or the source's daemon died): as the qemu
 * driver does, the incoming domain goes, in a thread of its own (Finish
 * waits for the receiving thread, which libvirt's event loop serves). */
static void
libxlMigrationInConnClosedThread(void *opaque)
{
    virDomainObj *vm = opaque;
    libxlDomainObjPrivate *priv;
    libxlMigration *mig;

    virObjectLock(vm);
    priv = vm->privateData;
    mig = priv->migration;
    if (mig && mig->in && !mig->finishing && mig->driver) {
        VIR_INFO("the connection preparing the migration of domain '%s' closed: "
                 "cancelling it", vm->def->name);
        ignore_value(libxlMigrationFinish(mig->driver, NULL, vm, 0, true));
        virResetLastError();
    }
    virDomainObjEndAPI(&vm);
}


static void
libxlMigrationInConnClosed(virDomainObj *vm, virConnectPtr conn G_GNUC_UNUSED)
{
    virThread thread;

    virObjectRef(vm);
    if (virThreadCreateFull(&thread, false, libxlMigrationInConnClosedThread,
                            "libxl-migration-closed", false, vm) < 0) {
        VIR_WARN("cannot cancel the migration of domain '%s'", vm->def->name);
        virObjectUnref(vm);
    }
}


/* ---- peer to peer (source) ---------------------------------------- */

/*
 * libxlMigrationPerformP2P:
 * --p2p: this daemon drives the whole migration of @vm (locked, with a
 * job the caller ends) over its own connection to @dconnuri.
 */
int
libxlMigrationPerformP2P(libxlDriverPrivate *driver,
                         virDomainObj *vm,
                         const char *xmlin,
                         const char *persistXML,
                         const char *dconnuri,
                         const char *uri,
                         const char *dname,
                         const char *listenAddress,
                         unsigned long long bandwidth,
                         unsigned int flags)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virConnectPtr dconn = NULL;
    virStreamPtr st = NULL;
    virDomainPtr ddomain = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    g_autofree char *domXML = NULL;
    g_autofree char *cookie = NULL;
    g_autofree char *uriOut = NULL;
    int cookielen = 0;
    unsigned int destflags = flags & ~(VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_ABORT_ON_ERROR |
                                       VIR_MIGRATE_CHANGE_PROTECTION);
    virErrorPtr origErr = NULL;
    bool cancelled = true;
    bool offline = (flags & VIR_MIGRATE_OFFLINE) && !virDomainObjIsActive(vm);
    int rc;
    int ret = -1;

    if (!dconnuri) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("--p2p needs the destination's libvirt URI"));
        return -1;
    }
    if (!offline)
        destflags &= ~VIR_MIGRATE_OFFLINE;

    if (!(domXML = libxlMigrationBegin(driver, vm, xmlin, &cookie, &cookielen, flags)))
        return -1;

    virObjectUnlock(vm);
    dconn = virConnectOpen(dconnuri);
    virObjectLock(vm);
    if (!dconn)
        return -1;

    if (virConnectSetKeepAlive(dconn, cfg->keepAliveInterval, cfg->keepAliveCount) < 0)
        goto out;
    virObjectUnlock(vm);
    rc = VIR_DRV_SUPPORTS_FEATURE(dconn->driver, dconn, VIR_DRV_FEATURE_MIGRATION_PARAMS);
    virObjectLock(vm);
    if (rc <= 0) {
        if (rc == 0)
            virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                           _("the destination's libvirt does not support migration with parameters"));
        goto out;
    }

    if (virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_DEST_XML, domXML) < 0 ||
        virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_DEST_NAME,
                                dname ? dname : vm->def->name) < 0 ||
        (uri && virTypedParamsAddString(&params, &nparams, &maxparams,
                                        VIR_MIGRATE_PARAM_URI, uri) < 0) ||
        (persistXML && virTypedParamsAddString(&params, &nparams, &maxparams,
                                               VIR_MIGRATE_PARAM_PERSIST_XML, persistXML) < 0) ||
        (listenAddress && virTypedParamsAddString(&params, &nparams, &maxparams,
                                                  VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                                  listenAddress) < 0))
        goto out;

    virObjectUnlock(vm);
    if ((flags & VIR_MIGRATE_TUNNELLED) && !offline) {
        if ((st = virStreamNew(dconn, 0)))
            rc = dconn->driver->domainMigratePrepareTunnel3Params(dconn, st, params, nparams,
                                                                 cookie, cookielen,
                                                                 NULL, NULL, destflags);
        else
            rc = -1;
    } else {
        rc = dconn->driver->domainMigratePrepare3Params(dconn, params, nparams,
                                                        cookie, cookielen, NULL, NULL,
                                                        &uriOut, destflags);
    }
    virObjectLock(vm);
    if (rc < 0)
        goto out_confirm;

    if (offline) {
        cancelled = false;
    } else if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' stopped"), vm->def->name);
    } else if (st) {
        cancelled = libxlMigrationSend(driver, vm, -1, st, bandwidth, flags) < 0;
    } else {
        int fd;

        virObjectUnlock(vm);
        fd = libxlMigrationConnect(uriOut);
        virObjectLock(vm);
        if (fd >= 0) {
            cancelled = libxlMigrationSend(driver, vm, fd, NULL, bandwidth, flags) < 0;
            VIR_FORCE_CLOSE(fd);
        }
    }
    if (cancelled)
        virErrorPreserveLast(&origErr);

    virObjectUnlock(vm);
    ddomain = dconn->driver->domainMigrateFinish3Params(dconn, params, nparams,
                                                       NULL, 0, NULL, NULL,
                                                       destflags, cancelled);
    virObjectLock(vm);
    cancelled = !ddomain;
    if (!origErr && cancelled)
        virErrorPreserveLast(&origErr);

 out_confirm:
    if (!origErr && cancelled)
        virErrorPreserveLast(&origErr);
    if (libxlMigrationConfirm(driver, vm, flags, cancelled) < 0)
        VIR_WARN("domain '%s': %s", vm->def->name, virGetLastErrorMessage());
    ret = cancelled ? -1 : 0;

 out:
    virTypedParamsFree(params, nparams);
    if (ddomain)
        virObjectUnref(ddomain);
    if (st)
        virObjectUnref(st);
    virObjectUnlock(vm);
    virObjectUnref(dconn);
    virObjectLock(vm);
    virErrorRestore(&origErr);
    return ret;
}


/* ---- tunables ----------------------------------------------------- */

/* migrate-setspeed: the pump's bandwidth (MiB/s, 0: none). */
int
libxlMigrationSetSpeed(virDomainObj *vm, unsigned long bandwidth)
{
    libxlMigrationGet(vm)->bandwidth = bandwidth;
    return 0;
}


unsigned long
libxlMigrationGetSpeed(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    return priv->migration ? priv->migration->bandwidth : 0;
}
