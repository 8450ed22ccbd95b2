/*
 * libxensim-save.c: libxl's save, restore and core dump over xensimd
 *
 * What real libxl 4.17 does, and what xensim does:
 *  - libxl_domain_suspend: the guest is asked to suspend (control/shutdown
 *    "suspend"); once it has (the domain shut down, reason suspend: death
 *    watches report it), libxl's save helper, a forked child, writes the
 *    stream to the fd.  A guest that does not suspend within libxl's
 *    timeout fails the operation (ERROR_GUEST_TIMEDOUT).  On success the
 *    domain stays suspended: the caller destroys it.  On failure or abort
 *    it stays suspended too, and the caller resumes it
 *    (libxl_domain_resume).
 *  - libxl_domain_create_restore: the stream is read and checked by a
 *    child, then the domain is built from the caller's configuration;
 *    like libxl_domain_create_new it is left paused.  A truncated,
 *    corrupted or foreign stream fails the operation and leaves no domain.
 *  - libxl_domain_core_dump: a child writes the core file.
 *  - libxl_ao_abort kills the child: the operation fails with
 *    ERROR_ABORTED.
 * Streams move at the host's save_rate_mib_s.
 *
 * The stream xensim writes:
 *   "XenSimSaveStrm\n" NUL, u32 version (2), u32 JSON length,
 *   u64 memory bytes, the domain configuration as libxl JSON,
 *   u32 length and text of the guest's state ("running MODE...": it had
 *   booted, each console's session; empty if it had not: version 1
 *   streams have neither, and restore as not booted),
 *   the memory in 1 MiB chunks: each chunk's first page holds a pattern
 *   of its index, the rest is zero (written as holes where the fd can
 *   seek, so that a stream costs little disk),
 *   "XSIMEND" NUL, u64 FNV-1a hash of all that precedes but the holes.
 * Little-endian.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

#define XENSIM_STREAM_MAGIC "XenSimSaveStrm\n"
#define XENSIM_STREAM_END "XSIMEND"
#define XENSIM_STREAM_VERSION 2
#define XENSIM_STREAM_ROUND "XSIMRND"
#define XENSIM_STREAM_STATE "XSIMSTA"
/* a live save's rounds: all the memory, then what the guest dirtied
 * meanwhile (every 4th chunk) while it runs; once it is suspended, the
 * last round (every 16th chunk) */
#define XENSIM_LIVE_DIRTY 4
#define XENSIM_LIVE_LAST 16
#define XENSIM_STREAM_STATE_MAX 4096
#define XENSIM_CHUNK (1024 * 1024)
#define XENSIM_PAGE 4096

typedef struct {
    char magic[16];
    uint32_t version;
    uint32_t json_len;
    uint64_t mem_bytes;
} XensimStreamHeader;

typedef struct {
    char magic[8];
    uint64_t hash;
} XensimStreamTrailer;

G_STATIC_ASSERT(sizeof(XensimStreamHeader) == 32);
G_STATIC_ASSERT(sizeof(XensimStreamTrailer) == 16);

/* What a child moves: everything prepared before the fork. */
typedef struct {
    int fd;
    guint rate_mib_s;
    uint64_t mem_bytes;
    char *head;                 /* header and JSON (a save, a dump) */
    size_t head_len;
    bool pattern;               /* a stream's chunks (not a core file's) */
    char *buf;                  /* a chunk (a restore) */
    int state_fd;               /* a restore: where the guest's state goes */
    /* a save stream (version 3): the head first or not, its rounds (the
     * chunks each sends: every Nth, 1: all), the guest's state and the
     * trailer or not; the hash so far when the head is another's */
    bool head_out;
    guint32 rounds[3];
    int nrounds;
    bool tail_out;
    uint64_t hash0;
    char *state;
    uint32_t domid;
} XensimStream;

/* exit statuses of the stream children */
enum {
    XENSIM_STREAM_OK = 0,
    XENSIM_STREAM_WRITE = 20,
    XENSIM_STREAM_NOSPC = 21,
    XENSIM_STREAM_FOREIGN = 30,
    XENSIM_STREAM_VERSION_BAD = 31,
    XENSIM_STREAM_TRUNCATED = 32,
    XENSIM_STREAM_CORRUPT = 33,
    XENSIM_STREAM_READ = 34,
};

