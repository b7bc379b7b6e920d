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
 *   AF_STEMU_TRACE=1              one stderr line per SCSI command either node receives (CDB, outcome)
 *   AF_STEMU_TAPEALERT=<list>     TapeAlert flags (1..64, comma or blank separated) the drive reports
 *
 * SG_IO on the drive node (st passes it to the drive) answers TEST UNIT READY (2/3A/00 without
 * a cartridge), REQUEST SENSE, INQUIRY (type 1, "AFSTEMU VIRTUAL TAPE") and LOG SENSE pages 0x00,
 * 0x12 and 0x2E (TapeAlert, the flags of AF_STEMU_TAPEALERT; they are not cleared by reading,
 * as a real drive's are); other opcodes get 5/20/00.
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
 *
 * The changer (library mode), with AF_STEMU_LIBRARY=<dir>:
 *   AF_STEMU_CHANGER_DEVICE=<path> the emulated SCSI generic node (default /dev/sg9)
 *   AF_STEMU_SLOTS=<n>             storage slots of a new library (default: cartridges + 2, max 64)
 *   AF_STEMU_PORTS=<n>             import/export ports of a new library (default 1, max 4)
 *   Cartridges are the files <dir>/<tag>.tape (tape images as above); <tag>, the file name
 *   without ".tape" (at most 32 characters), is the volume tag (barcode): AF0001L9.tape is
 *   AF0001L9. A new library puts them into slots 1.. in name order. One drive, one transport.
 *   Element addresses: transport 0x0001, ports 0x0010.., drive 0x0100, slots 0x1000...
 *   State <dir>/changer.state (plain text, rewritten by rename after each move):
 *     "generation G" (bumped by every move into or out of the drive), "drive 1 <tag>|empty
 *     [from slot|port N]", then one "slot N <tag>|empty" and "port N <tag>|empty" per element.
 *   <dir>/changer.lck is flock-ed around each command, <dir>/drive.lck while the drive is open.
 *   The drive node (AF_STEMU_DEVICE) then holds the cartridge the state puts in the drive
 *   (AF_STEMU_TAPE is ignored): an open drive follows moves made meanwhile, in any process,
 *   at its next operation; a cartridge moved into the drive is loaded at BOT (its <tag>.tape.pos
 *   is rewritten, keeping the block size). Without a cartridge the drive behaves as after MTOFFL
 *   and MTLOAD fails with ENOMEDIUM.
 *   ioctl(SG_IO) on the changer node answers TEST UNIT READY, REQUEST SENSE (always "no sense":
 *   sense is returned with the failing command), INQUIRY (type 8; VPD 0x00 and 0x80), MODE SENSE
 *   (6)/(10) page 0x1D, READ ELEMENT STATUS (VOLTAG: 36-byte primary tags; a drive's source
 *   element with SVALID), MOVE MEDIUM, INITIALIZE ELEMENT STATUS (with range too: cartridge files
 *   that vanished leave their element, new files go to the first empty slots) and PREVENT ALLOW
 *   MEDIUM REMOVAL. Errors are CHECK CONDITION with fixed-format sense: 5/3B/0E source empty,
 *   5/3B/0D destination full, 5/21/01 invalid element address, 5/24/00 invalid field in CDB,
 *   5/20/00 unknown opcode. As sg does, MOVE MEDIUM and INITIALIZE on an O_RDONLY descriptor
 *   fail with EPERM. SG_GET_VERSION_NUM gives 30536; SG_GET_SCSI_ID, SCSI_IOCTL_GET_IDLUN and
 *   SCSI_IOCTL_GET_BUS_NUMBER give host 0, channel 0, target 9, lun 0 (mtx asks for them). An
 *   empty element's volume tag field is all zero bytes. The robot takes a cartridge out of the
 *   drive even while a process holds the drive open (not refused as some libraries do).
 */
/* node-gyp builds with _FILE_OFFSET_BITS=64, which renames open to open64 in the headers;
   this library defines both names itself (on 64-bit Linux they are the same call). */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mtio.h>
#include <pthread.h>
#include <scsi/scsi.h>
#include <scsi/sg.h>
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
  int libmode;        /* AF_STEMU_LIBRARY: the changer state says which image is in the drive */
  int lockfd;         /* library mode: flock-ed <dir>/drive.lck (one open at a time) */
  unsigned long gen;  /* library mode: the changer generation the binding follows */
} d = {.fd = -1, .tape = -1, .lockfd = -1};

static long long env_num(const char *name, long long dflt) {
  const char *s = getenv(name);
  if (!s || !*s) return dflt;
  return strtoll(s, NULL, 0);
}

static const char *lib_dir(void);

