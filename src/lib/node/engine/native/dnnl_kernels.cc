// Optional native kernels for the tfjs wasm backend: oneDNN (AVX-512 on this CPU) convolutions, forward and
// both gradients, plus fused loops for BatchNorm training and max-pool gradients. Every function reads and
// writes tensors in place in the wasm heap (an ArrayBuffer passed from JS) at byte offsets, so nothing is
// copied. Caches are thread_local: each worker_thread that loads the addon gets its own.
#include <node_api.h>
#include <dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Context {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
};

Context& context() {
  thread_local Context ctx;
  return ctx;
}

// Parameters arrive as one Float64Array; doubles hold byte offsets past 2 GiB exactly.
struct ConvParams {
  double xOffset, wOffset, yOffset, biasOffset;
  int64_t n, h, w, ic, oc, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow, dh, dw, relu;
};

enum ConvKind { FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2 };

struct ConvPlan {
  memory::desc user_src, user_wei, user_dst, bias_md;
  std::unique_ptr<primitive> prim;
  memory::desc wei_md;  // the primitive's (possibly blocked) weights layout
  std::unique_ptr<reorder> wei_reorder;
  std::unique_ptr<memory> wei_mem;
  bool wei_plain = true;
};

std::string conv_key(int kind, const ConvParams& p) {
  char buf[256];
  snprintf(buf, sizeof buf, "%d:%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%d,%ld", kind,
           (long)p.n, (long)p.h, (long)p.w, (long)p.ic, (long)p.oc, (long)p.kh, (long)p.kw, (long)p.sh, (long)p.sw,
           (long)p.pt, (long)p.pl, (long)p.pb, (long)p.pr, (long)p.oh, (long)p.ow, (long)p.dh, (long)p.dw,
           p.biasOffset >= 0 ? 1 : 0, (long)p.relu);
  return buf;
}

ConvPlan& conv_plan(int kind, const ConvParams& p) {
  thread_local std::map<std::string, std::unique_ptr<ConvPlan>> cache;
  std::string key = conv_key(kind, p);
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;

  auto& ctx = context();
  auto plan = std::make_unique<ConvPlan>();
  memory::dims src_dims = {p.n, p.ic, p.h, p.w};
  memory::dims wei_dims = {p.oc, p.ic, p.kh, p.kw};
  memory::dims dst_dims = {p.n, p.oc, p.oh, p.ow};
  memory::dims strides = {p.sh, p.sw}, dil = {p.dh - 1, p.dw - 1};
  memory::dims pad_l = {p.pt, p.pl}, pad_r = {p.pb, p.pr};
  plan->user_src = memory::desc(src_dims, dt::f32, tag::nhwc);
  plan->user_dst = memory::desc(dst_dims, dt::f32, tag::nhwc);
  plan->user_wei = memory::desc(wei_dims, dt::f32, tag::hwio);
  plan->bias_md = memory::desc({p.oc}, dt::f32, tag::x);
  auto any_wei = memory::desc(wei_dims, dt::f32, tag::any);
  bool with_bias = kind == FORWARD && p.biasOffset >= 0;

  primitive_attr attr;
  if (kind == FORWARD && p.relu) {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  auto fwd_desc = with_bias
      ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, plan->user_src, any_wei,
                                  plan->bias_md, plan->user_dst, strides, dil, pad_l, pad_r)
      : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, plan->user_src, any_wei,
                                  plan->user_dst, strides, dil, pad_l, pad_r);
  auto fwd_pd = convolution_forward::primitive_desc(fwd_desc, attr, ctx.eng);
  if (kind == FORWARD) {
    plan->prim = std::make_unique<convolution_forward>(fwd_pd);
    plan->wei_md = fwd_pd.weights_desc();
  } else if (kind == BACKWARD_DATA) {
    auto d = convolution_backward_data::desc(algorithm::convolution_direct, plan->user_src, any_wei, plan->user_dst,
                                             strides, dil, pad_l, pad_r);
    auto pd = convolution_backward_data::primitive_desc(d, ctx.eng, fwd_pd);
    plan->prim = std::make_unique<convolution_backward_data>(pd);
    plan->wei_md = pd.weights_desc();
  } else {
    auto d = convolution_backward_weights::desc(algorithm::convolution_direct, plan->user_src, any_wei, plan->user_dst,
                                                strides, dil, pad_l, pad_r);
    auto pd = convolution_backward_weights::primitive_desc(d, ctx.eng, fwd_pd);
    plan->prim = std::make_unique<convolution_backward_weights>(pd);
    plan->wei_md = pd.diff_weights_desc();
  }
  plan->wei_plain = plan->wei_md == plan->user_wei;
  if (!plan->wei_plain) {
    plan->wei_mem = std::make_unique<memory>(plan->wei_md, ctx.eng);
    // Reorder direction: user -> blocked for forward/backward-data, blocked -> user for backward-weights.
    plan->wei_reorder = kind == BACKWARD_WEIGHTS
        ? std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan->wei_md, ctx.eng, plan->user_wei))
        : std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan->user_wei, ctx.eng, plan->wei_md));
  }
  auto& slot = cache[key];
  slot = std::move(plan);
  return *slot;
}