static const char *
xensimStreamExplain(int status)
{
    switch (status) {
    case XENSIM_STREAM_WRITE: return "writing the stream failed";
    case XENSIM_STREAM_NOSPC: return "writing the stream failed: No space left on device";
    case XENSIM_STREAM_FOREIGN: return "not a xensim save stream (bad magic)";
    case XENSIM_STREAM_VERSION_BAD: return "unsupported save stream version";
    case XENSIM_STREAM_TRUNCATED: return "the save stream is truncated";
    case XENSIM_STREAM_CORRUPT: return "the save stream is corrupted (checksum mismatch)";
    case XENSIM_STREAM_READ: return "reading the stream failed";
    }
    return "the stream helper failed";
}

static void
xensimStreamFree(gpointer opaque)
{
    XensimStream *st = opaque;

    if (!st)
        return;
    g_free(st->head);
    g_free(st->buf);
    g_free(st->state);
    g_free(st);
}

static uint64_t
xensimFnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len--) {
        h ^= *p++;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* chunk @i's first page: a pattern of its index */
static void
xensimChunkPage(uint64_t *page, uint64_t i)
{
    size_t w;

    for (w = 0; w < XENSIM_PAGE / sizeof(uint64_t); w++)
        page[w] = i * 0x9E3779B97F4A7C15ULL + w;
}

/* Sleep until @done bytes are due at @rate MiB/s since @t0. */
static void
xensimStreamPace(const struct timespec *t0, uint64_t done, guint rate)
{
    struct timespec now, ts;
    int64_t due_ns = (int64_t) (done * 1000000000.0 / ((double) rate * 1024 * 1024));
    int64_t spent_ns;

    clock_gettime(CLOCK_MONOTONIC, &now);
    spent_ns = (now.tv_sec - t0->tv_sec) * 1000000000LL + (now.tv_nsec - t0->tv_nsec);
    if (due_ns <= spent_ns)
        return;
    ts.tv_sec = (due_ns - spent_ns) / 1000000000LL;
    ts.tv_nsec = (due_ns - spent_ns) % 1000000000LL;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* A non-blocking fd (a socket the application handed over, as libvirt's
 * migration does) is waited for, as libxl's datacopier does. */
static bool
xensimStreamWait(int fd, short events)
{
    struct pollfd pfd = { .fd = fd, .events = events };

    if (errno != EAGAIN)
        return false;
    while (poll(&pfd, 1, -1) < 0) {
        if (errno != EINTR)
            return false;
    }
    return true;
}

/*
 * xensimStreamChildFds:
 * libxl's save and restore helpers are programs it executes: they have
 * the stream's fd and none of the application's close-on-exec ones (a
 * pipe's read end the application keeps, in particular, so that the
 * helper learns when its reader has gone).  The forked child closes
 * them.  System calls only.
 */
static void
xensimStreamChildFds(int keep, int keep2)
{
    struct rlimit rl;
    int fd, max = 65536;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t) max)
        max = rl.rlim_cur;
    for (fd = 3; fd < max; fd++) {
        int flags;

        if (fd == keep || fd == keep2)
            continue;
        if ((flags = fcntl(fd, F_GETFD)) >= 0 && (flags & FD_CLOEXEC))
            close(fd);
    }
}

static bool
xensimWriteAll(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && xensimStreamWait(fd, POLLOUT))
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

