// Entry point of the afnative addon: registers each group of exports.
#include "addon.h"

namespace afnative {

Napi::Object ErrnoResult(Napi::Env env, int err, const char* syscall) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", Napi::Number::New(env, err));
  o.Set("syscall", Napi::String::New(env, syscall));
  return o;
}

}  // namespace afnative

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  afnative::InitLock(env, exports);
  afnative::InitStdio(env, exports);
  afnative::InitMtio(env, exports);
  afnative::InitSgio(env, exports);
  return exports;
}

NODE_API_MODULE(afnative, Init)
