/*
 * stemu: an emulation of one Linux st tape drive, for tests, loaded with LD_PRELOAD.
 *
 * With AF_STEMU_TAPE=<file> in the environment, opening AF_STEMU_DEVICE (default
 * "/dev/nst0") gives a descriptor that behaves like a no-rewind st node holding the tape
 * stored in <file>. Every other path and descriptor goes to the real libc (RTLD_NEXT).
 * The environment is read at each open, so one process can switch tapes between opens.
 *
 *   AF_STEMU_TAPE=<file>          the cartridge image (created empty when missing)
 *   AF_STEMU_DEVICE=<path>        the emulated node (exact string compare; default /dev/nst0)
 *   AF_STEMU_CAPACITY=<bytes>     payload bytes that fit on the tape (default 256 MiB)
 *   AF_STEMU_EARLY_WARNING=<b>    size of the early-warning zone before the end (default capacity/16)
 *   AF_STEMU_WRITE_PROTECT=1      the cartridge is write-protected
 *
 * Tape image <file>:
 *   16-byte header: "AFSTEMU1" then 8 zero bytes.
 *   records, back to back: <u32 len> <len bytes> <u32 len>   (host byte order)
 *   len 0 is a filemark (8 bytes in all). The trailing copy of len lets the drive space
 *   backwards. The end of the file is the end of recorded data (EOD).
 * Drive state <file>.pos (one text line, rewritten at close):
 *   "loaded L blksize B density D off O fileno F blkno K lblk N"
 *   so that position, block size and the loaded/ejected state survive across processes,
 *   as a real drive keeps them while the st driver stays loaded.
 *
 * Semantics (Linux st, see shared/spec/linux-tape-and-changers.md §1.6):
 *   - one write() is one block in variable mode (MTSETBLK 0); in fixed mode (MTSETBLK S>0)
 *     the count must be a multiple of S (else EINVAL) and makes count/S blocks.
 *   - one read() returns one block (fixed mode: the whole blocks that fit, stopping before
 *     a filemark). A block larger than the buffer fails with ENOMEM and, as st does, the
 *     block is skipped: the position moves past it.
 *   - reading a filemark returns 0 and moves past it (GMT_EOF is then set). At EOD the first
 *     read returns 0 without moving (GMT_EOD), further reads fail with EIO.
 *   - writing anywhere but at EOD truncates the tape there.
 *   - close() after a write adds a filemark; so do MTREW, MTOFFL, MTUNLOAD, MTBSF(M), MTSEEK.
 *   - early warning: once the payload before the position is inside the early-warning zone,
 *     writes alternate between -1/ENOSPC and success (st's "EOM behaviour when writing");
 *     a write that would pass the capacity always fails with ENOSPC and writes nothing.
 *     Filemarks are always accepted. GMT_EOT is set inside the zone.
 *   - a second open (in any process: flock on <file>) fails with EBUSY.
 *   - without a cartridge (after MTOFFL/MTUNLOAD) open fails with ENOMEDIUM unless O_NONBLOCK;
 *     tape operations then fail with ENOMEDIUM; MTLOAD loads it again.
 *   - write-protected: open for writing without O_NONBLOCK gives EROFS; writes, filemarks and
 *     erase give EACCES.
 *   - MTTELL gives ENOSYS (st lacks it; use MTIOCPOS); setmarks and partitioning give ENOSYS.
 *   - MTERASE erases from the position to the end.
 */
/* node-gyp builds with _FILE_OFFSET_BITS=64, which renames open to open64 in the headers;
   this library defines both names itself (on 64-bit Linux they are the same call). */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mtio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define HDR 16
#define MAGIC "AFSTEMU1"

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_ioctl)(int, unsigned long, ...);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void resolve(void) {
  real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
  real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
  real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
  real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
  real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
}
#define REAL() pthread_once(&once, resolve)

enum event { EV_NONE, EV_FM, EV_EOD1, EV_EOD2 };

/* The one emulated drive of this process. */
static struct {
  volatile int fd;   /* the descriptor handed out (a real /dev/null fd), -1 when closed */
  int tape;          /* real descriptor of the tape image, flock-ed */
  int writable;      /* opened O_WRONLY/O_RDWR */
  char pos_path[PATH_MAX];
  int loaded, wp, blksize, density;
  off_t off, eof;    /* byte position in the image; end of recorded data */
  int fileno, blkno;
  long lblk;         /* logical object number (blocks and filemarks from BOT) */
  enum event ev;
  int last_write;    /* the last operation was a write: a filemark is due */
  int ew_refused;    /* inside the early-warning zone, the last write got ENOSPC */
  long long cap, ew;
} d = {.fd = -1, .tape = -1};