/* The save helper (or core dump writer): in the child, system calls only. */
static int
xensimStreamWrite(void *opaque)
{
    XensimStream *st = opaque;
    static uint64_t page[XENSIM_PAGE / sizeof(uint64_t)];
    static const char zeros[XENSIM_PAGE];
    uint64_t hash = xensimFnv(0xcbf29ce484222325ULL, st->head, st->head_len);
    uint64_t i, nchunks = (st->mem_bytes + XENSIM_CHUNK - 1) / XENSIM_CHUNK;
    XensimStreamTrailer tr;
    struct timespec t0;

    xensimStreamChildFds(st->fd, -1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!xensimWriteAll(st->fd, st->head, st->head_len))
        return errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE;
    for (i = 0; i < nchunks; i++) {
        size_t rest = XENSIM_CHUNK - XENSIM_PAGE;

        if (st->pattern) {
            xensimChunkPage(page, i);
            hash = xensimFnv(hash, page, XENSIM_PAGE);
        } else {
            memset(page, 0, sizeof(page));
        }
        if (!xensimWriteAll(st->fd, page, XENSIM_PAGE))
            return errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE;
        /* the rest of the chunk is zero: a hole where the fd can seek */
        if (lseek(st->fd, rest, SEEK_CUR) < 0) {
            if (errno != ESPIPE)
                return XENSIM_STREAM_WRITE;
            while (rest) {
                if (!xensimWriteAll(st->fd, zeros, MIN(rest, sizeof(zeros))))
                    return errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE;
                rest -= MIN(rest, sizeof(zeros));
            }
        }
        xensimStreamPace(&t0, (i + 1) * (uint64_t) XENSIM_CHUNK, st->rate_mib_s);
    }
    if (!st->pattern) {
        /* a core file ends with its memory: make the last hole count */
        off_t end = lseek(st->fd, 0, SEEK_CUR);

        if (end > 0 && (ftruncate(st->fd, end) < 0))
            return errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE;
        return XENSIM_STREAM_OK;
    }
    memset(&tr, 0, sizeof(tr));
    memcpy(tr.magic, XENSIM_STREAM_END, sizeof(XENSIM_STREAM_END));
    tr.hash = GUINT64_TO_LE(hash);
    if (!xensimWriteAll(st->fd, &tr, sizeof(tr)))
        return errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE;
    return XENSIM_STREAM_OK;
}

static bool
xensimRoundHas(uint64_t i, guint32 every)
{
    return every <= 1 || i % every == every - 1;
}

static uint64_t
xensimRoundCount(uint64_t nchunks, guint32 every)
{
    return every <= 1 ? nchunks : nchunks / every;
}

/* The hash of a round as it is written: its marker and count, each
 * chunk's index and first page (the zeros are not hashed). */
static uint64_t
xensimRoundHash(uint64_t hash, uint64_t nchunks, guint32 every)
{
    static uint64_t page[XENSIM_PAGE / sizeof(uint64_t)];
    char mark[8] = XENSIM_STREAM_ROUND;
    uint64_t count = GUINT64_TO_LE(xensimRoundCount(nchunks, every));
    uint64_t i;

    hash = xensimFnv(hash, mark, sizeof(mark));
    hash = xensimFnv(hash, &count, sizeof(count));
    for (i = 0; i < nchunks; i++) {
        uint64_t idx = GUINT64_TO_LE(i);

        if (!xensimRoundHas(i, every))
            continue;
        xensimChunkPage(page, i);
        hash = xensimFnv(hash, &idx, sizeof(idx));
        hash = xensimFnv(hash, page, XENSIM_PAGE);
    }
    return hash;
}

#define XENSIM_WRITE_FAILED (errno == ENOSPC ? XENSIM_STREAM_NOSPC : XENSIM_STREAM_WRITE)

/* A save stream (version 3), or the part of a live one this helper
 * writes: in the child, system calls only. */
