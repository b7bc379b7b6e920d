// Shared declarations for the afnative addon. Every export returns plain values or
// {errno, syscall} objects; the TypeScript side decides what an errno means.
#pragma once
#include <napi.h>

namespace afnative {

// Builds the {errno, syscall} result object used by every failing call.
Napi::Object ErrnoResult(Napi::Env env, int err, const char* syscall);

void InitLock(Napi::Env env, Napi::Object exports);
void InitStdio(Napi::Env env, Napi::Object exports);
void InitMtio(Napi::Env env, Napi::Object exports);
void InitSgio(Napi::Env env, Napi::Object exports);

}  // namespace afnative