static int is_device(const char *path) {
  if (!path || (!getenv("AF_STEMU_TAPE") && !lib_dir())) return 0;
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
  if (!d.pos_path[0]) return;
  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", d.pos_path);
  FILE *f = fopen(tmp, "we");
  if (!f) return;
  fprintf(f, "loaded %d blksize %d density %d off %lld fileno %d blkno %d lblk %ld\n", d.loaded, d.blksize, d.density,
          (long long)d.off, d.fileno, d.blkno, d.lblk);
  if (fclose(f) == 0) rename(tmp, d.pos_path);
}

/* ---- the changer's library (state shared with the drive) ------------------------- */

#define LIB_MAX_SLOTS 64
#define LIB_MAX_PORTS 4
#define TAG_MAX 33 /* a volume identifier is 32 characters */
#define ADDR_TRANSPORT 0x0001
#define ADDR_PORT 0x0010
#define ADDR_DRIVE 0x0100
#define ADDR_SLOT 0x1000

struct lib {
  unsigned long gen; /* bumped by every move into or out of the drive */
  int nslots, nports;
  char slot[LIB_MAX_SLOTS][TAG_MAX]; /* "" = empty */
  char port[LIB_MAX_PORTS][TAG_MAX];
  char drive[TAG_MAX];
  int drive_src; /* element address the drive's cartridge came from, 0 = unknown */
};

static const char *lib_dir(void) {
  const char *s = getenv("AF_STEMU_LIBRARY");
  return s && *s ? s : NULL;
}

static void lib_path(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", lib_dir(), name); }

static void image_path(char *out, size_t n, const char *tag) { snprintf(out, n, "%s/%s.tape", lib_dir(), tag); }

static int by_name(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* The cartridge files of the library directory (<tag>.tape), sorted by name. */
static int scan_cartridges(char (*tags)[TAG_MAX], int max) {
  DIR *dir = opendir(lib_dir());
  if (!dir) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL && n < max) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || len - 5 >= TAG_MAX || strcmp(e->d_name + len - 5, ".tape") != 0 || e->d_name[0] == '.') continue;
    memcpy(tags[n], e->d_name, len - 5);
    tags[n][len - 5] = 0;
    n++;
  }
  closedir(dir);
  qsort(tags, (size_t)n, TAG_MAX, by_name);
  return n;
}

static int lib_holds(const struct lib *L, const char *tag) {
  if (strcmp(L->drive, tag) == 0) return 1;
  for (int i = 0; i < L->nslots; i++)
    if (strcmp(L->slot[i], tag) == 0) return 1;
  for (int i = 0; i < L->nports; i++)
    if (strcmp(L->port[i], tag) == 0) return 1;
  return 0;
}

/* A new library: the cartridges in slots 1.. in name order, then empty slots and ports. */
static void lib_init(struct lib *L) {
  static char tags[LIB_MAX_SLOTS][TAG_MAX];
  memset(L, 0, sizeof *L);
  int n = scan_cartridges(tags, LIB_MAX_SLOTS);
  long long slots = env_num("AF_STEMU_SLOTS", n + 2);
  if (slots < n) slots = n;
  if (slots > LIB_MAX_SLOTS) slots = LIB_MAX_SLOTS;
  if (slots < 1) slots = 1;
  long long ports = env_num("AF_STEMU_PORTS", 1);
  if (ports < 0) ports = 0;
  if (ports > LIB_MAX_PORTS) ports = LIB_MAX_PORTS;
  L->nslots = (int)slots;
  L->nports = (int)ports;
  for (int i = 0; i < n; i++) strcpy(L->slot[i], tags[i]);
}

static void put_tag(char *dst, const char *word) {
  if (strcmp(word, "empty") == 0) dst[0] = 0;
  else {
    size_t n = strnlen(word, TAG_MAX - 1);
    memcpy(dst, word, n);
    dst[n] = 0;
  }
}

/* Reads <dir>/changer.state; 0 when there is none yet (L is then a new library). */
static int lib_load(struct lib *L) {
  char path[PATH_MAX];
  lib_path(path, sizeof path, "changer.state");
  FILE *f = fopen(path, "re");
  if (!f) {
    lib_init(L);
    return 0;
  }
  memset(L, 0, sizeof *L);
  char line[256], what[16], word[64], kind[16];
  int num, n;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    if (sscanf(line, "generation %lu", &L->gen) == 1) continue;
    n = sscanf(line, "%15s %d %63s from %15s %d", what, &num, word, kind, &L->drive_src);
    if (n < 3 || num < 1) continue;
    if (strcmp(what, "slot") == 0 && num <= LIB_MAX_SLOTS) {
      put_tag(L->slot[num - 1], word);
      if (num > L->nslots) L->nslots = num;
    } else if (strcmp(what, "port") == 0 && num <= LIB_MAX_PORTS) {
      put_tag(L->port[num - 1], word);
      if (num > L->nports) L->nports = num;
    } else if (strcmp(what, "drive") == 0 && num == 1) {
      put_tag(L->drive, word);
      if (n == 5 && strcmp(kind, "slot") == 0) L->drive_src = ADDR_SLOT + L->drive_src - 1;
      else if (n == 5 && strcmp(kind, "port") == 0) L->drive_src = ADDR_PORT + L->drive_src - 1;
      else L->drive_src = 0;
    }
  }
  fclose(f);
  return 1;
}