static int
xensimStreamSave(void *opaque)
{
    XensimStream *st = opaque;
    static uint64_t page[XENSIM_PAGE / sizeof(uint64_t)];
    static const char zeros[XENSIM_PAGE];
    uint64_t nchunks = (st->mem_bytes + XENSIM_CHUNK - 1) / XENSIM_CHUNK;
    uint64_t hash = st->head_out ? 0xcbf29ce484222325ULL : st->hash0;
    uint64_t done = 0, i;
    XensimStreamTrailer tr;
    struct timespec t0;
    int r;

    xensimStreamChildFds(st->fd, -1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (st->head_out) {
        hash = xensimFnv(hash, st->head, st->head_len);
        if (!xensimWriteAll(st->fd, st->head, st->head_len))
            return XENSIM_WRITE_FAILED;
    }
    for (r = 0; r < st->nrounds; r++) {
        char mark[8] = XENSIM_STREAM_ROUND;
        uint64_t count = GUINT64_TO_LE(xensimRoundCount(nchunks, st->rounds[r]));

        if (!xensimWriteAll(st->fd, mark, sizeof(mark)) ||
            !xensimWriteAll(st->fd, &count, sizeof(count)))
            return XENSIM_WRITE_FAILED;
        for (i = 0; i < nchunks; i++) {
            uint64_t idx = GUINT64_TO_LE(i);
            size_t rest = XENSIM_CHUNK - XENSIM_PAGE;

            if (!xensimRoundHas(i, st->rounds[r]))
                continue;
            xensimChunkPage(page, i);
            if (!xensimWriteAll(st->fd, &idx, sizeof(idx)) ||
                !xensimWriteAll(st->fd, page, XENSIM_PAGE))
                return XENSIM_WRITE_FAILED;
            if (lseek(st->fd, rest, SEEK_CUR) < 0) {
                if (errno != ESPIPE)
                    return XENSIM_STREAM_WRITE;
                while (rest) {
                    if (!xensimWriteAll(st->fd, zeros, MIN(rest, sizeof(zeros))))
                        return XENSIM_WRITE_FAILED;
                    rest -= MIN(rest, sizeof(zeros));
                }
            }
            done += XENSIM_CHUNK;
            xensimStreamPace(&t0, done, st->rate_mib_s);
        }
        hash = xensimRoundHash(hash, nchunks, st->rounds[r]);
    }
    if (!st->tail_out)
        return XENSIM_STREAM_OK;
    {
        char mark[8] = XENSIM_STREAM_STATE;
        uint32_t len = GUINT32_TO_LE(st->state ? strlen(st->state) : 0);

        hash = xensimFnv(hash, mark, sizeof(mark));
        hash = xensimFnv(hash, &len, sizeof(len));
        hash = xensimFnv(hash, st->state ? st->state : "", GUINT32_FROM_LE(len));
        if (!xensimWriteAll(st->fd, mark, sizeof(mark)) ||
            !xensimWriteAll(st->fd, &len, sizeof(len)) ||
            !xensimWriteAll(st->fd, st->state ? st->state : "", GUINT32_FROM_LE(len)))
            return XENSIM_WRITE_FAILED;
    }
    memset(&tr, 0, sizeof(tr));
    memcpy(tr.magic, XENSIM_STREAM_END, sizeof(XENSIM_STREAM_END));
    tr.hash = GUINT64_TO_LE(hash);
    if (!xensimWriteAll(st->fd, &tr, sizeof(tr)))
        return XENSIM_WRITE_FAILED;
    return XENSIM_STREAM_OK;
}

/* read exactly @len bytes: 0, or the child's exit status */
static int
xensimReadAll(int fd, void *data, size_t len)
{
    char *p = data;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && xensimStreamWait(fd, POLLIN))
            continue;
        if (n < 0)
            return XENSIM_STREAM_READ;
        if (n == 0)
            return XENSIM_STREAM_TRUNCATED;
        p += n;
        len -= n;
    }
    return 0;
}

/* A version 2 stream's rounds, the guest's state and the trailer: every
 * chunk must have come (the last copy of each counts). */
static int
xensimStreamReadRounds(XensimStream *st, uint64_t nchunks, uint64_t hash,
                       const struct timespec *t0)
{
    static uint64_t want[XENSIM_PAGE / sizeof(uint64_t)];
    static uint8_t seen[(1ULL << 42) / XENSIM_CHUNK / 8];
    static char state[XENSIM_STREAM_STATE_MAX];
    uint32_t state_len = 0;
    uint64_t done = 0, seen_count = 0;
    XensimStreamTrailer tr;
    int rc;

    for (;;) {
        char mark[8];

        if ((rc = xensimReadAll(st->fd, mark, sizeof(mark))))
            return rc;
        if (memcmp(mark, XENSIM_STREAM_ROUND, sizeof(mark)) == 0) {
            uint64_t count, c;

            if ((rc = xensimReadAll(st->fd, &count, sizeof(count))))
                return rc;
            hash = xensimFnv(hash, mark, sizeof(mark));
            hash = xensimFnv(hash, &count, sizeof(count));
            count = GUINT64_FROM_LE(count);
            if (count > nchunks)
                return XENSIM_STREAM_CORRUPT;
            for (c = 0; c < count; c++) {
                uint64_t idx;
                size_t k;

                if ((rc = xensimReadAll(st->fd, &idx, sizeof(idx))) ||
                    (rc = xensimReadAll(st->fd, st->buf, XENSIM_CHUNK)))
                    return rc;
                hash = xensimFnv(hash, &idx, sizeof(idx));
                idx = GUINT64_FROM_LE(idx);
                if (idx >= nchunks)
                    return XENSIM_STREAM_CORRUPT;
                xensimChunkPage(want, idx);
                if (memcmp(st->buf, want, XENSIM_PAGE) != 0)
                    return XENSIM_STREAM_CORRUPT;
                for (k = XENSIM_PAGE; k < XENSIM_CHUNK; k++) {
                    if (st->buf[k])
                        return XENSIM_STREAM_CORRUPT;
                }
                hash = xensimFnv(hash, st->buf, XENSIM_PAGE);
                if (!(seen[idx / 8] & (1 << (idx % 8)))) {
                    seen[idx / 8] |= 1 << (idx % 8);
                    seen_count++;
                }
                done += XENSIM_CHUNK;
                xensimStreamPace(t0, done, st->rate_mib_s);
            }
        } else if (memcmp(mark, XENSIM_STREAM_STATE, sizeof(mark)) == 0) {
            if ((rc = xensimReadAll(st->fd, &state_len, sizeof(state_len))))
                return rc;
            hash = xensimFnv(hash, mark, sizeof(mark));
            hash = xensimFnv(hash, &state_len, sizeof(state_len));
            state_len = GUINT32_FROM_LE(state_len);
            if (state_len > XENSIM_STREAM_STATE_MAX)
                return XENSIM_STREAM_CORRUPT;
            if ((rc = xensimReadAll(st->fd, state, state_len)))
                return rc;
            hash = xensimFnv(hash, state, state_len);
        } else if (memcmp(mark, XENSIM_STREAM_END, sizeof(mark)) == 0) {
            memcpy(tr.magic, mark, sizeof(mark));
            if ((rc = xensimReadAll(st->fd, &tr.hash, sizeof(tr.hash))))
                return rc;
            break;
        } else {
            return XENSIM_STREAM_CORRUPT;
        }
    }
    if (GUINT64_FROM_LE(tr.hash) != hash || seen_count != nchunks)
        return XENSIM_STREAM_CORRUPT;
    /* the guest's state, for the build (a pipe: it fits) */
    if (st->state_fd >= 0 && state_len && !xensimWriteAll(st->state_fd, state, state_len))
        return XENSIM_STREAM_READ;
    return XENSIM_STREAM_OK;
}