static long long env_num(const char *name, long long dflt) {
  const char *s = getenv(name);
  if (!s || !*s) return dflt;
  return strtoll(s, NULL, 0);
}

static int is_device(const char *path) {
  if (!path || !getenv("AF_STEMU_TAPE")) return 0;
  const char *dev = getenv("AF_STEMU_DEVICE");
  return strcmp(path, dev && *dev ? dev : "/dev/nst0") == 0;
}

static long long payload(void) { return (long long)(d.off - HDR) - 8LL * d.lblk; }

/* ---- the image ------------------------------------------------------------------ */

static int rec_len_at(off_t at, uint32_t *len) {
  return pread(d.tape, len, 4, at) == 4 ? 0 : -1;
}

/* Moves over the record at the position; returns its length, or -1 at EOD / on error. */
static long fwd(void) {
  uint32_t len;
  if (d.off >= d.eof || rec_len_at(d.off, &len) < 0) return -1;
  d.off += 8 + (off_t)len;
  d.lblk++;
  if (len == 0) {
    d.fileno++;
    d.blkno = 0;
  } else if (d.blkno >= 0) {
    d.blkno++;
  }
  return len;
}

/* Moves back over the record before the position; returns its length, or -1 at BOT. */
static long back(void) {
  uint32_t len;
  if (d.off <= HDR || rec_len_at(d.off - 4, &len) < 0) return -1;
  d.off -= 8 + (off_t)len;
  d.lblk--;
  if (len == 0) {
    d.fileno--;
    d.blkno = -1;
  } else if (d.blkno > 0) {
    d.blkno--;
  }
  return len;
}

static void at_bot(void) {
  d.off = HDR;
  d.fileno = 0;
  d.blkno = 0;
  d.lblk = 0;
}

/* Cuts the tape at the position (a write anywhere but at EOD discards the rest). */
static int cut(void) {
  if (d.off < d.eof) {
    if (ftruncate(d.tape, d.off) < 0) return -1;
    d.eof = d.off;
  }
  return 0;
}

static int put_record(const void *data, uint32_t len) {
  struct iovec v[3] = {{&len, 4}, {(void *)data, len}, {&len, 4}};
  size_t want = 8 + (size_t)len;
  ssize_t n = pwritev(d.tape, v, 3, d.off);
  if (n < 0) return -1;
  if ((size_t)n != want) {
    errno = EIO;
    return -1;
  }
  d.off += want;
  d.eof = d.off;
  d.lblk++;
  return 0;
}

static int write_filemarks(int n) {
  if (cut() < 0) return -1;
  for (int i = 0; i < n; i++) {
    if (put_record(NULL, 0) < 0) return -1;
    d.fileno++;
    d.blkno = 0;
  }
  d.last_write = 0;
  d.ev = EV_NONE;
  return 0;
}

static void flush_pending_filemark(void) {
  if (d.last_write) write_filemarks(1);
}

static void load_state(void) {
  d.loaded = 1;
  d.blksize = 0;
  d.density = 0;
  at_bot();
  FILE *f = fopen(d.pos_path, "re");
  if (!f) return;
  int loaded, bs, dens, fileno, blkno;
  long long off;
  long lblk;
  if (fscanf(f, "loaded %d blksize %d density %d off %lld fileno %d blkno %d lblk %ld", &loaded, &bs, &dens, &off,
             &fileno, &blkno, &lblk) == 7) {
    d.loaded = loaded;
    d.blksize = bs;
    d.density = dens;
    if (off >= HDR && off <= d.eof) {
      d.off = off;
      d.fileno = fileno;
      d.blkno = blkno;
      d.lblk = lblk;
    }
  }
  fclose(f);
}

static void save_state(void) {
  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", d.pos_path);
  FILE *f = fopen(tmp, "we");
  if (!f) return;
  fprintf(f, "loaded %d blksize %d density %d off %lld fileno %d blkno %d lblk %ld\n", d.loaded, d.blksize, d.density,
          (long long)d.off, d.fileno, d.blkno, d.lblk);
  if (fclose(f) == 0) rename(tmp, d.pos_path);
}