static void lib_save(const struct lib *L) {
  char path[PATH_MAX], tmp[PATH_MAX + 8];
  lib_path(path, sizeof path, "changer.state");
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "we");
  if (!f) return;
  fprintf(f, "# afstemu changer state: each element holds \"empty\" or a cartridge (<tag>.tape)\n");
  fprintf(f, "generation %lu\n", L->gen);
  fprintf(f, "drive 1 %s", L->drive[0] ? L->drive : "empty");
  if (L->drive[0] && L->drive_src >= ADDR_SLOT) fprintf(f, " from slot %d", L->drive_src - ADDR_SLOT + 1);
  else if (L->drive[0] && L->drive_src >= ADDR_PORT && L->drive_src < ADDR_DRIVE) fprintf(f, " from port %d", L->drive_src - ADDR_PORT + 1);
  fprintf(f, "\n");
  for (int i = 0; i < L->nslots; i++) fprintf(f, "slot %d %s\n", i + 1, L->slot[i][0] ? L->slot[i] : "empty");
  for (int i = 0; i < L->nports; i++) fprintf(f, "port %d %s\n", i + 1, L->port[i][0] ? L->port[i] : "empty");
  if (fclose(f) == 0) rename(tmp, path);
}

/* ---- binding the drive to a cartridge image ------------------------------------------ */