/* The restore helper: reads and checks the stream; system calls only. */
static int
xensimStreamRead(void *opaque)
{
    XensimStream *st = opaque;
    static uint64_t want[XENSIM_PAGE / sizeof(uint64_t)];
    XensimStreamHeader hdr;
    XensimStreamTrailer tr;
    uint64_t hash, i, nchunks;
    struct timespec t0;
    size_t k;
    int rc;

    xensimStreamChildFds(st->fd, st->state_fd);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = xensimReadAll(st->fd, &hdr, sizeof(hdr))))
        return rc;
    if (memcmp(hdr.magic, XENSIM_STREAM_MAGIC, sizeof(XENSIM_STREAM_MAGIC)) != 0)
        return XENSIM_STREAM_FOREIGN;
    if (GUINT32_FROM_LE(hdr.version) < 1 ||
        GUINT32_FROM_LE(hdr.version) > XENSIM_STREAM_VERSION)
        return XENSIM_STREAM_VERSION_BAD;
    if (GUINT32_FROM_LE(hdr.json_len) > XENSIM_CHUNK ||
        GUINT64_FROM_LE(hdr.mem_bytes) > (1ULL << 42))
        return XENSIM_STREAM_CORRUPT;
    hash = xensimFnv(0xcbf29ce484222325ULL, &hdr, sizeof(hdr));
    if ((rc = xensimReadAll(st->fd, st->buf, GUINT32_FROM_LE(hdr.json_len))))
        return rc;
    hash = xensimFnv(hash, st->buf, GUINT32_FROM_LE(hdr.json_len));

    nchunks = (GUINT64_FROM_LE(hdr.mem_bytes) + XENSIM_CHUNK - 1) / XENSIM_CHUNK;
    if (GUINT32_FROM_LE(hdr.version) >= 2)
        return xensimStreamReadRounds(st, nchunks, hash, &t0);
    for (i = 0; i < nchunks; i++) {
        if ((rc = xensimReadAll(st->fd, st->buf, XENSIM_CHUNK)))
            return rc;
        xensimChunkPage(want, i);
        if (memcmp(st->buf, want, XENSIM_PAGE) != 0)
            return XENSIM_STREAM_CORRUPT;
        for (k = XENSIM_PAGE; k < XENSIM_CHUNK; k++) {
            if (st->buf[k])
                return XENSIM_STREAM_CORRUPT;
        }
        hash = xensimFnv(hash, st->buf, XENSIM_PAGE);
        xensimStreamPace(&t0, (i + 1) * (uint64_t) XENSIM_CHUNK, st->rate_mib_s);
    }
    if ((rc = xensimReadAll(st->fd, &tr, sizeof(tr))))
        return rc;
    if (memcmp(tr.magic, XENSIM_STREAM_END, sizeof(XENSIM_STREAM_END)) != 0 ||
        GUINT64_FROM_LE(tr.hash) != hash)
        return XENSIM_STREAM_CORRUPT;
    return XENSIM_STREAM_OK;
}