bool read_params(napi_env env, napi_value value, double** data, size_t* length) {
  bool is_typed;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset);
  if (type != napi_float64_array) return false;
  *data = static_cast<double*>(raw);
  return true;
}

bool read_heap(napi_env env, napi_value value, char** data, size_t* length) {
  bool is_buffer;
  napi_is_arraybuffer(env, value, &is_buffer);
  if (!is_buffer) return false;
  void* raw;
  napi_get_arraybuffer_info(env, value, &raw, length);
  *data = static_cast<char*>(raw);
  return true;
}

napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// conv2d(heap: ArrayBuffer, kind: 0|1|2, params: Float64Array)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char* heap;
  size_t heap_length;
  double* raw;
  size_t count;
  int32_t kind;
  if (argc != 3 || !read_heap(env, argv[0], &heap, &heap_length) || napi_get_value_int32(env, argv[1], &kind) != napi_ok ||
      !read_params(env, argv[2], &raw, &count) || count != 22) {
    return fail(env, "conv2d(heap, kind, params) expects an ArrayBuffer, a kind 0-2 and 22 float64 parameters");
  }
  ConvParams p;
  p.xOffset = raw[0];
  p.wOffset = raw[1];
  p.yOffset = raw[2];
  p.biasOffset = raw[3];
  int64_t* ints[] = {&p.n, &p.h, &p.w, &p.ic, &p.oc, &p.kh, &p.kw, &p.sh, &p.sw, &p.pt, &p.pl, &p.pb, &p.pr, &p.oh, &p.ow, &p.dh, &p.dw, &p.relu};
  for (int i = 0; i < 18; i++) *ints[i] = static_cast<int64_t>(raw[4 + i]);
  try {
    auto& ctx = context();
    ConvPlan& plan = conv_plan(kind, p);
    void* x = heap + static_cast<size_t>(p.xOffset);
    void* wgt = heap + static_cast<size_t>(p.wOffset);
    void* y = heap + static_cast<size_t>(p.yOffset);
    memory src(plan.user_src, ctx.eng, x), dst(plan.user_dst, ctx.eng, y), user_wei(plan.user_wei, ctx.eng, wgt);
    memory& wei = plan.wei_plain ? user_wei : *plan.wei_mem;
    if (kind == FORWARD) {
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, user_wei, wei);
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
      if (p.biasOffset >= 0) args.insert({DNNL_ARG_BIAS, memory(plan.bias_md, ctx.eng, heap + static_cast<size_t>(p.biasOffset))});
      plan.prim->execute(ctx.strm, args);
    } else if (kind == BACKWARD_DATA) {
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, user_wei, wei);
      plan.prim->execute(ctx.strm, {{DNNL_ARG_DIFF_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, dst}});
    } else {
      plan.prim->execute(ctx.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, dst}});
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, wei, user_wei);
    }
    ctx.strm.wait();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN convolution failed: ") + e.what());
  }
  return nullptr;
}