/* Opens <image> as the drive's tape (creating the header of an empty file) and reads its state. */
static int bind_image(const char *image) {
  d.tape = real_open(image, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (d.tape < 0) return errno;
  struct stat st;
  if (fstat(d.tape, &st) < 0) return errno;
  char magic[HDR];
  if (st.st_size == 0) {
    memset(magic, 0, sizeof magic);
    memcpy(magic, MAGIC, 8);
    if (pwrite(d.tape, magic, HDR, 0) != HDR) return EIO;
    st.st_size = HDR;
  } else if (st.st_size < HDR || pread(d.tape, magic, HDR, 0) != HDR || memcmp(magic, MAGIC, 8) != 0) {
    return EIO;
  }
  d.eof = st.st_size;
  snprintf(d.pos_path, sizeof d.pos_path, "%s.pos", image);
  load_state();
  return 0;
}

static void unbind_image(void) {
  if (d.tape >= 0) real_close(d.tape);
  d.tape = -1;
  d.pos_path[0] = 0;
  d.loaded = 0;
  at_bot();
}

/* Library mode: binds the drive to the cartridge the changer state puts in it. */
static int bind_library_drive(void) {
  struct lib L;
  lib_load(&L);
  d.gen = L.gen;
  if (!L.drive[0]) {
    unbind_image();
    return 0;
  }
  char image[PATH_MAX];
  image_path(image, sizeof image, L.drive);
  int err = bind_image(image);
  if (err) unbind_image();
  return err;
}

/* Library mode, before each drive operation: follows a move the changer made meanwhile
   (in this or another process). The cartridge that left is finished (a pending filemark is
   written); the one that arrived is at the state the changer gave it (loaded, at BOT). */
static void sync_cartridge(void) {
  if (!d.libmode) return;
  struct lib L;
  lib_load(&L);
  if (L.gen == d.gen) return;
  if (d.tape >= 0 && d.loaded) flush_pending_filemark();
  unbind_image();
  d.ev = EV_NONE;
  d.last_write = 0;
  d.ew_refused = 0;
  bind_library_drive();
}

/* ---- open / close ------------------------------------------------------------------ */

static int emu_open(int flags) {
  pthread_mutex_lock(&mu);
  int err = 0;
  if (d.fd >= 0) {
    err = EBUSY;
    goto out;
  }
  d.libmode = lib_dir() != NULL;
  d.lockfd = -1;
  d.tape = -1;
  d.pos_path[0] = 0;
  if (d.libmode) {
    char lck[PATH_MAX];
    lib_path(lck, sizeof lck, "drive.lck");
    d.lockfd = real_open(lck, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d.lockfd < 0) {
      err = errno;
      goto out;
    }
    if (flock(d.lockfd, LOCK_EX | LOCK_NB) < 0) {
      err = EBUSY;
      goto fail;
    }
    err = bind_library_drive();
    if (err) goto fail;
  } else {
    const char *image = getenv("AF_STEMU_TAPE");
    err = bind_image(image);
    /* a busy image is never empty, so bind_image wrote nothing to it before this check */
    if (!err && flock(d.tape, LOCK_EX | LOCK_NB) < 0) err = EBUSY;
    if (err) goto fail;
  }
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
  if (d.tape >= 0) real_close(d.tape);
  d.tape = -1;
  if (d.lockfd >= 0) real_close(d.lockfd);
  d.lockfd = -1;
out:
  pthread_mutex_unlock(&mu);
  errno = err;
  return -1;
}

static int emu_close(int fd) {
  pthread_mutex_lock(&mu);
  sync_cartridge();
  if (d.tape >= 0) {
    if (d.loaded) flush_pending_filemark();
    save_state();
    real_close(d.tape);
  }
  d.tape = -1;
  if (d.lockfd >= 0) real_close(d.lockfd);
  d.lockfd = -1;
  d.fd = -1;
  pthread_mutex_unlock(&mu);
  return real_close(fd);
}

/* ---- read / write ------------------------------------------------------------------- */

static ssize_t emu_read(void *buf, size_t count) {
  uint32_t len;
  sync_cartridge();
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
  sync_cartridge();
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
        if (d.tape < 0) return fail(ENOMEDIUM); /* library mode: no cartridge in the drive */
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

static int drive_sgio(sg_io_hdr_t *h);

static int emu_ioctl(unsigned long req, void *arg) {
  pthread_mutex_lock(&mu);
  sync_cartridge();
  int rc = 0;
  if (req == SG_IO) {
    rc = drive_sgio((sg_io_hdr_t *)arg);
  } else if (req == MTIOCTOP) {
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

/* ---- the medium changer (SCSI generic node, SG_IO) ------------------------------------- */

#define CHG_MAX_FDS 8
#define EMU_TARGET 9 /* the SCSI target id the changer reports (as in /dev/sg9) */
#define RESP_MAX 65536

/* Descriptors handed out for the changer node: fd + 1 (0 = free), and whether opened O_RDWR. */
static int chg_fds[CHG_MAX_FDS];
static int chg_rw[CHG_MAX_FDS];

static int is_changer(const char *path) {
  if (!path || !lib_dir()) return 0;
  const char *dev = getenv("AF_STEMU_CHANGER_DEVICE");
  return strcmp(path, dev && *dev ? dev : "/dev/sg9") == 0;
}

static int chg_slot_of(int fd) {
  if (fd < 0) return -1;
  for (int i = 0; i < CHG_MAX_FDS; i++)
    if (chg_fds[i] == fd + 1) return i;
  return -1;
}

static int chg_open(int flags) {
  pthread_mutex_lock(&mu);
  int i = 0;
  while (i < CHG_MAX_FDS && chg_fds[i]) i++;
  int err = 0, fd = -1;
  struct stat st;
  if (i == CHG_MAX_FDS) {
    err = EMFILE;
  } else if (stat(lib_dir(), &st) < 0 || !S_ISDIR(st.st_mode)) {
    err = ENXIO; /* no library behind the node */
  } else {
    fd = real_open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
    if (fd < 0) {
      err = errno;
    } else {
      chg_fds[i] = fd + 1;
      chg_rw[i] = (flags & O_ACCMODE) == O_RDWR;
    }
  }
  pthread_mutex_unlock(&mu);
  if (fd < 0) errno = err;
  return fd;
}

static int chg_close(int fd) {
  pthread_mutex_lock(&mu);
  int i = chg_slot_of(fd);
  if (i >= 0) chg_fds[i] = 0;
  pthread_mutex_unlock(&mu);
  return real_close(fd);
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }
static void put24(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 16); put16(p + 1, v); }

/* The outcome of one command: data to return (resp, len) or a CHECK CONDITION (key/asc/ascq). */
struct reply {
  unsigned char *resp;
  size_t len;
  int key, asc, ascq;
};

static void check(struct reply *r, int key, int asc, int ascq) {
  r->key = key;
  r->asc = asc;
  r->ascq = ascq;
  r->len = 0;
}

static void pad_copy(unsigned char *dst, const char *s, size_t n) {
  memset(dst, ' ', n);
  size_t l = strlen(s);
  memcpy(dst, s, l < n ? l : n);
}

static void do_inquiry(const unsigned char *cdb, struct reply *r) {
  unsigned char *b = r->resp;
  if (cdb[1] & 0x01) {
    if (cdb[2] == 0x00) {
      const unsigned char pages[] = {0x00, 0x80};
      b[0] = 0x08;
      b[1] = 0x00;
      put16(b + 2, sizeof pages);
      memcpy(b + 4, pages, sizeof pages);
      r->len = 4 + sizeof pages;
    } else if (cdb[2] == 0x80) {
      const char *serial = "AFSTEMU0001";
      b[0] = 0x08;
      b[1] = 0x80;
      put16(b + 2, (unsigned)strlen(serial));
      memcpy(b + 4, serial, strlen(serial));
      r->len = 4 + strlen(serial);
    } else {
      check(r, 0x5, 0x24, 0x00);
    }
    return;
  }
  if (cdb[2] != 0) return check(r, 0x5, 0x24, 0x00);
  memset(b, 0, 36);
  b[0] = 0x08; /* qualifier 0, medium changer */
  b[1] = 0x80; /* removable */
  b[2] = 0x05; /* SPC-3 */
  b[3] = 0x02; /* response data format 2 */
  b[4] = 36 - 5;
  pad_copy(b + 8, "AFSTEMU", 8);
  pad_copy(b + 16, "VIRTUAL CHANGER", 16);
  pad_copy(b + 32, "0001", 4);
  r->len = 36;
}

static void do_mode_sense(const unsigned char *cdb, const struct lib *L, struct reply *r) {
  int ten = cdb[0] == 0x5a;
  int page = cdb[2] & 0x3f;
  if (page != 0x1d && page != 0x3f) return check(r, 0x5, 0x24, 0x00);
  if ((cdb[2] >> 6) == 3) return check(r, 0x5, 0x39, 0x00); /* saving parameters not supported */
  unsigned char *b = r->resp;
  size_t hdr = ten ? 8 : 4, total = hdr + 20;
  memset(b, 0, total);
  if (ten) put16(b, (unsigned)(total - 2));
  else b[0] = (unsigned char)(total - 1);
  unsigned char *p = b + hdr;
  p[0] = 0x1d;
  p[1] = 0x12;
  put16(p + 2, ADDR_TRANSPORT);
  put16(p + 4, 1);
  put16(p + 6, ADDR_SLOT);
  put16(p + 8, (unsigned)L->nslots);
  put16(p + 10, ADDR_PORT);
  put16(p + 12, (unsigned)L->nports);
  put16(p + 14, ADDR_DRIVE);
  put16(p + 16, 1);
  r->len = total;
}

/* Every element in address order: type code, address, the volume tag it holds. */
struct elem {
  int type;
  unsigned addr;
  const char *tag;
};

static int list_elements(const struct lib *L, struct elem *out) {
  int n = 0;
  out[n++] = (struct elem){1, ADDR_TRANSPORT, ""};
  for (int i = 0; i < L->nports; i++) out[n++] = (struct elem){3, ADDR_PORT + (unsigned)i, L->port[i]};
  out[n++] = (struct elem){4, ADDR_DRIVE, L->drive};
  for (int i = 0; i < L->nslots; i++) out[n++] = (struct elem){2, ADDR_SLOT + (unsigned)i, L->slot[i]};
  return n;
}

static void do_read_element_status(const unsigned char *cdb, const struct lib *L, struct reply *r) {
  int type = cdb[1] & 0x0f, voltag = (cdb[1] & 0x10) != 0;
  unsigned start = be16(cdb + 2), count = be16(cdb + 4);
  if (type > 4) return check(r, 0x5, 0x24, 0x00);
  struct elem all[1 + LIB_MAX_PORTS + 1 + LIB_MAX_SLOTS];
  int n = list_elements(L, all);
  size_t dlen = 12 + (voltag ? 36 : 0);
  unsigned char *b = r->resp;
  size_t at = 8, page = 0;
  unsigned reported = 0, first = 0;
  int page_type = -1;
  for (int i = 0; i < n && reported < count; i++) {
    const struct elem *e = &all[i];
    if ((type && e->type != type) || e->addr < start) continue;
    if (e->type != page_type) {
      if (page_type >= 0) put24(b + page + 5, (unsigned)(at - page - 8));
      page = at;
      memset(b + page, 0, 8);
      b[page] = (unsigned char)e->type;
      b[page + 1] = voltag ? 0x80 : 0x00;
      put16(b + page + 2, (unsigned)dlen);
      at += 8;
      page_type = e->type;
    }
    unsigned char *d0 = b + at;
    memset(d0, 0, dlen);
    put16(d0, e->addr);
    int full = e->tag[0] != 0;
    d0[2] = (unsigned char)((full ? 0x01 : 0) | 0x08 | (e->type == 3 ? 0x30 : 0));
    if (e->type == 4 && full && L->drive_src) {
      d0[9] = 0x80;
      put16(d0 + 10, (unsigned)L->drive_src);
    }
    if (voltag && full) { /* an empty element's tag field stays zero, as libraries send it */
      memset(d0 + 12, ' ', 32);
      memcpy(d0 + 12, e->tag, strlen(e->tag));
    }
    if (!reported) first = e->addr;
    reported++;
    at += dlen;
  }
  if (!reported) return check(r, 0x5, 0x21, 0x01); /* invalid element address */
  put24(b + page + 5, (unsigned)(at - page - 8));
  put16(b, first);
  put16(b + 2, reported);
  b[4] = 0;
  put24(b + 5, (unsigned)(at - 8));
  r->len = at;
}

/* Where the cartridge of element `addr` is kept in L (NULL: no such element or the transport). */
static char *element_tag(struct lib *L, unsigned addr) {
  if (addr == ADDR_DRIVE) return L->drive;
  if (addr >= ADDR_SLOT && addr < ADDR_SLOT + (unsigned)L->nslots) return L->slot[addr - ADDR_SLOT];
  if (addr >= ADDR_PORT && addr < ADDR_PORT + (unsigned)L->nports) return L->port[addr - ADDR_PORT];
  return NULL;
}

/* A cartridge arrives in the drive: loaded, at BOT; the drive keeps the block size and density
   recorded for it. */
static void fresh_drive_state(const char *tag) {
  char image[PATH_MAX], pos[PATH_MAX + 8];
  image_path(image, sizeof image, tag);
  snprintf(pos, sizeof pos, "%s.pos", image);
  int bs = 0, dens = 0, loaded;
  FILE *f = fopen(pos, "re");
  if (f) {
    if (fscanf(f, "loaded %d blksize %d density %d", &loaded, &bs, &dens) != 3) bs = dens = 0;
    fclose(f);
  }
  char tmp[PATH_MAX + 16];
  snprintf(tmp, sizeof tmp, "%s.tmp", pos);
  f = fopen(tmp, "we");
  if (!f) return;
  fprintf(f, "loaded 1 blksize %d density %d off %d fileno 0 blkno 0 lblk 0\n", bs, dens, HDR);
  if (fclose(f) == 0) rename(tmp, pos);
}

static void do_move_medium(const unsigned char *cdb, struct lib *L, struct reply *r) {
  unsigned transport = be16(cdb + 2), src = be16(cdb + 4), dst = be16(cdb + 6);
  if (cdb[10] & 0x01) return check(r, 0x5, 0x24, 0x00); /* no double-sided media */
  if (transport != 0 && transport != ADDR_TRANSPORT) return check(r, 0x5, 0x21, 0x01);
  char *from = element_tag(L, src), *to = element_tag(L, dst);
  if (!from || !to) return check(r, 0x5, 0x21, 0x01);
  if (!from[0]) return check(r, 0x5, 0x3b, 0x0e); /* medium source element empty */
  if (src == dst) return;
  if (to[0]) return check(r, 0x5, 0x3b, 0x0d); /* medium destination element full */
  memcpy(to, from, TAG_MAX);
  from[0] = 0;
  if (dst == ADDR_DRIVE) {
    L->drive_src = (int)src;
    fresh_drive_state(to);
  }
  if (src == ADDR_DRIVE) L->drive_src = 0;
  if (src == ADDR_DRIVE || dst == ADDR_DRIVE) L->gen++;
  lib_save(L);
}

/* INITIALIZE ELEMENT STATUS: cartridges whose file is gone leave their element; new files
   in the directory go to the first empty slots. */
static void do_initialize(struct lib *L) {
  static char tags[LIB_MAX_SLOTS * 2][TAG_MAX];
  int n = scan_cartridges(tags, LIB_MAX_SLOTS * 2);
  char image[PATH_MAX];
  struct stat st;
#define GONE(t) ((t)[0] && (image_path(image, sizeof image, (t)), stat(image, &st) != 0))
  if (GONE(L->drive)) {
    L->drive[0] = 0;
    L->drive_src = 0;
    L->gen++;
  }
  for (int i = 0; i < L->nslots; i++)
    if (GONE(L->slot[i])) L->slot[i][0] = 0;
  for (int i = 0; i < L->nports; i++)
    if (GONE(L->port[i])) L->port[i][0] = 0;
#undef GONE
  for (int k = 0; k < n; k++) {
    if (lib_holds(L, tags[k])) continue;
    for (int i = 0; i < L->nslots; i++)
      if (!L->slot[i][0]) {
        strcpy(L->slot[i], tags[k]);
        break;
      }
  }
  lib_save(L);
}

/* AF_STEMU_TRACE=1: one stderr line per SCSI command (CDB, transfer, outcome), for finding out
   what a program outside this repository asks of the emulated devices. */
static void trace_command(const unsigned char *cdb, const sg_io_hdr_t *h, const struct reply *r) {
  if (!env_num("AF_STEMU_TRACE", 0)) return;
  char line[256];
  int at = snprintf(line, sizeof line, "afstemu: cdb");
  for (int i = 0; i < h->cmd_len && at < 200; i++) at += snprintf(line + at, sizeof line - (size_t)at, " %02x", cdb[i]);
  if (r->key)
    at += snprintf(line + at, sizeof line - (size_t)at, " -> check %x/%02x/%02x\n", r->key, r->asc, r->ascq);
  else
    at += snprintf(line + at, sizeof line - (size_t)at, " -> %zu bytes (room %u)\n", r->len, h->dxfer_len);
  real_write(2, line, (size_t)at);
}

/* Hands the outcome of one command back through the sg_io_hdr: at most `alloc` and
   dxfer_len bytes of data, or a CHECK CONDITION with fixed-format sense. */
static int send_reply(sg_io_hdr_t *h, const struct reply *rp, size_t alloc) {
  struct reply r = *rp;
  size_t n = r.len;
  if (n > alloc) n = alloc;
  if (h->dxfer_direction != SG_DXFER_FROM_DEV && h->dxfer_direction != SG_DXFER_TO_FROM_DEV) n = 0;
  if (n > h->dxfer_len) n = h->dxfer_len;
  if (n) memcpy(h->dxferp, r.resp, n);
  h->resid = (int)(h->dxfer_len - n);
  h->duration = 1;
  h->host_status = 0;
  h->msg_status = 0;
  if (r.key) {
    unsigned char sense[18];
    memset(sense, 0, sizeof sense);
    sense[0] = 0x70;
    sense[2] = (unsigned char)r.key;
    sense[7] = 10;
    sense[12] = (unsigned char)r.asc;
    sense[13] = (unsigned char)r.ascq;
    size_t sn = h->mx_sb_len < sizeof sense ? h->mx_sb_len : sizeof sense;
    if (sn && h->sbp) memcpy(h->sbp, sense, sn);
    h->sb_len_wr = (unsigned char)(h->sbp ? sn : 0);
    h->status = 0x02; /* CHECK CONDITION */
    h->masked_status = 0x01;
    h->driver_status = 0x08; /* DRIVER_SENSE */
    h->info = SG_INFO_CHECK;
    h->resid = (int)h->dxfer_len;
  } else {
    h->sb_len_wr = 0;
    h->status = 0;
    h->masked_status = 0;
    h->driver_status = 0;
    h->info = SG_INFO_OK;
  }
  return 0;
}

static int chg_sgio(int rw, sg_io_hdr_t *h) {
  static unsigned char resp[RESP_MAX];
  if (h->interface_id != 'S') return fail(ENOSYS);
  if (h->cmd_len < 6 || h->cmd_len > 16 || !h->cmdp) return fail(EINVAL);
  if (h->dxfer_direction != SG_DXFER_NONE && h->dxfer_len > 0 && !h->dxferp) return fail(EFAULT);
  unsigned char cdb[16];
  memcpy(cdb, h->cmdp, h->cmd_len);
  int moves = cdb[0] == 0xa5 || cdb[0] == 0x07 || cdb[0] == 0x37;
  if (moves && !rw) return fail(EPERM); /* sg refuses commands that change things on O_RDONLY */

  char lck[PATH_MAX];
  lib_path(lck, sizeof lck, "changer.lck");
  int lk = real_open(lck, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lk < 0) return -1;
  flock(lk, LOCK_EX);
  struct lib L;
  if (!lib_load(&L)) lib_save(&L);
  struct reply r = {resp, 0, 0, 0, 0};
  size_t alloc = RESP_MAX;
  switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
    case 0x1e: /* PREVENT ALLOW MEDIUM REMOVAL */
      break;
    case 0x03: /* REQUEST SENSE: sense went back with each command (autosense); nothing pending */
      memset(resp, 0, 18);
      resp[0] = 0x70;
      resp[7] = 10;
      r.len = 18;
      alloc = cdb[4];
      break;
    case 0x12:
      do_inquiry(cdb, &r);
      alloc = be16(cdb + 3);
      break;
    case 0x1a:
      do_mode_sense(cdb, &L, &r);
      alloc = cdb[4];
      break;
    case 0x5a:
      do_mode_sense(cdb, &L, &r);
      alloc = be16(cdb + 7);
      break;
    case 0xb8:
      do_read_element_status(cdb, &L, &r);
      alloc = (size_t)cdb[7] << 16 | be16(cdb + 8);
      break;
    case 0xa5:
      do_move_medium(cdb, &L, &r);
      break;
    case 0x07:
    case 0x37:
      do_initialize(&L);
      break;
    default:
      check(&r, 0x5, 0x20, 0x00); /* invalid command operation code */
  }
  flock(lk, LOCK_UN);
  real_close(lk);
  trace_command(cdb, h, &r);

  return send_reply(h, &r, alloc);
}

/* ---- SCSI commands on the drive node (SG_IO through st, as for TapeAlert) ------------- */

/* The TapeAlert flags the drive reports: AF_STEMU_TAPEALERT, flag numbers 1..64 separated
   by commas or blanks. Unlike a real drive, reading them does not clear them. */
static void tapealert_flags(unsigned char on[65]) {
  memset(on, 0, 65);
  const char *s = getenv("AF_STEMU_TAPEALERT");
  while (s && *s) {
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s) {
      s++;
      continue;
    }
    if (n >= 1 && n <= 64) on[n] = 1;
    s = end;
  }
}

static void do_log_sense(const unsigned char *cdb, struct reply *r) {
  int page = cdb[2] & 0x3f;
  unsigned char *b = r->resp, on[65];
  if (cdb[1] & 0x01) return check(r, 0x5, 0x24, 0x00); /* saving parameters not supported */
  tapealert_flags(on);
  memset(b, 0, 4);
  b[0] = (unsigned char)page;
  size_t at = 4;
  if (page == 0x00) {
    const unsigned char pages[] = {0x00, 0x12, 0x2e};
    memcpy(b + 4, pages, sizeof pages);
    at += sizeof pages;
  } else if (page == 0x2e) {
    for (int f = 1; f <= 64; f++) {
      put16(b + at, (unsigned)f);
      b[at + 2] = 0x00;
      b[at + 3] = 1;
      b[at + 4] = on[f];
      at += 5;
    }
  } else if (page == 0x12) {
    memset(b + at, 0, 12);
    b[at + 3] = 8;
    for (int f = 1; f <= 64; f++)
      if (on[f]) b[at + 4 + (f - 1) / 8] |= (unsigned char)(0x80 >> ((f - 1) % 8));
    at += 12;
  } else {
    return check(r, 0x5, 0x24, 0x00);
  }
  put16(b + 2, (unsigned)(at - 4));
  r->len = at;
}

/* TEST UNIT READY, REQUEST SENSE, INQUIRY (a sequential-access device) and LOG SENSE
   (pages 0x00, 0x12, 0x2E) on the tape node; anything else is an unknown opcode. */
static int drive_sgio(sg_io_hdr_t *h) {
  static unsigned char resp[4096];
  if (h->interface_id != 'S') return fail(ENOSYS);
  if (h->cmd_len < 6 || h->cmd_len > 16 || !h->cmdp) return fail(EINVAL);
  if (h->dxfer_direction != SG_DXFER_NONE && h->dxfer_len > 0 && !h->dxferp) return fail(EFAULT);
  unsigned char cdb[16];
  memcpy(cdb, h->cmdp, h->cmd_len);
  struct reply r = {resp, 0, 0, 0, 0};
  size_t alloc = sizeof resp;
  switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
      if (!d.loaded) check(&r, 0x2, 0x3a, 0x00); /* medium not present */
      break;
    case 0x03:
      memset(resp, 0, 18);
      resp[0] = 0x70;
      resp[7] = 10;
      r.len = 18;
      alloc = cdb[4];
      break;
    case 0x12:
      if (cdb[1] & 0x01) {
        check(&r, 0x5, 0x24, 0x00);
      } else {
        memset(resp, 0, 36);
        resp[0] = 0x01; /* sequential-access device */
        resp[1] = 0x80; /* removable */
        resp[2] = 0x05;
        resp[3] = 0x02;
        resp[4] = 36 - 5;
        pad_copy(resp + 8, "AFSTEMU", 8);
        pad_copy(resp + 16, "VIRTUAL TAPE", 16);
        pad_copy(resp + 32, "0001", 4);
        r.len = 36;
      }
      alloc = be16(cdb + 3);
      break;
    case 0x4d:
      do_log_sense(cdb, &r);
      alloc = be16(cdb + 7);
      break;
    default:
      check(&r, 0x5, 0x20, 0x00);
  }
  trace_command(cdb, h, &r);
  return send_reply(h, &r, alloc);
}