/* ---- suspend (save) ------------------------------------------------ */

static int
xensimSuspendStream(XensimAo *ao, void *data)
{
    XensimStream *st = data;

    /* the child owns nothing: the stream stays the ao's, freed with it */
    return xensimAoSpawnFunc(ao, "save helper", xensimStreamSave, st,
                             xensimStreamExplain);
}

/* the guest's state as the suspend request found it, and the rate */
static void
xensimSuspendRecord(XensimStream *st, GVariant *records)
{
    g_autoptr(GVariant) rec = NULL;

    if (!(rec = xensimRecord(records)))
        return;
    st->rate_mib_s = xensimRecordU64(rec, "save_rate_mib_s", 1024);
    g_free(st->state);
    st->state = xensimRecordStr(rec, "guest_state");
    if (st->state && strlen(st->state) > XENSIM_STREAM_STATE_MAX)
        g_clear_pointer(&st->state, g_free);
}

/* A live save, once the rounds that ran with the guest running are
 * sent: the guest is asked to suspend, then the last round. */
static int
xensimSuspendLast(XensimAo *ao, void *data)
{
    XensimStream *st = data;
    libxl_ctx *ctx = xensimAoCtx(ao);
    g_autoptr(GVariant) records = NULL;
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), st->domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, "libxl_domain_suspend", args, &records))) {
        xensimAoDaemonDone(ao);
        return rc;
    }
    xensimSuspendRecord(st, records);
    xensimAoSetNext(ao, xensimSuspendStream, st, NULL);
    return 0;
}

/*
 * libxl_domain_suspend: the stream (version 2) is the header and the
 * domain's configuration, rounds of memory chunks, the guest's state,
 * the trailer.  Without LIBXL_SUSPEND_LIVE the guest is suspended first
 * and one round sends all its memory.  With it, a helper sends all the
 * memory, then what the guest dirtied meanwhile, while it runs; then the
 * guest is suspended and a second helper sends the last round and the
 * rest: the guest stops for that last round only.
 */
