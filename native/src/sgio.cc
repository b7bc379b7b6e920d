// SCSI generic pass-through: one SG_IO ioctl per call, results uninterpreted.
//
//   sgio(fd, cdb, dir, data, timeoutMs, senseLen?)
//       -> {status, maskedStatus, hostStatus, driverStatus, resid, senseLen, sense, duration, info}
//        | {errno, syscall}
//   sgioAsync(...)  -> a Promise of the same, the ioctl running on the libuv thread pool
//                      (a changer's MOVE MEDIUM or INITIALIZE ELEMENT STATUS takes minutes).
//
// dir is 'none', 'in' (device to us) or 'out' (us to device). The data Buffer's own memory
// is handed to the kernel (no copy); the async variant holds a reference to it until the
// worker is done. sense is a new Buffer of the senseLen bytes the device wrote.
// A failed SCSI command is not an errno: the caller reads status and the sense bytes.
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>
#include "addon.h"

namespace afnative {

namespace {

constexpr size_t kMaxCdb = 16;
constexpr size_t kDefaultSense = 32;
constexpr size_t kMaxSense = 252;

// Everything one SG_IO call needs, gathered on the JS thread; owned by value so that a
// worker thread can run it after the call returned.
struct SgRequest {
  int fd = -1;
  unsigned char cdb[kMaxCdb];
  unsigned char cdbLen = 0;
  int direction = SG_DXFER_NONE;
  unsigned char* data = nullptr;
  unsigned int dataLen = 0;
  unsigned int timeoutMs = 0;
  std::vector<unsigned char> sense;
  sg_io_hdr_t hdr;
  int err = 0;  // errno of a failed ioctl, 0 when the request was carried out
};

void Issue(SgRequest* r) {
  memset(&r->hdr, 0, sizeof r->hdr);
  r->hdr.interface_id = 'S';
  r->hdr.dxfer_direction = r->direction;
  r->hdr.cmd_len = r->cdbLen;
  r->hdr.mx_sb_len = static_cast<unsigned char>(r->sense.size());
  r->hdr.dxfer_len = r->dataLen;
  r->hdr.dxferp = r->data;
  r->hdr.cmdp = r->cdb;
  r->hdr.sbp = r->sense.data();
  r->hdr.timeout = r->timeoutMs;
  int rc;
  do {
    rc = ioctl(r->fd, SG_IO, &r->hdr);
  } while (rc < 0 && errno == EINTR);
  r->err = rc < 0 ? errno : 0;
}

Napi::Value Outcome(Napi::Env env, const SgRequest& r) {
  if (r.err) return ErrnoResult(env, r.err, "ioctl(SG_IO)");
  const sg_io_hdr_t& h = r.hdr;
  size_t got = h.sb_len_wr;
  if (got > r.sense.size()) got = r.sense.size();
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", Napi::Number::New(env, h.status));
  o.Set("maskedStatus", Napi::Number::New(env, h.masked_status));
  o.Set("hostStatus", Napi::Number::New(env, h.host_status));
  o.Set("driverStatus", Napi::Number::New(env, h.driver_status));
  o.Set("resid", Napi::Number::New(env, h.resid));
  o.Set("senseLen", Napi::Number::New(env, static_cast<double>(got)));
  o.Set("sense", Napi::Buffer<unsigned char>::Copy(env, r.sense.data(), got));
  o.Set("duration", Napi::Number::New(env, h.duration));
  o.Set("info", Napi::Number::New(env, h.info));
  return o;
}

const char* kUsage = "sgio(fd, cdb: Buffer, dir: 'none'|'in'|'out', data: Buffer|null, timeoutMs, senseLen?)";

// Fills r from the arguments; on a usage error throws a TypeError and returns false.
bool Gather(const Napi::CallbackInfo& info, SgRequest* r) {
  Napi::Env env = info.Env();
  auto bad = [&](const char* why) {
    Napi::TypeError::New(env, std::string(kUsage) + ": " + why).ThrowAsJavaScriptException();
    return false;
  };
  if (info.Length() < 5) return bad("too few arguments");
  if (!info[0].IsNumber()) return bad("fd must be a number");
  r->fd = info[0].As<Napi::Number>().Int32Value();
  if (!info[1].IsBuffer()) return bad("cdb must be a Buffer");
  auto cdb = info[1].As<Napi::Buffer<unsigned char>>();
  if (cdb.Length() < 6 || cdb.Length() > kMaxCdb) return bad("cdb must hold 6 to 16 bytes");
  memcpy(r->cdb, cdb.Data(), cdb.Length());
  r->cdbLen = static_cast<unsigned char>(cdb.Length());
  if (!info[2].IsString()) return bad("dir must be 'none', 'in' or 'out'");
  std::string dir = info[2].As<Napi::String>().Utf8Value();
  if (dir == "none") r->direction = SG_DXFER_NONE;
  else if (dir == "in") r->direction = SG_DXFER_FROM_DEV;
  else if (dir == "out") r->direction = SG_DXFER_TO_DEV;
  else return bad("dir must be 'none', 'in' or 'out'");
  if (info[3].IsBuffer()) {
    auto data = info[3].As<Napi::Buffer<unsigned char>>();
    if (data.Length() > 0xffffffffu) return bad("data is too large");
    r->data = data.Data();
    r->dataLen = static_cast<unsigned int>(data.Length());
  } else if (!info[3].IsNull() && !info[3].IsUndefined()) {
    return bad("data must be a Buffer or null");
  }
  if (r->direction != SG_DXFER_NONE && r->dataLen == 0) return bad("'in' and 'out' need a data Buffer");
  if (r->direction == SG_DXFER_NONE) {
    r->data = nullptr;
    r->dataLen = 0;
  }
  if (!info[4].IsNumber()) return bad("timeoutMs must be a number");
  double t = info[4].As<Napi::Number>().DoubleValue();
  r->timeoutMs = t <= 0 || t >= 4294967295.0 ? 0xffffffffu : static_cast<unsigned int>(t);
  size_t senseLen = kDefaultSense;
  if (info.Length() > 5 && info[5].IsNumber()) {
    double s = info[5].As<Napi::Number>().DoubleValue();
    if (s < 0 || s > kMaxSense) return bad("senseLen must be 0..252");
    senseLen = static_cast<size_t>(s);
  }
  r->sense.assign(senseLen, 0);
  return true;
}

Napi::Value Sgio(const Napi::CallbackInfo& info) {
  SgRequest r;
  if (!Gather(info, &r)) return info.Env().Undefined();
  Issue(&r);
  return Outcome(info.Env(), r);
}

class SgioWorker : public Napi::AsyncWorker {
 public:
  explicit SgioWorker(Napi::Env env) : Napi::AsyncWorker(env, "afnative:sgio"), deferred_(Napi::Promise::Deferred::New(env)) {}
  SgRequest request;
  // Keeps the data Buffer (and so the memory the kernel writes into) alive until OnOK.
  Napi::ObjectReference keep;
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { Issue(&request); }
  void OnOK() override { deferred_.Resolve(Outcome(Env(), request)); }

 private:
  Napi::Promise::Deferred deferred_;
};

Napi::Value SgioAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* w = new SgioWorker(env);
  if (!Gather(info, &w->request)) {
    delete w;
    return env.Undefined();
  }
  if (info[3].IsBuffer()) w->keep = Napi::Persistent(info[3].As<Napi::Object>());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void InitSgio(Napi::Env env, Napi::Object exports) {
  exports.Set("sgio", Napi::Function::New(env, Sgio, "sgio"));
  exports.Set("sgioAsync", Napi::Function::New(env, SgioAsync, "sgioAsync"));
}

}  // namespace afnative
