// Tape device calls for the st driver (magnetic tape ioctls and block I/O).
//
//   open(path, 'r'|'rw', nonblock)     -> fd | {errno, syscall}   (O_CLOEXEC always)
//   close(fd)                          -> 0 | {errno, syscall}
//   mtop(fd, op, count)                -> 0 | {errno, syscall}    op: "MTFSF", "fsf" or a number
//   mtget(fd)                          -> {type, resid, dsreg, blockSize, density, gstat,
//                                          flags: ["BOT", "ONLINE", ...], erreg, fileno, blkno}
//   mtpos(fd)                          -> block number | {errno, syscall}
//   read(fd, buffer) / write(fd, buffer) -> bytes | {errno, syscall}
//   mtopAsync / readAsync / writeAsync -> Promises of the same results, run on the libuv
//                                         thread pool (rewind, spacing and big blocks can take
//                                         minutes on a real drive).
//
// Nothing here interprets a result: a filemark is a 0-byte read, ENOSPC is an errno.
// read and write hand the Buffer's own memory to the kernel; the async variants keep
// a reference to the Buffer until the worker has finished with it.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/mtio.h>
#include <cerrno>
#include <cstring>
#include <string>
#include "addon.h"

namespace afnative {

namespace {

struct OpName {
  const char* name;
  int code;
};

// Every MTIOCTOP operation of <linux/mtio.h>, under its header name.
const OpName kOps[] = {
    {"MTRESET", MTRESET},   {"MTFSF", MTFSF},
    {"MTBSF", MTBSF},       {"MTFSR", MTFSR},
    {"MTBSR", MTBSR},       {"MTWEOF", MTWEOF},
    {"MTREW", MTREW},       {"MTOFFL", MTOFFL},
    {"MTNOP", MTNOP},       {"MTRETEN", MTRETEN},
    {"MTBSFM", MTBSFM},     {"MTFSFM", MTFSFM},
    {"MTEOM", MTEOM},       {"MTERASE", MTERASE},
    {"MTRAS1", MTRAS1},     {"MTRAS2", MTRAS2},
    {"MTRAS3", MTRAS3},     {"MTSETBLK", MTSETBLK},
    {"MTSETDENSITY", MTSETDENSITY}, {"MTSEEK", MTSEEK},
    {"MTTELL", MTTELL},     {"MTSETDRVBUFFER", MTSETDRVBUFFER},
    {"MTFSS", MTFSS},       {"MTBSS", MTBSS},
    {"MTWSM", MTWSM},       {"MTLOCK", MTLOCK},
    {"MTUNLOCK", MTUNLOCK}, {"MTLOAD", MTLOAD},
    {"MTUNLOAD", MTUNLOAD}, {"MTCOMPRESSION", MTCOMPRESSION},
    {"MTSETPART", MTSETPART}, {"MTMKPART", MTMKPART},
    {"MTWEOFI", MTWEOFI},
};

struct FlagName {
  const char* name;
  unsigned long mask;
};

// The generic status bits, named without their GMT_ prefix.
const FlagName kFlags[] = {
    {"EOF", GMT_EOF(~0UL)},         {"BOT", GMT_BOT(~0UL)},
    {"EOT", GMT_EOT(~0UL)},         {"SM", GMT_SM(~0UL)},
    {"EOD", GMT_EOD(~0UL)},         {"WR_PROT", GMT_WR_PROT(~0UL)},
    {"ONLINE", GMT_ONLINE(~0UL)},   {"D_6250", GMT_D_6250(~0UL)},
    {"D_1600", GMT_D_1600(~0UL)},   {"D_800", GMT_D_800(~0UL)},
    {"DR_OPEN", GMT_DR_OPEN(~0UL)}, {"IM_REP_EN", GMT_IM_REP_EN(~0UL)},
    {"CLN", GMT_CLN(~0UL)},
};

// Accepts "MTFSF", "mtfsf", "fsf" or a number; -1 when the name is unknown.
int OpCode(const Napi::Value& v) {
  if (v.IsNumber()) return v.As<Napi::Number>().Int32Value();
  if (!v.IsString()) return -1;
  std::string s = v.As<Napi::String>().Utf8Value();
  for (auto& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (s.rfind("MT", 0) != 0) s = "MT" + s;
  for (const auto& op : kOps)
    if (s == op.name) return op.code;
  return -1;
}

int DoMtop(int fd, int op, int count) {
  struct mtop m;
  memset(&m, 0, sizeof m);
  m.mt_op = static_cast<short>(op);
  m.mt_count = count;
  int rc;
  do {
    rc = ioctl(fd, MTIOCTOP, &m);
  } while (rc < 0 && errno == EINTR);
  return rc < 0 ? errno : 0;
}

bool ArgFd(const Napi::CallbackInfo& info, int* fd) {
  if (info.Length() < 1 || !info[0].IsNumber()) return false;
  *fd = info[0].As<Napi::Number>().Int32Value();
  return true;
}

Napi::Value TypeErr(Napi::Env env, const char* usage) {
  Napi::TypeError::New(env, usage).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString())
    return TypeErr(env, "open(path, 'r'|'rw', nonblock)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string mode = info[1].As<Napi::String>().Utf8Value();
  int flags = (mode == "rw" ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (info.Length() > 2 && info[2].ToBoolean().Value()) flags |= O_NONBLOCK;
  int fd;
  do {
    fd = open(path.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoResult(env, errno, "open");
  return Napi::Number::New(env, fd);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd)) return TypeErr(env, "close(fd)");
  // close() is not retried on EINTR: the descriptor is gone either way on Linux.
  if (close(fd) != 0) return ErrnoResult(env, errno, "close");
  return Napi::Number::New(env, 0);
}

Napi::Value Mtop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd) || info.Length() < 2) return TypeErr(env, "mtop(fd, op, count)");
  int op = OpCode(info[1]);
  if (op < 0) return TypeErr(env, "mtop: unknown operation");
  int count = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 1;
  int err = DoMtop(fd, op, count);
  if (err) return ErrnoResult(env, err, "ioctl(MTIOCTOP)");
  return Napi::Number::New(env, 0);
}

Napi::Value Mtget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd)) return TypeErr(env, "mtget(fd)");
  struct mtget g;
  memset(&g, 0, sizeof g);
  if (ioctl(fd, MTIOCGET, &g) < 0) return ErrnoResult(env, errno, "ioctl(MTIOCGET)");
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", Napi::Number::New(env, static_cast<double>(g.mt_type)));
  o.Set("resid", Napi::Number::New(env, static_cast<double>(g.mt_resid)));
  o.Set("dsreg", Napi::Number::New(env, static_cast<double>(static_cast<unsigned long>(g.mt_dsreg))));
  o.Set("blockSize", Napi::Number::New(env, static_cast<double>(g.mt_dsreg & MT_ST_BLKSIZE_MASK)));
  o.Set("density", Napi::Number::New(env, static_cast<double>((g.mt_dsreg >> MT_ST_DENSITY_SHIFT) & 0xff)));
  o.Set("gstat", Napi::Number::New(env, static_cast<double>(static_cast<unsigned long>(g.mt_gstat) & 0xffffffffUL)));
  Napi::Array flags = Napi::Array::New(env);
  uint32_t n = 0;
  for (const auto& f : kFlags)
    if (static_cast<unsigned long>(g.mt_gstat) & f.mask) flags.Set(n++, Napi::String::New(env, f.name));
  o.Set("flags", flags);
  o.Set("erreg", Napi::Number::New(env, static_cast<double>(g.mt_erreg)));
  o.Set("fileno", Napi::Number::New(env, g.mt_fileno));
  o.Set("blkno", Napi::Number::New(env, g.mt_blkno));
  return o;
}

