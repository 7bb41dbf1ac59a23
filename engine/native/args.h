// Argument checks shared by the addon's kernels: the heap ArrayBuffer, the float64 parameters, whole numbers
// and flags among them, and float32 regions at byte offsets that must lie inside the heap. Each check is O(1);
// the first failure throws a JavaScript error naming the kernel and the argument. Included once, by
// dnnl_kernels.cc.
#pragma once
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace {

// No tensor dimension in a heap of at most 4 GiB comes near this; bounding every dimension by it keeps the
// products below in exact double range and every index within int64.
constexpr double MAX_DIMENSION = 2147483647.0;

// As JavaScript prints it, since the messages are read there.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e18) snprintf(buf, sizeof buf, "%.0f", value);
  else snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// One call's arguments, checked in O(1): the heap, the float64 parameters and the kernel's name for messages.
// The first failed check throws the JavaScript error and sets `failed`; later checks then do nothing, and the
// kernel returns before it touches memory.
struct Args {
  napi_env env;
  const char* kernel;
  char* heap = nullptr;
  size_t heap_length = 0;
  const double* p = nullptr;
  bool failed = false;

  Args(napi_env e, const char* name) : env(e), kernel(name) {}

  bool fail(const std::string& message) {
    if (!failed) napi_throw_error(env, nullptr, (std::string(kernel) + ": " + message).c_str());
    failed = true;
    return false;
  }

  // fail() for a kernel's return statement.
  napi_value error(const std::string& message) {
    fail(message);
    return nullptr;
  }

  bool heap_and_params(napi_value heap_value, napi_value params_value, size_t expected) {
    bool is_buffer = false;
    if (napi_is_arraybuffer(env, heap_value, &is_buffer) != napi_ok || !is_buffer) return fail("heap must be an ArrayBuffer");
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, heap_value, &data, &heap_length) != napi_ok) return fail("cannot read the heap");
    heap = static_cast<char*>(data);
    bool is_typed = false;
    napi_typedarray_type type;
    size_t length = 0, byte_offset;
    void* raw = nullptr;
    napi_value buffer;
    if (napi_is_typedarray(env, params_value, &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env, params_value, &type, &length, &raw, &buffer, &byte_offset) != napi_ok || type != napi_float64_array) {
      return fail("params must be a Float64Array");
    }
    if (length != expected) return fail("params must hold " + std::to_string(expected) + " numbers, got " + std::to_string(length));
    p = static_cast<const double*>(raw);
    return true;
  }

  // p[i] as a whole number >= min (and <= MAX_DIMENSION); NaN and infinities fail the comparisons.
  int64_t whole(size_t i, const char* name, double min) {
    if (failed) return 0;
    const double value = p[i];
    if (!(value >= min && value <= MAX_DIMENSION && value == std::floor(value))) {
      fail(std::string(name) + " must be a whole number" + (min > -MAX_DIMENSION ? " >= " + number(min) : std::string()) + ", got " +
           number(value));
      return 0;
    }
    return static_cast<int64_t>(value);
  }

  bool flag(size_t i, const char* name) {
    if (failed) return false;
    if (p[i] != 0 && p[i] != 1) return fail(std::string(name) + " must be 0 or 1, got " + number(p[i]));
    return p[i] == 1;
  }

  // The `elements` float32 values at byte offset p[i], which must lie inside the heap.
  float* region(size_t i, const char* name, double elements) {
    if (failed) return nullptr;
    const double offset = p[i];
    auto what = [name] { return std::string(name); };  // built only for a message: this is the hot path
    if (!(offset >= 0 && offset == std::floor(offset))) {
      fail(what() + " offset " + number(offset) + " is not a byte offset (a whole number >= 0)");
      return nullptr;
    }
    if (std::fmod(offset, 4.0) != 0) {
      fail(what() + " at offset " + number(offset) + " is not aligned to 4 bytes");
      return nullptr;
    }
    // Exact while the sum is below 2^53; a larger one exceeds any heap however it rounds.
    const double bytes = elements * 4.0;
    if (offset + bytes > static_cast<double>(heap_length)) {
      fail(what() + " at offset " + number(offset) + " + " + number(bytes) + " bytes lies past the heap's " +
           number(static_cast<double>(heap_length)) + " bytes");
      return nullptr;
    }
    return reinterpret_cast<float*>(heap + static_cast<size_t>(offset));
  }
};

// Reads a (heap, params) call of `expected` parameters.
bool heap_call(Args& a, napi_callback_info info, size_t expected) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(a.env, info, &argc, argv, nullptr, nullptr) != napi_ok) return a.fail("cannot read the arguments");
  if (argc != 2) return a.fail("expects 2 arguments (heap, params), got " + std::to_string(argc));
  return a.heap_and_params(argv[0], argv[1], expected);
}

}  // namespace