int
libxl_domain_suspend(libxl_ctx *ctx, uint32_t domid, int fd, int flags,
                     const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_domain_suspend", domid, ao_how, 0);
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *json = NULL;
    XensimStream *st;
    XensimStreamHeader hdr;
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, NULL };
    const char *noargs[] = { NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoSetAbortable(ao, true);

    /* what the stream will carry, read before the guest is asked */
    if ((rc = xensimCall(ctx, "libxl_retrieve_domain_configuration", args, &records)))
        return xensimAoCreateFail(ao, rc);
    if (!(rec = xensimRecord(records)))
        return xensimAoCreateFail(ao, ERROR_FAIL);
    json = xensimRecordStr(rec, "json");

    st = g_new0(XensimStream, 1);
    st->fd = fd;
    st->domid = domid;
    st->pattern = true;
    st->mem_bytes = xensimRecordU64(rec, "max_memkb", 0) * 1024;
    memset(&hdr, 0, sizeof(hdr));
    memcpy(hdr.magic, XENSIM_STREAM_MAGIC, sizeof(XENSIM_STREAM_MAGIC));
    hdr.version = GUINT32_TO_LE(XENSIM_STREAM_VERSION);
    hdr.json_len = GUINT32_TO_LE(strlen(json ? json : ""));
    hdr.mem_bytes = GUINT64_TO_LE(st->mem_bytes);
    st->head_len = sizeof(hdr) + strlen(json ? json : "");
    st->head = g_malloc(st->head_len);
    memcpy(st->head, &hdr, sizeof(hdr));
    memcpy(st->head + sizeof(hdr), json ? json : "", st->head_len - sizeof(hdr));
    g_clear_pointer(&records, g_variant_unref);

    if (flags & LIBXL_SUSPEND_LIVE) {
        XensimStream *last = g_new0(XensimStream, 1);
        uint64_t nchunks = (st->mem_bytes + XENSIM_CHUNK - 1) / XENSIM_CHUNK;

        /* the first rounds, at the host's rate, the guest running */
        if ((rc = xensimCall(ctx, "libxl_domain_create_restore", noargs, &records)) == 0)
            xensimSuspendRecord(st, records);
        st->head_out = true;
        st->rounds[0] = 1;
        st->rounds[1] = XENSIM_LIVE_DIRTY;
        st->nrounds = 2;

        last->fd = fd;
        last->domid = domid;
        last->mem_bytes = st->mem_bytes;
        last->rounds[0] = XENSIM_LIVE_LAST;
        last->nrounds = 1;
        last->tail_out = true;
        last->hash0 = xensimRoundHash(xensimRoundHash(xensimFnv(0xcbf29ce484222325ULL,
                                                                st->head, st->head_len),
                                                      nchunks, 1),
                                      nchunks, XENSIM_LIVE_DIRTY);
        xensimAoSetData(ao, last, xensimStreamFree);
        rc = xensimAoSpawnFunc(ao, "save helper", xensimStreamSave, st,
                               xensimStreamExplain);
        /* the child has its copy */
        xensimStreamFree(st);
        if (rc)
            return xensimAoInProgress(ao, rc);
        xensimAoSetNext(ao, xensimSuspendLast, last, NULL);
        return xensimAoInProgress(ao, 0);
    }

    /* the guest suspends (xensimd completes the op), then the stream */
    st->head_out = true;
    st->rounds[0] = 1;
    st->nrounds = 1;
    st->tail_out = true;
    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, "libxl_domain_suspend", args, &records))) {
        xensimStreamFree(st);
        return xensimAoCreateFail(ao, rc);
    }
    xensimSuspendRecord(st, records);
    xensimAoSetNext(ao, xensimSuspendStream, st, xensimStreamFree);
    return xensimAoInProgress(ao, 0);
}

/* libxl_domain_suspend without the stream: the guest suspends (asked
 * through control/shutdown, or by the hypervisor for an HVM guest without
 * PV drivers) and stays so, its memory kept, until libxl_domain_resume. */
int
libxl_domain_suspend_only(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_domain_suspend_only", domid, ao_how, 0);
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, "libxl_domain_suspend_only", args, NULL)))
        return xensimAoCreateFail(ao, rc);
    return xensimAoInProgress(ao, 0);
}