// BatchNorm training forward over NHWC (channels last, `rows` = N*H*W):
// batchNormForward(heap, Float64Array[x, gamma, beta, y, mean, variance, rows, channels, epsilon])
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char* heap;
  size_t heap_length, count;
  double* p;
  if (argc != 2 || !read_heap(env, argv[0], &heap, &heap_length) || !read_params(env, argv[1], &p, &count) || count != 9) {
    return fail(env, "batchNormForward(heap, params) expects an ArrayBuffer and 9 float64 parameters");
  }
  const float* x = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[0]));
  const float* gamma = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[1]));
  const float* beta = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[2]));
  float* y = reinterpret_cast<float*>(heap + static_cast<size_t>(p[3]));
  float* mean_out = reinterpret_cast<float*>(heap + static_cast<size_t>(p[4]));
  float* variance_out = reinterpret_cast<float*>(heap + static_cast<size_t>(p[5]));
  const int64_t rows = static_cast<int64_t>(p[6]), channels = static_cast<int64_t>(p[7]);
  const double epsilon = p[8];
  std::vector<double> sum(channels, 0.0), sq(channels, 0.0);
  // Two passes (mean, then centered squares) match tfjs's moments() to float rounding.
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * channels;
    for (int64_t c = 0; c < channels; c++) sum[c] += row[c];
  }
  std::vector<float> mean(channels), scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) mean[c] = static_cast<float>(sum[c] / rows);
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * channels;
    for (int64_t c = 0; c < channels; c++) {
      const double d = row[c] - mean[c];
      sq[c] += d * d;
    }
  }
  for (int64_t c = 0; c < channels; c++) {
    const double variance = sq[c] / rows;
    const float inv_std = static_cast<float>(1.0 / std::sqrt(variance + epsilon));
    mean_out[c] = mean[c];
    variance_out[c] = static_cast<float>(variance);
    scale[c] = gamma[c] * inv_std;
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * channels;
    float* out = y + r * channels;
    for (int64_t c = 0; c < channels; c++) out[c] = row[c] * scale[c] + shift[c];
  }
  return nullptr;
}

// batchNormBackward(heap, Float64Array[dy, x, gamma, mean, invStd, dx, dgamma, dbeta, rows, channels])
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char* heap;
  size_t heap_length, count;
  double* p;
  if (argc != 2 || !read_heap(env, argv[0], &heap, &heap_length) || !read_params(env, argv[1], &p, &count) || count != 10) {
    return fail(env, "batchNormBackward(heap, params) expects an ArrayBuffer and 10 float64 parameters");
  }
  auto at = [&](int i) { return reinterpret_cast<float*>(heap + static_cast<size_t>(p[i])); };
  const float *dy = at(0), *x = at(1), *gamma = at(2), *mean = at(3), *inv_std = at(4);
  float *dx = at(5), *dgamma = at(6), *dbeta = at(7);
  const int64_t rows = static_cast<int64_t>(p[8]), channels = static_cast<int64_t>(p[9]);
  std::vector<double> sum_dy(channels, 0.0), sum_dy_xhat(channels, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    for (int64_t c = 0; c < channels; c++) {
      sum_dy[c] += dyr[c];
      sum_dy_xhat[c] += dyr[c] * (xr[c] - mean[c]) * inv_std[c];
    }
  }
  std::vector<float> a(channels), b(channels), k(channels);
  for (int64_t c = 0; c < channels; c++) {
    dbeta[c] = static_cast<float>(sum_dy[c]);
    dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
    // dx = gamma*invStd*(dy - mean(dy) - xhat*mean(dy*xhat))
    k[c] = gamma[c] * inv_std[c];
    a[c] = static_cast<float>(sum_dy[c] / rows);
    b[c] = static_cast<float>(sum_dy_xhat[c] / rows);
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    float* dxr = dx + r * channels;
    for (int64_t c = 0; c < channels; c++) {
      const float xhat = (xr[c] - mean[c]) * inv_std[c];
      dxr[c] = k[c] * (dyr[c] - a[c] - xhat * b[c]);
    }
  }
  return nullptr;
}