/* ---- open / close ------------------------------------------------------------------ */

static int emu_open(int flags) {
  const char *image = getenv("AF_STEMU_TAPE");
  pthread_mutex_lock(&mu);
  int err = 0;
  if (d.fd >= 0) {
    err = EBUSY;
    goto out;
  }
  d.tape = real_open(image, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (d.tape < 0) {
    err = errno;
    goto out;
  }
  if (flock(d.tape, LOCK_EX | LOCK_NB) < 0) {
    err = EBUSY;
    goto fail;
  }
  struct stat st;
  if (fstat(d.tape, &st) < 0) {
    err = errno;
    goto fail;
  }
  char magic[HDR];
  if (st.st_size == 0) {
    memset(magic, 0, sizeof magic);
    memcpy(magic, MAGIC, 8);
    if (pwrite(d.tape, magic, HDR, 0) != HDR) {
      err = EIO;
      goto fail;
    }
    st.st_size = HDR;
  } else if (st.st_size < HDR || pread(d.tape, magic, HDR, 0) != HDR || memcmp(magic, MAGIC, 8) != 0) {
    err = EIO;
    goto fail;
  }
  d.eof = st.st_size;
  snprintf(d.pos_path, sizeof d.pos_path, "%s.pos", image);
  load_state();
  d.wp = env_num("AF_STEMU_WRITE_PROTECT", 0) != 0;
  d.cap = env_num("AF_STEMU_CAPACITY", 256LL << 20);
  d.ew = env_num("AF_STEMU_EARLY_WARNING", d.cap / 16);
  d.writable = (flags & O_ACCMODE) != O_RDONLY;
  d.ev = EV_NONE;
  d.last_write = 0;
  d.ew_refused = 0;
  if (!(flags & O_NONBLOCK)) {
    if (!d.loaded) {
      err = ENOMEDIUM;
      goto fail;
    }
    if (d.wp && d.writable) {
      err = EROFS;
      goto fail;
    }
  }
  int fd = real_open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
  if (fd < 0) {
    err = errno;
    goto fail;
  }
  d.fd = fd;
  pthread_mutex_unlock(&mu);
  return fd;
fail:
  real_close(d.tape);
  d.tape = -1;
out:
  pthread_mutex_unlock(&mu);
  errno = err;
  return -1;
}

static int emu_close(int fd) {
  pthread_mutex_lock(&mu);
  if (d.loaded) flush_pending_filemark();
  save_state();
  real_close(d.tape);
  d.tape = -1;
  d.fd = -1;
  pthread_mutex_unlock(&mu);
  return real_close(fd);
}

/* ---- read / write ------------------------------------------------------------------- */

static ssize_t emu_read(void *buf, size_t count) {
  uint32_t len;
  if (!d.loaded) return errno = ENOMEDIUM, -1;
  d.last_write = 0;
  d.ew_refused = 0;
  if (d.off >= d.eof) {
    if (d.ev == EV_EOD1 || d.ev == EV_EOD2) {
      d.ev = EV_EOD2;
      return errno = EIO, -1;
    }
    d.ev = EV_EOD1;
    return 0;
  }
  if (rec_len_at(d.off, &len) < 0) return errno = EIO, -1;
  if (len == 0) {
    fwd();
    d.ev = EV_FM;
    return 0;
  }
  d.ev = EV_NONE;
  if (d.blksize == 0) {
    if (len > count) {
      fwd(); /* st skips the block it could not return */
      return errno = ENOMEM, -1;
    }
    if (pread(d.tape, buf, len, d.off + 4) != (ssize_t)len) return errno = EIO, -1;
    fwd();
    return len;
  }
  if (count % (size_t)d.blksize != 0) return errno = EINVAL, -1;
  size_t got = 0;
  while (got < count && d.off < d.eof && rec_len_at(d.off, &len) == 0 && len != 0) {
    if (len > count - got) {
      if (got > 0) break;
      fwd();
      return errno = ENOMEM, -1;
    }
    if (pread(d.tape, (char *)buf + got, len, d.off + 4) != (ssize_t)len) return errno = EIO, -1;
    fwd();
    got += len;
  }
  return (ssize_t)got;
}

static ssize_t emu_write(const void *buf, size_t count) {
  if (!d.writable) return errno = EBADF, -1;
  if (!d.loaded) return errno = ENOMEDIUM, -1;
  if (d.wp) return errno = EACCES, -1;
  if (count == 0) return 0;
  if (d.blksize > 0 && count % (size_t)d.blksize != 0) return errno = EINVAL, -1;
  if (count > 0xffffff00u) return errno = EINVAL, -1;
  long long before = payload();
  if (before + (long long)count > d.cap) return errno = ENOSPC, -1;
  if (before > d.cap - d.ew) {
    d.ew_refused = !d.ew_refused;
    if (d.ew_refused) return errno = ENOSPC, -1;
  }
  if (cut() < 0) return -1;
  size_t step = d.blksize > 0 ? (size_t)d.blksize : count;
  for (size_t at = 0; at < count; at += step) {
    if (put_record((const char *)buf + at, (uint32_t)step) < 0) return -1;
    if (d.blkno >= 0) d.blkno++;
  }
  d.ev = EV_NONE;
  d.last_write = 1;
  return (ssize_t)count;
}

/* ---- ioctl -------------------------------------------------------------------------- */

static int fail(int e) {
  errno = e;
  return -1;
}

static int space_files_forward(int n) {
  while (n > 0) {
    long len = fwd();
    if (len < 0) return fail(EIO);
    if (len == 0) n--;
  }
  return 0;
}

static int space_files_back(int n) {
  while (n > 0) {
    long len = back();
    if (len < 0) {
      at_bot();
      return fail(EIO);
    }
    if (len == 0) n--;
  }
  return 0;
}

static int emu_mtop(const struct mtop *op) {
  int n = op->mt_count;
  if (!d.loaded) {
    switch (op->mt_op) {
      case MTLOAD:
        d.loaded = 1;
        at_bot();
        return 0;
      case MTOFFL: case MTUNLOAD: case MTNOP: case MTSETBLK: case MTSETDENSITY:
      case MTSETDRVBUFFER: case MTLOCK: case MTUNLOCK: case MTCOMPRESSION:
        break;
      default:
        return fail(ENOMEDIUM);
    }
  }
  int pending = d.last_write;
  d.last_write = 0;
  if (op->mt_op != MTNOP) d.ev = EV_NONE;
  if (op->mt_op != MTNOP && op->mt_op != MTWEOF && op->mt_op != MTWEOFI) d.ew_refused = 0;
  switch (op->mt_op) {
    case MTRESET: case MTNOP: case MTLOCK: case MTUNLOCK: case MTCOMPRESSION:
    case MTSETDRVBUFFER: case MTSETPART:
      d.last_write = pending;
      if (op->mt_op == MTSETPART && n != 0) return fail(EIO);
      return 0;
    case MTWEOF: case MTWEOFI:
      if (n < 0) return fail(EINVAL);
      if (!d.writable) return fail(EBADF);
      if (d.wp) return fail(EACCES);
      if (n == 0) {
        d.last_write = pending;
        return 0;
      }
      return write_filemarks(n);
    case MTREW: case MTRETEN: case MTOFFL: case MTUNLOAD: case MTLOAD:
      if (pending && d.loaded) write_filemarks(1);
      at_bot();
      if (op->mt_op == MTOFFL || op->mt_op == MTUNLOAD) d.loaded = 0;
      if (op->mt_op == MTLOAD) d.loaded = 1;
      return 0;
    case MTFSF:
      return space_files_forward(n);
    case MTFSFM:
      if (space_files_forward(n) < 0) return -1;
      back();
      return 0;
    case MTBSF:
      if (pending) write_filemarks(1);
      return space_files_back(n);
    case MTBSFM:
      if (pending) write_filemarks(1);
      if (space_files_back(n) < 0) return -1;
      if (d.off > HDR) fwd();
      return 0;
    case MTFSR:
      for (; n > 0; n--) {
        long len = fwd();
        if (len < 0) return fail(EIO);
        if (len == 0) {
          d.ev = EV_FM;
          return fail(EIO);
        }
      }
      return 0;
    case MTBSR:
      for (; n > 0; n--) {
        uint32_t len;
        if (d.off <= HDR) return fail(EIO);
        if (rec_len_at(d.off - 4, &len) < 0 || len == 0) return fail(EIO);
        back();
      }
      return 0;
    case MTEOM:
      while (fwd() >= 0) {
      }
      return 0;
    case MTERASE:
      if (!d.writable) return fail(EBADF);
      if (d.wp) return fail(EACCES);
      return cut();
    case MTSETBLK:
      if (n < 0 || n > MT_ST_BLKSIZE_MASK) return fail(EINVAL);
      d.blksize = n;
      d.last_write = pending;
      return 0;
    case MTSETDENSITY:
      d.density = n & 0xff;
      d.last_write = pending;
      return 0;
    case MTSEEK:
      if (pending) write_filemarks(1);
      at_bot();
      for (long i = 0; i < n; i++)
        if (fwd() < 0) return fail(EIO);
      return 0;
    default: /* MTTELL, setmarks, MTMKPART, self tests */
      d.last_write = pending;
      return fail(ENOSYS);
  }
}

static void emu_mtget(struct mtget *g) {
  memset(g, 0, sizeof *g);
  g->mt_type = MT_ISSCSI2;
  g->mt_resid = 0;
  g->mt_dsreg = ((long)d.density << MT_ST_DENSITY_SHIFT) | (d.blksize & MT_ST_BLKSIZE_MASK);
  unsigned long s = 0;
  if (d.loaded) {
    s |= GMT_ONLINE(~0UL);
    if (d.off == HDR) s |= GMT_BOT(~0UL);
    if (d.ev == EV_FM) s |= GMT_EOF(~0UL);
    if (d.off >= d.eof) s |= GMT_EOD(~0UL);
    if (payload() > d.cap - d.ew) s |= GMT_EOT(~0UL);
    if (d.wp) s |= GMT_WR_PROT(~0UL);
    g->mt_fileno = d.fileno;
    g->mt_blkno = d.blkno;
  } else {
    s |= GMT_DR_OPEN(~0UL);
    g->mt_fileno = -1;
    g->mt_blkno = -1;
  }
  g->mt_gstat = (long)s;
}

static int emu_ioctl(unsigned long req, void *arg) {
  pthread_mutex_lock(&mu);
  int rc = 0;
  if (req == MTIOCTOP) {
    rc = emu_mtop((const struct mtop *)arg);
  } else if (req == MTIOCGET) {
    emu_mtget((struct mtget *)arg);
  } else if (req == MTIOCPOS) {
    if (!d.loaded)
      rc = fail(ENOMEDIUM);
    else
      ((struct mtpos *)arg)->mt_blkno = d.lblk;
  } else {
    rc = fail(ENOTTY);
  }
  int e = errno;
  pthread_mutex_unlock(&mu);
  errno = e;
  return rc;
}

/* ---- the interposed libc entry points ------------------------------------------------ */

static int mode_arg(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_device(path)) return emu_open(flags);
  return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_device(path)) return emu_open(flags);
  return real_open(path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_device(path) && (path[0] == '/' || dirfd == AT_FDCWD)) return emu_open(flags);
  return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_device(path) && (path[0] == '/' || dirfd == AT_FDCWD)) return emu_open(flags);
  return real_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* The fortified variants that -D_FORTIFY_SOURCE builds call (no mode argument). */