Napi::Value Mtpos(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd)) return TypeErr(env, "mtpos(fd)");
  struct mtpos p;
  memset(&p, 0, sizeof p);
  if (ioctl(fd, MTIOCPOS, &p) < 0) return ErrnoResult(env, errno, "ioctl(MTIOCPOS)");
  return Napi::Number::New(env, static_cast<double>(p.mt_blkno));
}

// One read() or write() of the whole buffer, retried only on EINTR. Returns bytes or -errno.
long Transfer(bool writing, int fd, uint8_t* data, size_t len) {
  ssize_t n;
  do {
    n = writing ? write(fd, data, len) : read(fd, data, len);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -static_cast<long>(errno) : static_cast<long>(n);
}

Napi::Value TransferSync(const Napi::CallbackInfo& info, bool writing) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd) || info.Length() < 2 || !info[1].IsBuffer())
    return TypeErr(env, writing ? "write(fd, buffer)" : "read(fd, buffer)");
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  long r = Transfer(writing, fd, buf.Data(), buf.Length());
  if (r < 0) return ErrnoResult(env, static_cast<int>(-r), writing ? "write" : "read");
  return Napi::Number::New(env, static_cast<double>(r));
}

Napi::Value Read(const Napi::CallbackInfo& info) { return TransferSync(info, false); }
Napi::Value Write(const Napi::CallbackInfo& info) { return TransferSync(info, true); }