// maxPoolGrad(heap, Float64Array[x, dy, dx, n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl]): each dy goes to the
// first maximum of its window, as in tfjs's cpu backend.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char* heap;
  size_t heap_length, count;
  double* p;
  if (argc != 2 || !read_heap(env, argv[0], &heap, &heap_length) || !read_params(env, argv[1], &p, &count) || count != 15) {
    return fail(env, "maxPoolGrad(heap, params) expects an ArrayBuffer and 15 float64 parameters");
  }
  const float* x = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[0]));
  const float* dy = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[1]));
  float* dx = reinterpret_cast<float*>(heap + static_cast<size_t>(p[2]));
  const int64_t n = p[3], h = p[4], w = p[5], c = p[6], oh = p[7], ow = p[8], fh = p[9], fw = p[10], sh = p[11], sw = p[12],
                pt = p[13], pl = p[14];
  std::memset(dx, 0, sizeof(float) * n * h * w * c);
  std::vector<int64_t> best(c);
  std::vector<float> best_value(c);
  for (int64_t b = 0; b < n; b++) {
    for (int64_t oy = 0; oy < oh; oy++) {
      for (int64_t ox = 0; ox < ow; ox++) {
        std::fill(best.begin(), best.end(), -1);
        for (int64_t ky = 0; ky < fh; ky++) {
          const int64_t iy = oy * sh + ky - pt;
          if (iy < 0 || iy >= h) continue;
          for (int64_t kx = 0; kx < fw; kx++) {
            const int64_t ix = ox * sw + kx - pl;
            if (ix < 0 || ix >= w) continue;
            const int64_t base = ((b * h + iy) * w + ix) * c;
            for (int64_t ch = 0; ch < c; ch++) {
              const float v = x[base + ch];
              if (best[ch] < 0 || v > best_value[ch]) {
                best[ch] = base + ch;
                best_value[ch] = v;
              }
            }
          }
        }
        const float* g = dy + ((b * oh + oy) * ow + ox) * c;
        for (int64_t ch = 0; ch < c; ch++)
          if (best[ch] >= 0) dx[best[ch]] += g[ch];
      }
    }
  }
  return nullptr;
}

// Shared argument parsing of the simple kernels below: (heap, Float64Array of `expected` parameters).
bool simple_args(napi_env env, napi_callback_info info, size_t expected, char** heap, double** p, const char* name) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t heap_length, count;
  if (argc != 2 || !read_heap(env, argv[0], heap, &heap_length) || !read_params(env, argv[1], p, &count) || count != expected) {
    fail(env, std::string(name) + "(heap, params) expects an ArrayBuffer and " + std::to_string(expected) + " float64 parameters");
    return false;
  }
  return true;
}

// matmul(heap, Float64Array[a, b, c, bias, batchA, batchB, M, N, K, transA, transB, relu]): row-major
// C[i] = op(A[i]) x op(B[i]) (+ bias, ReLU); a batch of 1 broadcasts.
napi_value MatMul(napi_env env, napi_callback_info info) {
  char* heap;
  double* p;
  if (!simple_args(env, info, 12, &heap, &p, "matmul")) return nullptr;
  auto at = [&](int i) { return reinterpret_cast<float*>(heap + static_cast<size_t>(p[i])); };
  const float* a = at(0);
  const float* b = at(1);
  float* c = at(2);
  const float* bias = p[3] >= 0 ? at(3) : nullptr;
  const int64_t batch_a = p[4], batch_b = p[5], m = p[6], n = p[7], k = p[8];
  const bool trans_a = p[9] != 0, trans_b = p[10] != 0, relu = p[11] != 0;
  const int64_t batch = batch_a > batch_b ? batch_a : batch_b;
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a + (batch_a == 1 ? 0 : i) * m * k;
    const float* bi = b + (batch_b == 1 ? 0 : i) * k * n;
    float* ci = c + i * m * n;
    dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.f, ai, trans_a ? m : k, bi,
                                      trans_b ? k : n, 0.f, ci, n);
    if (status != dnnl_success) return fail(env, "oneDNN sgemm failed with status " + std::to_string(status));
    if (bias != nullptr || relu) {
      for (int64_t r = 0; r < m; r++) {
        float* row = ci + r * n;
        if (bias != nullptr)
          for (int64_t j = 0; j < n; j++) row[j] += bias[j];
        if (relu)
          for (int64_t j = 0; j < n; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
      }
    }
  }
  return nullptr;
}

