// Kernel advisory locks on open file descriptors.
//
// flock(fd, op): op is "sh" or "ex"; nonblocking when the third argument is true.
// unlock(fd). Returns 0 on success or {errno, syscall}. The kernel drops the lock
// when the descriptor is closed or the process dies, so a killed server never
// leaves a stale lock behind.
#include <sys/file.h>
#include <cerrno>
#include <cstring>
#include "addon.h"

namespace afnative {

static Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    Napi::TypeError::New(env, "flock(fd, 'sh'|'ex', nonblocking)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  std::string kind = info[1].As<Napi::String>().Utf8Value();
  bool nonblocking = info.Length() > 2 && info[2].ToBoolean().Value();
  int op = kind == "sh" ? LOCK_SH : LOCK_EX;
  if (nonblocking) op |= LOCK_NB;
  int rc;
  do {
    rc = flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return ErrnoResult(env, errno, "flock");
  return Napi::Number::New(env, 0);
}

static Napi::Value Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "unlock(fd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (flock(fd, LOCK_UN) != 0) return ErrnoResult(env, errno, "flock");
  return Napi::Number::New(env, 0);
}

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("unlock", Napi::Function::New(env, Unlock, "unlock"));
}

}  // namespace afnative