// Base of the promise-returning workers: resolves with a number, or with {errno, syscall}
// when result_ is negative. Never rejects for a device error.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* syscall)
      : Napi::AsyncWorker(env, "afnative:mtio"), deferred_(Napi::Promise::Deferred::New(env)), syscall_(syscall) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void OnOK() override {
    Napi::Env env = Env();
    if (result_ < 0)
      deferred_.Resolve(ErrnoResult(env, static_cast<int>(-result_), syscall_));
    else
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(result_)));
  }
  long result_ = 0;

 private:
  Napi::Promise::Deferred deferred_;
  const char* syscall_;
};

class MtopWorker : public PromiseWorker {
 public:
  MtopWorker(Napi::Env env, int fd, int op, int count)
      : PromiseWorker(env, "ioctl(MTIOCTOP)"), fd_(fd), op_(op), count_(count) {}
  void Execute() override { result_ = -static_cast<long>(DoMtop(fd_, op_, count_)); }

 private:
  int fd_, op_, count_;
};

class TransferWorker : public PromiseWorker {
 public:
  TransferWorker(Napi::Env env, bool writing, int fd, Napi::Buffer<uint8_t> buf)
      : PromiseWorker(env, writing ? "write" : "read"),
        writing_(writing),
        fd_(fd),
        data_(buf.Data()),
        len_(buf.Length()),
        keep_(Napi::Persistent(buf.As<Napi::Object>())) {}
  void Execute() override { result_ = Transfer(writing_, fd_, data_, len_); }

 private:
  bool writing_;
  int fd_;
  uint8_t* data_;
  size_t len_;
  // Holds the Buffer (and so its memory) until the worker is destroyed after OnOK.
  Napi::ObjectReference keep_;
};

Napi::Value MtopAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd) || info.Length() < 2) return TypeErr(env, "mtopAsync(fd, op, count)");
  int op = OpCode(info[1]);
  if (op < 0) return TypeErr(env, "mtopAsync: unknown operation");
  int count = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 1;
  auto* w = new MtopWorker(env, fd, op, count);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value TransferAsync(const Napi::CallbackInfo& info, bool writing) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, &fd) || info.Length() < 2 || !info[1].IsBuffer())
    return TypeErr(env, writing ? "writeAsync(fd, buffer)" : "readAsync(fd, buffer)");
  auto* w = new TransferWorker(env, writing, fd, info[1].As<Napi::Buffer<uint8_t>>());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value ReadAsync(const Napi::CallbackInfo& info) { return TransferAsync(info, false); }
Napi::Value WriteAsync(const Napi::CallbackInfo& info) { return TransferAsync(info, true); }

}  // namespace

void InitMtio(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("mtop", Napi::Function::New(env, Mtop, "mtop"));
  exports.Set("mtget", Napi::Function::New(env, Mtget, "mtget"));
  exports.Set("mtpos", Napi::Function::New(env, Mtpos, "mtpos"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("mtopAsync", Napi::Function::New(env, MtopAsync, "mtopAsync"));
  exports.Set("readAsync", Napi::Function::New(env, ReadAsync, "readAsync"));
  exports.Set("writeAsync", Napi::Function::New(env, WriteAsync, "writeAsync"));
  Napi::Object ops = Napi::Object::New(env);
  for (const auto& op : kOps) ops.Set(op.name, Napi::Number::New(env, op.code));
  exports.Set("mtOps", ops);
}

}  // namespace afnative