// reluGrad(heap, Float64Array[dy, x, dx, size]): dx = x > 0 ? dy : 0.
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  char* heap;
  double* p;
  if (!simple_args(env, info, 4, &heap, &p, "reluGrad")) return nullptr;
  const float* dy = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[0]));
  const float* x = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[1]));
  float* dx = reinterpret_cast<float*>(heap + static_cast<size_t>(p[2]));
  const int64_t size = p[3];
  for (int64_t i = 0; i < size; i++) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
  return nullptr;
}

// columnSum(heap, Float64Array[x, out, rows, columns]): out[c] = sum over rows of x[r][c].
napi_value ColumnSum(napi_env env, napi_callback_info info) {
  char* heap;
  double* p;
  if (!simple_args(env, info, 4, &heap, &p, "columnSum")) return nullptr;
  const float* x = reinterpret_cast<const float*>(heap + static_cast<size_t>(p[0]));
  float* out = reinterpret_cast<float*>(heap + static_cast<size_t>(p[1]));
  const int64_t rows = p[2], columns = p[3];
  std::vector<double> sum(columns, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * columns;
    for (int64_t c = 0; c < columns; c++) sum[c] += row[c];
  }
  for (int64_t c = 0; c < columns; c++) out[c] = static_cast<float>(sum[c]);
  return nullptr;
}

bool float_array(napi_env env, napi_value value, float** data, size_t* length) {
  bool is_typed;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset);
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

// adam(params, gradient, m, v, Float64Array[learningRate, beta1, beta2, epsilon, correction1, correction2,
// decay]): the same update as optimizers.ts, in float32 lanes.
napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *w, *g, *m, *v;
  size_t nw, ng, nm, nv, count;
  double* p;
  if (argc != 5 || !float_array(env, argv[0], &w, &nw) || !float_array(env, argv[1], &g, &ng) || !float_array(env, argv[2], &m, &nm) ||
      !float_array(env, argv[3], &v, &nv) || !read_params(env, argv[4], &p, &count) || count != 7 || ng != nw || nm != nw || nv != nw) {
    return fail(env, "adam(params, gradient, m, v, settings) expects four equal Float32Arrays and 7 float64 settings");
  }
  const float lr = p[0], beta1 = p[1], beta2 = p[2], epsilon = p[3];
  const float inv_c1 = 1.0 / p[4], inv_c2 = 1.0 / p[5], decay = p[6];
  for (size_t i = 0; i < nw; i++) {
    const float gi = g[i];
    const float mi = beta1 * m[i] + (1.f - beta1) * gi;
    const float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] * decay - lr * (mi * inv_c1) / (std::sqrt(vi * inv_c2) + epsilon);
  }
  return nullptr;
}

// averageInto(out, slots: Float32Array[]): out = sum of slots, added in order.
napi_value SumInto(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float* out;
  size_t n;
  bool is_array;
  if (argc != 2 || !float_array(env, argv[0], &out, &n) || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) {
    return fail(env, "sumInto(out, slots) expects a Float32Array and an array of Float32Arrays");
  }
  uint32_t slots;
  napi_get_array_length(env, argv[1], &slots);
  for (uint32_t s = 0; s < slots; s++) {
    napi_value element;
    napi_get_element(env, argv[1], s, &element);
    float* slot;
    size_t length;
    if (!float_array(env, element, &slot, &length) || length != n) return fail(env, "sumInto: every slot must have out's length");
    if (s == 0) std::memcpy(out, slot, n * sizeof(float));
    else
      for (size_t i = 0; i < n; i++) out[i] += slot[i];
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t threads = 1;
  if (argc == 1) napi_get_value_int32(env, argv[0], &threads);
  omp_set_num_threads(threads < 1 ? 1 : threads);
  napi_value result;
  napi_create_int32(env, omp_get_max_threads(), &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"columnSum", nullptr, ColumnSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumInto", nullptr, SumInto, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