int
libxl_domain_resume(libxl_ctx *ctx, uint32_t domid, int suspend_cancel G_GNUC_UNUSED,
                    const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_domain_resume", domid, ao_how, 0);
    char id[16];
    const char *args[] = { id, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimAoInProgress(ao, xensimCall(ctx, "libxl_domain_resume", args, NULL));
}


/* ---- restore -------------------------------------------------------- */

typedef struct {
    GPtrArray *args;            /* xensimd's create arguments */
    libxl_domain_type type;
    char *device_model;
    int state_fd;               /* the guest's state, from the helper */
} XensimRestoreBuild;

static void
xensimRestoreBuildFree(gpointer opaque)
{
    XensimRestoreBuild *b = opaque;

    if (!b)
        return;
    if (b->args)
        g_ptr_array_unref(b->args);
    if (b->state_fd >= 0)
        close(b->state_fd);
    g_free(b->device_model);
    g_free(b);
}

/* The stream was good: the domain is built from the caller's
 * configuration, as libxl_domain_create_new builds one. */
static int
xensimRestoreBuild(XensimAo *ao, void *data)
{
    XensimRestoreBuild *b = data;
    libxl_ctx *ctx = xensimAoCtx(ao);
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *state = g_malloc(XENSIM_STREAM_STATE_MAX + 1);
    ssize_t n;
    int rc;

    /* the guest goes on where the stream left it (the helper has exited:
     * what it wrote is in the pipe) */
    if (b->state_fd >= 0 &&
        (n = read(b->state_fd, state, XENSIM_STREAM_STATE_MAX)) > 0) {
        state[n] = '\0';
        g_ptr_array_insert(b->args, b->args->len - 1,
                           g_strdup_printf("guest_state=%s", state));
    }

    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, "libxl_domain_create_new",
                         (const char *const *) b->args->pdata, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    xensimAoSetDomid(ao, xensimRecordU64(rec, "domid", INVALID_DOMID));
    if (b->type == LIBXL_DOMAIN_TYPE_HVM)
        return xensimAoSpawnHelper(ao, "helper-start", "device-model", b->device_model);
    return 0;
}

int
libxl_domain_create_restore(libxl_ctx *ctx, libxl_domain_config *d_config,
                            uint32_t *domid, int restore_fd,
                            int send_back_fd G_GNUC_UNUSED,
                            const libxl_domain_restore_params *params G_GNUC_UNUSED,
                            const libxl_asyncop_how *ao_how,
                            const libxl_asyncprogress_how *aop_console_how)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    XensimRestoreBuild *b;
    XensimStream *st;
    XensimAo *ao;
    const char *args[] = { NULL };
    int state_pipe[2];
    int i, rc;

    *domid = INVALID_DOMID;
    ao = xensimAoNew(ctx, "libxl_domain_create_restore", 0, ao_how, 0);
    xensimAoSetDomid(ao, INVALID_DOMID);
    xensimAoSetProgress(ao, aop_console_how, domid);
    xensimAoSetAbortable(ao, true);

    if ((rc = xensimCall(ctx, "libxl_domain_create_restore", args, &records)))
        return xensimAoInProgress(ao, rc);

    xensimConfigSetDefaults(d_config);
    for (i = 0; i < d_config->num_disks; i++) {
        if ((rc = xensimDiskSetBackend(ctx, &d_config->disks[i])))
            return xensimAoInProgress(ao, rc);
    }
    b = g_new0(XensimRestoreBuild, 1);
    b->state_fd = -1;
    b->args = xensimCreateArgs(ctx, d_config, ao);
    b->type = d_config->c_info.type;
    b->device_model = g_strdup(d_config->b_info.device_model);
    xensimAoSetNext(ao, xensimRestoreBuild, b, xensimRestoreBuildFree);

    /* the helper reads the stream first; the domain is built after */
    st = g_new0(XensimStream, 1);
    st->fd = restore_fd;
    st->state_fd = -1;
    if (pipe2(state_pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        b->state_fd = state_pipe[0];
        st->state_fd = state_pipe[1];
    }
    st->buf = g_malloc(XENSIM_CHUNK);
    st->rate_mib_s = (rec = xensimRecord(records)) ?
        xensimRecordU64(rec, "save_rate_mib_s", 1024) : 1024;
    rc = xensimAoSpawnFunc(ao, "restore helper", xensimStreamRead, st,
                           xensimStreamExplain);
    /* the child has its copy: the parent's goes now */
    if (st->state_fd >= 0)
        close(st->state_fd);
    xensimStreamFree(st);
    return xensimAoInProgress(ao, rc);
}


/* ---- core dump ---------------------------------------------------- */

/* A core file: an ELF header, then the domain's memory (sparse), written
 * by a child at the host's stream rate. */
int
libxl_domain_core_dump(libxl_ctx *ctx, uint32_t domid, const char *filename,
                       const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_domain_core_dump", domid, ao_how, 0);
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *name = NULL;
    XensimStream *st;
    char id[16];
    const char *args[] = { id, NULL };
    int fd, rc;

    xensimDomidArg(id, sizeof(id), domid);
    xensimAoSetAbortable(ao, true);
    if ((rc = xensimCall(ctx, "libxl_domain_core_dump", args, &records)))
        return xensimAoInProgress(ao, rc);
    if (!(rec = xensimRecord(records)))
        return xensimAoInProgress(ao, ERROR_FAIL);
    name = xensimRecordStr(rec, "name");
    if ((fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "core dump failed: %s: %s", filename,
                     g_strerror(errno));
        return xensimAoInProgress(ao, ERROR_FAIL);
    }
    st = g_new0(XensimStream, 1);
    st->fd = fd;
    st->head = g_strdup_printf("\177ELF\2\1\1xensim core: domain %u (%s), %" G_GUINT64_FORMAT
                               " KiB\n", domid, name,
                               xensimRecordU64(rec, "current_memkb", 0));
    st->head_len = strlen(st->head);
    st->mem_bytes = xensimRecordU64(rec, "current_memkb", 0) * 1024;
    st->rate_mib_s = xensimRecordU64(rec, "save_rate_mib_s", 1024);
    rc = xensimAoSpawnFunc(ao, "core dump writer", xensimStreamWrite, st,
                           xensimStreamExplain);
    close(fd);
    xensimStreamFree(st);
    return xensimAoInProgress(ao, rc);
}
