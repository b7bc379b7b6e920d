// Detaching standard output and error from a socket.
//
// Under inetd, fds 1 and 2 are the client's connection: any stray write (a runtime
// warning, a crash report) would corrupt the protocol stream. nullStdio() points
// them at /dev/null with dup2(); fd 0 keeps the connection. Returns 0 or
// {errno, syscall}.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include "addon.h"

namespace afnative {

static Napi::Value NullStdio(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoResult(env, errno, "open");
  for (int target = 1; target <= 2; target++) {
    if (dup2(fd, target) < 0) {
      int err = errno;
      close(fd);
      return ErrnoResult(env, err, "dup2");
    }
  }
  close(fd);
  return Napi::Number::New(env, 0);
}

void InitStdio(Napi::Env env, Napi::Object exports) {
  exports.Set("nullStdio", Napi::Function::New(env, NullStdio, "nullStdio"));
}

}  // namespace afnative