int __open_2(const char *path, int flags) { return open(path, flags); }
int __open64_2(const char *path, int flags) { return open64(path, flags); }
int __openat_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
int __openat64_2(int dirfd, const char *path, int flags) { return openat64(dirfd, path, flags); }

int close(int fd) {
  REAL();
  if (fd >= 0 && fd == d.fd) return emu_close(fd);
  return real_close(fd);
}

ssize_t read(int fd, void *buf, size_t count) {
  REAL();
  if (fd < 0 || fd != d.fd) return real_read(fd, buf, count);
  pthread_mutex_lock(&mu);
  ssize_t n = emu_read(buf, count);
  int e = errno;
  pthread_mutex_unlock(&mu);
  errno = e;
  return n;
}

ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen) {
  if (count > buflen) abort();
  return read(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count) {
  REAL();
  if (fd < 0 || fd != d.fd) return real_write(fd, buf, count);
  pthread_mutex_lock(&mu);
  ssize_t n = emu_write(buf, count);
  int e = errno;
  pthread_mutex_unlock(&mu);
  errno = e;
  return n;
}

int ioctl(int fd, unsigned long req, ...) {
  REAL();
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (fd < 0 || fd != d.fd) return real_ioctl(fd, req, arg);
  return emu_ioctl(req, arg);
}