static int chg_ioctl(int fd, unsigned long req, void *arg) {
  pthread_mutex_lock(&mu);
  int rc = 0, i = chg_slot_of(fd);
  if (i < 0) {
    rc = fail(EBADF);
  } else if (req == SG_IO) {
    rc = chg_sgio(chg_rw[i], (sg_io_hdr_t *)arg);
  } else if (req == SG_GET_VERSION_NUM) {
    *(int *)arg = 30536;
  } else if (req == SG_SET_TIMEOUT || req == SG_GET_TIMEOUT) {
    rc = 0;
  } else if (req == SCSI_IOCTL_GET_IDLUN) {
    /* host 0, channel 0, target EMU_TARGET, lun 0, packed as the kernel packs them */
    int *idlun = (int *)arg;
    idlun[0] = EMU_TARGET;
    idlun[1] = 0;
  } else if (req == SCSI_IOCTL_GET_BUS_NUMBER) {
    *(int *)arg = 0;
  } else if (req == SG_GET_SCSI_ID) {
    struct sg_scsi_id *id = (struct sg_scsi_id *)arg;
    memset(id, 0, sizeof *id);
    id->scsi_id = EMU_TARGET;
    id->scsi_type = 8; /* medium changer */
    id->h_cmd_per_lun = 1;
    id->d_queue_depth = 1;
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
  if (is_changer(path)) return chg_open(flags);
  if (is_device(path)) return emu_open(flags);
  return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_changer(path)) return chg_open(flags);
  if (is_device(path)) return emu_open(flags);
  return real_open(path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_changer(path) && (path[0] == '/' || dirfd == AT_FDCWD)) return chg_open(flags);
  if (is_device(path) && (path[0] == '/' || dirfd == AT_FDCWD)) return emu_open(flags);
  return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
  REAL();
  va_list ap;
  va_start(ap, flags);
  int mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_changer(path) && (path[0] == '/' || dirfd == AT_FDCWD)) return chg_open(flags);
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
  if (chg_slot_of(fd) >= 0) return chg_close(fd);
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
  if (fd >= 0 && fd == d.fd) return emu_ioctl(req, arg);
  if (chg_slot_of(fd) >= 0) return chg_ioctl(fd, req, arg);
  return real_ioctl(fd, req, arg);
}
