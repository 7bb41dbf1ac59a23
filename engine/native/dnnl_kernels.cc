// Optional native kernels for the tfjs wasm backend: oneDNN convolutions (forward and both gradients) and
// sgemm, plus fused loops for BatchNorm training, max-pool and ReLU gradients, column sums and the Adam update.
// The heap kernels read and write tensors in place in the wasm heap (an ArrayBuffer passed from JS) at byte
// offsets, so nothing is copied; each checks every argument first (args.h: parameter count, offsets and sizes
// against the heap's length, shapes) and throws a JavaScript error instead of touching memory it was not given.
// Builds against oneDNN 2.x and 3.x: the version-specific code is all in onednn_compat.h.
// Caches are thread_local: each worker_thread that loads the addon gets its own.
// Over 400 lines because it holds eleven entry points, each kept next to the checks of its own arguments.
#include <node_api.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "args.h"
#include "onednn_compat.h"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
// Declared here rather than through <omp.h> and -fopenmp: the thread count must be set in the OpenMP runtime
// that libdnnl itself loaded (libgomp for Debian's build, libomp for others), which the dynamic linker finds
// through libdnnl's own dependencies. Linking a runtime of our own could load a second one (clang's libomp
// beside Debian's libgomp) whose setting oneDNN never reads, and clang would need libomp-dev for the header.
extern "C" {
void omp_set_num_threads(int threads);
int omp_get_max_threads(void);
}
#endif

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

// ---- convolutions ----

struct ConvParams {
  int64_t n, h, w, ic, oc, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow, dh, dw;
  bool relu, with_bias, winograd_allowed;
};

enum ConvKind { FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2 };

struct ConvPlan {
  memory::desc user_src, user_wei, user_dst, bias_md;
  std::unique_ptr<primitive> prim;
  memory::desc wei_md;  // the primitive's (possibly blocked) weights layout
  std::unique_ptr<reorder> wei_reorder;
  std::unique_ptr<memory> wei_mem;
  bool wei_plain = true;
  // Winograd works on blocked activations: the input and output are reordered from and to NHWC around it.
  bool winograd = false;
  std::unique_ptr<memory> src_mem, dst_mem;
  std::unique_ptr<reorder> src_reorder, dst_reorder;
};

// Winograd F(4x4, 3x3) does 2.25x fewer multiplications than a direct 3x3 convolution, but works on 4x4
// output tiles and reorders the activations to and from NHWC on every call. The rule, fixed so that a run is
// deterministic (never timed): 3x3, stride 1, no dilation, at least 32 channels in and out, and output tiles
// at least 69% used (so 10x10, 12x12, 22x22, 24x24, 46x46 and 4x4 outputs; not 6x6). Measured on AVX-512 with
// oneDNN 2.6, one thread, batch 32, reorders included (engine/PROFILE.md): 1.35-1.57x on seed-vgg's layers
// (all three passes), 1.1-1.6x on fer-compact's 24x24 and 12x12 ones, 0.9-1.06x on its 6x6 ones.
bool winograd_pays(const ConvParams& p) {
  if (!p.winograd_allowed || p.kh != 3 || p.kw != 3 || p.sh != 1 || p.sw != 1 || p.dh != 1 || p.dw != 1) return false;
  if (p.ic < 32 || p.oc < 32) return false;
  const double tiles = double((p.oh + 3) / 4 * 4) * double((p.ow + 3) / 4 * 4);
  return double(p.oh) * p.ow / tiles >= 0.69;
}

std::string conv_key(int kind, const ConvParams& p) {
  char buf[256];
  snprintf(buf, sizeof buf, "%d:%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%d,%d,%d", kind, (long)p.n, (long)p.h,
           (long)p.w, (long)p.ic, (long)p.oc, (long)p.kh, (long)p.kw, (long)p.sh, (long)p.sw, (long)p.pt, (long)p.pl, (long)p.pb,
           (long)p.pr, (long)p.oh, (long)p.ow, (long)p.dh, (long)p.dw, p.with_bias ? 1 : 0, p.relu ? 1 : 0, p.winograd_allowed ? 1 : 0);
  return buf;
}

// Builds the primitive of `kind` with `alg` into plan (throws dnnl::error where oneDNN has no implementation).
void build_conv(ConvPlan& plan, int kind, const ConvParams& p, algorithm alg) {
  auto& ctx = context();
  memory::dims wei_dims = {p.oc, p.ic, p.kh, p.kw};
  const bool winograd = alg == algorithm::convolution_winograd;
  const memory::desc src = winograd ? memory::desc(plan.user_src.dims(), dt::f32, tag::any) : plan.user_src;
  const memory::desc dst = winograd ? memory::desc(plan.user_dst.dims(), dt::f32, tag::any) : plan.user_dst;
  ConvDescs d{src, memory::desc(wei_dims, dt::f32, tag::any), plan.bias_md, dst, kind == FORWARD && p.with_bias, {p.sh, p.sw},
              {p.dh - 1, p.dw - 1}, {p.pt, p.pl}, {p.pb, p.pr}, alg};
  primitive_attr attr;
  if (kind == FORWARD && p.relu) attr.set_post_ops(relu_post_op());
  auto fwd_pd = forward_pd(ctx.eng, d, attr);
  memory::desc src_md, dst_md;
  if (kind == FORWARD) {
    plan.prim = std::make_unique<convolution_forward>(fwd_pd);
    plan.wei_md = fwd_pd.weights_desc();
    src_md = fwd_pd.src_desc();
    dst_md = fwd_pd.dst_desc();
  } else if (kind == BACKWARD_DATA) {
    auto pd = backward_data_pd(ctx.eng, d, fwd_pd);
    plan.prim = std::make_unique<convolution_backward_data>(pd);
    plan.wei_md = pd.weights_desc();
    src_md = pd.diff_src_desc();
    dst_md = pd.diff_dst_desc();
  } else {
    auto pd = backward_weights_pd(ctx.eng, d, fwd_pd);
    plan.prim = std::make_unique<convolution_backward_weights>(pd);
    plan.wei_md = pd.diff_weights_desc();
    src_md = pd.src_desc();
    dst_md = pd.diff_dst_desc();
  }
  plan.wei_plain = plan.wei_md == plan.user_wei;
  if (!plan.wei_plain) {
    plan.wei_mem = std::make_unique<memory>(plan.wei_md, ctx.eng);
    // Reorder direction: user -> blocked for forward/backward-data, blocked -> user for backward-weights.
    plan.wei_reorder = kind == BACKWARD_WEIGHTS
        ? std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan.wei_md, ctx.eng, plan.user_wei))
        : std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan.user_wei, ctx.eng, plan.wei_md));
  }
  plan.winograd = winograd;
  if (winograd) {
    // The input side is read (user -> blocked), the output side written (blocked -> user): forward reads src and
    // writes dst; backward data reads diff_dst and writes diff_src; backward weights reads both.
    const bool src_in = kind != BACKWARD_DATA, dst_in = kind != FORWARD;
    plan.src_mem = std::make_unique<memory>(src_md, ctx.eng);
    plan.dst_mem = std::make_unique<memory>(dst_md, ctx.eng);
    plan.src_reorder = src_in ? std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan.user_src, ctx.eng, src_md))
                              : std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, src_md, ctx.eng, plan.user_src));
    plan.dst_reorder = dst_in ? std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, plan.user_dst, ctx.eng, dst_md))
                              : std::make_unique<reorder>(reorder::primitive_desc(ctx.eng, dst_md, ctx.eng, plan.user_dst));
  }
}

ConvPlan& conv_plan(int kind, const ConvParams& p) {
  thread_local std::map<std::string, std::unique_ptr<ConvPlan>> cache;
  std::string key = conv_key(kind, p);
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;

  auto fresh_plan = [&p] {
    auto plan = std::make_unique<ConvPlan>();
    plan->user_src = memory::desc({p.n, p.ic, p.h, p.w}, dt::f32, tag::nhwc);
    plan->user_dst = memory::desc({p.n, p.oc, p.oh, p.ow}, dt::f32, tag::nhwc);
    plan->user_wei = memory::desc({p.oc, p.ic, p.kh, p.kw}, dt::f32, tag::hwio);
    plan->bias_md = memory::desc({p.oc}, dt::f32, tag::x);
    return plan;
  };
  std::unique_ptr<ConvPlan> plan;
  if (winograd_pays(p)) {
    try {
      plan = fresh_plan();
      build_conv(*plan, kind, p, algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
      plan = nullptr;  // no Winograd here (oneDNN 3.x on x64, no AVX-512, or this post-op): the direct convolution
    }
  }
  if (plan == nullptr) {
    plan = fresh_plan();
    build_conv(*plan, kind, p, algorithm::convolution_direct);
  }
  auto& slot = cache[key];
  slot = std::move(plan);
  return *slot;
}

// Blocked copies kept between the calls of one training step. A Winograd layer reorders its activations into
// oneDNN's blocked layout on every call, and some of them twice: the forward input again for the filter
// gradient, and the output gradient once for each gradient. engine/conv-layer.ts names each forward input and
// each output gradient with a fresh id (keep ids, never reused): the first call that reorders it keeps the
// blocked copy under that id, and the call that needs it again takes it, if it still holds the same tensor
// (the same heap address, which the tape keeps alive between the calls, and the same layout); otherwise it
// reorders as before. A copy nobody takes (a layer whose filter gradient is not asked for) is dropped after
// MAX_KEPT newer ones. Taken and dropped buffers are reused, so a step allocates nothing once warm.
struct KeptCopy {
  std::unique_ptr<memory> mem;
  const float* source;
};

struct KeptStore {
  std::map<int64_t, KeptCopy> copies;
  std::deque<int64_t> order;  // ids in the order they were kept
  std::vector<std::unique_ptr<memory>> spares;
};

constexpr size_t MAX_KEPT = 16;

KeptStore& kept_store() {
  thread_local KeptStore store;
  return store;
}

void spare(std::unique_ptr<memory> mem) {
  auto& store = kept_store();
  store.spares.push_back(std::move(mem));
  if (store.spares.size() > MAX_KEPT) store.spares.erase(store.spares.begin());
}

// A buffer of layout md, a spare one where one fits.
std::unique_ptr<memory> blocked_buffer(const memory::desc& md) {
  auto& spares = kept_store().spares;
  for (auto it = spares.begin(); it != spares.end(); ++it) {
    if ((*it)->get_desc() == md) {
      auto mem = std::move(*it);
      spares.erase(it);
      return mem;
    }
  }
  return std::make_unique<memory>(md, context().eng);
}

// The copy kept under id, if it is of `source` in layout md (and then no longer kept); null otherwise.
std::unique_ptr<memory> take_kept(int64_t id, const float* source, const memory::desc& md) {
  auto& store = kept_store();
  auto found = store.copies.find(id);
  if (found == store.copies.end()) return nullptr;
  std::unique_ptr<memory> mem;
  if (found->second.source == source && found->second.mem->get_desc() == md) mem = std::move(found->second.mem);
  else spare(std::move(found->second.mem));
  store.copies.erase(found);
  store.order.erase(std::find(store.order.begin(), store.order.end(), id));
  return mem;
}

void keep(int64_t id, const float* source, std::unique_ptr<memory> mem) {
  auto& store = kept_store();
  if (store.copies.count(id)) return;  // already kept (ids are fresh per tensor, so the same copy)
  store.copies[id] = {std::move(mem), source};
  store.order.push_back(id);
  while (store.order.size() > MAX_KEPT) {
    auto oldest = store.copies.find(store.order.front());
    spare(std::move(oldest->second.mem));
    store.copies.erase(oldest);
    store.order.pop_front();
  }
}

// An operand that a convolution reads: the caller's NHWC tensor itself for a direct convolution; for a Winograd
// one its blocked copy, taken from the kept copies under `id` (-1: none), else reordered from the tensor into
// a buffer that is kept under id afterwards, or into the plan's own buffer without an id.
struct ReadOperand {
  memory* mem;
  std::unique_ptr<memory> owned;
  bool taken = false;
  int64_t id;
  const float* source;
  reorder* to_blocked = nullptr;

  ReadOperand(const ConvPlan& plan, memory& user, memory* plan_mem, reorder* r, int64_t keep_id, const float* data)
      : mem(&user), id(keep_id), source(data) {
    if (!plan.winograd) return;
    to_blocked = r;
    mem = plan_mem;
    if (id < 0) return;
    owned = take_kept(id, data, plan_mem->get_desc());
    taken = owned != nullptr;
    if (!taken) owned = blocked_buffer(plan_mem->get_desc());
    mem = owned.get();
  }
  // The reorder from the caller's tensor, unless the kept copy already holds it.
  void fill(memory& user) {
    if (to_blocked != nullptr && !taken) to_blocked->execute(context().strm, user, *mem);
  }
  // After the primitive ran: a taken copy has served its second use; a fresh one is kept for it.
  void finish() {
    if (owned == nullptr) return;
    if (taken) spare(std::move(owned));
    else keep(id, source, std::move(owned));
  }
};

// conv2d(heap: ArrayBuffer, kind: 0|1|2, params: Float64Array[x, w, y, bias, n, h, w, ic, oc, kh, kw, sh, sw, pt,
// pl, pb, pr, oh, ow, dh, dw, relu, winograd, keepX, keepDy]): NHWC x and y, HWIO filter, tfjs dilations (1 = none),
// bias -1 for none; winograd 1 lets the shapes where it pays use Winograd (winograd_pays); keepX and keepDy are
// keep ids (-1: none) of the input and the output gradient, whose blocked copies a Winograd call keeps or reuses
// (KeptStore above; read by the calls that reorder them: keepX by forward and backward weights, keepDy by both
// backward passes).
// Forward writes y, backward data writes x (from dy in y), backward weights writes w.
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a(env, "conv2d");
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return a.error("cannot read the arguments");
  if (argc != 3) return a.error("expects 3 arguments (heap, kind, params), got " + std::to_string(argc));
  double kind_value = -1;
  const bool kind_is_number = napi_get_value_double(env, argv[1], &kind_value) == napi_ok;
  if (!kind_is_number || !(kind_value == 0 || kind_value == 1 || kind_value == 2)) {
    return a.error("kind must be 0 (forward), 1 (backward data) or 2 (backward weights), got " +
                   (kind_is_number ? number(kind_value) : std::string("a non-number")));
  }
  const int kind = static_cast<int>(kind_value);
  if (!a.heap_and_params(argv[0], argv[2], 25)) return nullptr;
  ConvParams p;
  p.n = a.whole(4, "batch", 1);
  p.h = a.whole(5, "input height", 1);
  p.w = a.whole(6, "input width", 1);
  p.ic = a.whole(7, "input channels", 1);
  p.oc = a.whole(8, "output channels", 1);
  p.kh = a.whole(9, "filter height", 1);
  p.kw = a.whole(10, "filter width", 1);
  p.sh = a.whole(11, "stride height", 1);
  p.sw = a.whole(12, "stride width", 1);
  p.pt = a.whole(13, "padding top", 0);
  p.pl = a.whole(14, "padding left", 0);
  p.pb = a.whole(15, "padding bottom", -MAX_DIMENSION);  // negative when the last rows are unused
  p.pr = a.whole(16, "padding right", -MAX_DIMENSION);
  p.oh = a.whole(17, "output height", 1);
  p.ow = a.whole(18, "output width", 1);
  p.dh = a.whole(19, "dilation height", 1);
  p.dw = a.whole(20, "dilation width", 1);
  p.relu = a.flag(21, "relu");
  p.winograd_allowed = a.flag(22, "winograd");
  const int64_t keep_x = a.whole(23, "keepX", -1), keep_dy = a.whole(24, "keepDy", -1);
  if (a.failed) return nullptr;
  // The output size must follow from the others exactly (tfjs computes the bottom/right padding so that it
  // does): oneDNN then touches exactly the regions checked below.
  if ((p.oh - 1) * p.sh + (p.kh - 1) * p.dh + 1 != p.h + p.pt + p.pb) {
    return a.error("output height " + number(p.oh) + " does not follow from input height " + number(p.h) + ", filter " + number(p.kh) +
                  ", dilation " + number(p.dh) + ", stride " + number(p.sh) + " and padding " + number(p.pt) + " + " + number(p.pb)),
           nullptr;
  }
  if ((p.ow - 1) * p.sw + (p.kw - 1) * p.dw + 1 != p.w + p.pl + p.pr) {
    return a.error("output width " + number(p.ow) + " does not follow from input width " + number(p.w) + ", filter " + number(p.kw) +
                   ", dilation " + number(p.dw) + ", stride " + number(p.sw) + " and padding " + number(p.pl) + " + " + number(p.pr));
  }
  static const char* const names[3][3] = {
      {"input", "filter", "output"}, {"input gradient", "filter", "output gradient"}, {"input", "filter gradient", "output gradient"}};
  const double n = p.n, ic = p.ic, oc = p.oc;
  float* x = a.region(0, names[kind][0], n * p.h * p.w * ic);
  float* wgt = a.region(1, names[kind][1], double(p.kh) * p.kw * ic * oc);
  float* y = a.region(2, names[kind][2], n * p.oh * p.ow * oc);
  p.with_bias = a.p[3] != -1;  // -1: no bias; any other value must be a valid offset
  float* bias = p.with_bias ? a.region(3, "bias", oc) : nullptr;
  if (a.failed) return nullptr;
  if (kind != FORWARD) p.with_bias = false;  // the gradients have no bias term: keep one plan for both callers
  try {
    auto& ctx = context();
    ConvPlan& plan = conv_plan(kind, p);
    memory user_src(plan.user_src, ctx.eng, x), user_dst(plan.user_dst, ctx.eng, y), user_wei(plan.user_wei, ctx.eng, wgt);
    memory& wei = plan.wei_plain ? user_wei : *plan.wei_mem;
    // Written operands: Winograd writes its blocked buffer, then reorders it into the caller's tensor.
    memory& out_src = plan.winograd ? *plan.src_mem : user_src;
    memory& out_dst = plan.winograd ? *plan.dst_mem : user_dst;
    if (kind == FORWARD) {
      ReadOperand src(plan, user_src, plan.src_mem.get(), plan.src_reorder.get(), keep_x, x);
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, user_wei, wei);
      src.fill(user_src);
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, *src.mem}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, out_dst}};
      if (p.with_bias) args.insert({DNNL_ARG_BIAS, memory(plan.bias_md, ctx.eng, bias)});
      plan.prim->execute(ctx.strm, args);
      if (plan.winograd) plan.dst_reorder->execute(ctx.strm, out_dst, user_dst);
      ctx.strm.wait();
      src.finish();
    } else if (kind == BACKWARD_DATA) {
      ReadOperand dy(plan, user_dst, plan.dst_mem.get(), plan.dst_reorder.get(), keep_dy, y);
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, user_wei, wei);
      dy.fill(user_dst);
      plan.prim->execute(ctx.strm, {{DNNL_ARG_DIFF_SRC, out_src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, *dy.mem}});
      if (plan.winograd) plan.src_reorder->execute(ctx.strm, out_src, user_src);
      ctx.strm.wait();
      dy.finish();
    } else {
      ReadOperand src(plan, user_src, plan.src_mem.get(), plan.src_reorder.get(), keep_x, x);
      ReadOperand dy(plan, user_dst, plan.dst_mem.get(), plan.dst_reorder.get(), keep_dy, y);
      src.fill(user_src);
      dy.fill(user_dst);
      plan.prim->execute(ctx.strm, {{DNNL_ARG_SRC, *src.mem}, {DNNL_ARG_DIFF_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, *dy.mem}});
      if (!plan.wei_plain) plan.wei_reorder->execute(ctx.strm, wei, user_wei);
      ctx.strm.wait();
      src.finish();
      dy.finish();
    }
  } catch (const dnnl::error& e) {
    return a.error(std::string("oneDNN convolution failed: ") + e.what());
  } catch (const std::exception& e) {
    return a.error(std::string("convolution failed: ") + e.what());
  }
  return nullptr;
}

// ---- loops ----

// The parameters both BatchNorm forward kernels read at the same places: rows (6), channels (7), epsilon (8), relu (9).
// A bad epsilon fails `a` (the kernel then returns once its regions are read, as for any failed argument).
struct BatchNormShape {
  int64_t rows, channels;
  double epsilon, size;
  bool relu;
};

BatchNormShape batch_norm_shape(Args& a) {
  const int64_t rows = a.whole(6, "rows", 1), channels = a.whole(7, "channels", 1);
  const double epsilon = a.p[8];
  const bool relu = a.flag(9, "relu");
  if (!a.failed && !(std::isfinite(epsilon) && epsilon >= 0)) a.fail("epsilon must be a finite number >= 0, got " + number(epsilon));
  return {rows, channels, epsilon, double(rows) * channels, relu};
}

// y = x * scale + shift per channel over `rows` rows of `channels` (NHWC), then max(0, y) with relu: BatchNorm's
// last pass, in training (batchNormForward) and at inference (batchNormInference).
void scale_shift(const float* x, float* y, int64_t rows, int64_t channels, const float* __restrict sc, const float* __restrict sh, bool relu) {
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict row = x + r * channels;
    float* __restrict out = y + r * channels;
    if (relu) {
      for (int64_t c = 0; c < channels; c++) out[c] = std::max(0.f, row[c] * sc[c] + sh[c]);
    } else {
      for (int64_t c = 0; c < channels; c++) out[c] = row[c] * sc[c] + sh[c];
    }
  }
}

// BatchNorm training forward over NHWC (channels last, `rows` = N*H*W), optionally followed by ReLU and by the
// moving statistics' update:
// batchNormForward(heap, Float64Array[x, gamma, beta, y, mean, variance, rows, channels, epsilon, relu,
//                  movingMean, movingVariance, newMovingMean, newMovingVariance, momentum])
// y = max(0, ...) when relu is 1; with movingMean -1 (then movingVariance, the new ones and momentum are not
// read) the moving statistics are left to the caller, else newMoving = moving - (moving - batch) * (1 - momentum),
// tfjs-layers' update with the biased batch variance.
// One pass gathers each channel's sum and sum of squares around its first row's value (shifted data keep the
// variance accurate when the mean is large against the spread), in float over blocks of BLOCK rows, which
// the compiler vectorizes over channels, and in double across blocks; a second pass writes y.
constexpr int64_t BLOCK = 32;

napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  Args a(env, "batchNormForward");
  if (!heap_call(a, info, 15)) return nullptr;
  const auto [rows, channels, epsilon, size, relu] = batch_norm_shape(a);
  const float* x = a.region(0, "x", size);
  const float* gamma = a.region(1, "gamma", channels);
  const float* beta = a.region(2, "beta", channels);
  float* y = a.region(3, "y", size);
  float* mean_out = a.region(4, "mean", channels);
  float* variance_out = a.region(5, "variance", channels);
  const bool moving = a.p[10] != -1;
  const float* moving_mean = moving ? a.region(10, "movingMean", channels) : nullptr;
  const float* moving_variance = moving ? a.region(11, "movingVariance", channels) : nullptr;
  float* new_moving_mean = moving ? a.region(12, "newMovingMean", channels) : nullptr;
  float* new_moving_variance = moving ? a.region(13, "newMovingVariance", channels) : nullptr;
  const double momentum = a.p[14];
  if (!a.failed && moving && !(momentum >= 0 && momentum <= 1)) return a.error("momentum must be a number from 0 to 1, got " + number(momentum));
  if (a.failed) return nullptr;
  std::vector<float> shift0(x, x + channels), block_sum(channels), block_sq(channels);
  std::vector<double> sum(channels, 0.0), sq(channels, 0.0);
  const float* __restrict k = shift0.data();
  float* __restrict bs = block_sum.data();
  float* __restrict bq = block_sq.data();
  for (int64_t r0 = 0; r0 < rows; r0 += BLOCK) {
    const int64_t r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
    std::fill(block_sum.begin(), block_sum.end(), 0.f);
    std::fill(block_sq.begin(), block_sq.end(), 0.f);
    for (int64_t r = r0; r < r1; r++) {
      const float* __restrict row = x + r * channels;
      for (int64_t c = 0; c < channels; c++) {
        const float d = row[c] - k[c];
        bs[c] += d;
        bq[c] += d * d;
      }
    }
    for (int64_t c = 0; c < channels; c++) {
      sum[c] += bs[c];
      sq[c] += bq[c];
    }
  }
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    const double centered = sum[c] / rows;  // mean - k
    const double variance = std::max(0.0, sq[c] / rows - centered * centered);
    const float mean = static_cast<float>(k[c] + centered);
    const float inv_std = static_cast<float>(1.0 / std::sqrt(variance + epsilon));
    mean_out[c] = mean;
    variance_out[c] = static_cast<float>(variance);
    scale[c] = gamma[c] * inv_std;
    shift[c] = beta[c] - mean * scale[c];
    if (moving) {
      new_moving_mean[c] = static_cast<float>(moving_mean[c] - (moving_mean[c] - mean) * (1 - momentum));
      new_moving_variance[c] = static_cast<float>(moving_variance[c] - (moving_variance[c] - variance) * (1 - momentum));
    }
  }
  scale_shift(x, y, rows, channels, scale.data(), shift.data(), relu);
  return nullptr;
}

// BatchNorm at inference over NHWC with the moving statistics, optionally followed by ReLU:
// batchNormInference(heap, Float64Array[x, gamma, beta, movingMean, movingVariance, y, rows, channels, epsilon, relu])
// y = x * scale + shift per channel, scale = gamma / sqrt(variance + epsilon) and shift = beta - mean * scale
// computed once per channel in double (tfjs's FusedBatchNorm takes a square root and a division per element).
napi_value BatchNormInference(napi_env env, napi_callback_info info) {
  Args a(env, "batchNormInference");
  if (!heap_call(a, info, 10)) return nullptr;
  const auto [rows, channels, epsilon, size, relu] = batch_norm_shape(a);
  const float* x = a.region(0, "x", size);
  const float* gamma = a.region(1, "gamma", channels);
  const float* beta = a.region(2, "beta", channels);
  const float* mean = a.region(3, "movingMean", channels);
  const float* variance = a.region(4, "movingVariance", channels);
  float* y = a.region(5, "y", size);
  if (a.failed) return nullptr;
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    const double k = double(gamma[c]) / std::sqrt(double(variance[c]) + epsilon);
    scale[c] = static_cast<float>(k);
    shift[c] = static_cast<float>(double(beta[c]) - double(mean[c]) * k);
  }
  scale_shift(x, y, rows, channels, scale.data(), shift.data(), relu);
  return nullptr;
}

// batchNormBackward(heap, Float64Array[dy, x, gamma, beta, mean, invStd, dx, dgamma, dbeta, rows, channels, relu,
//                   maskInput]):
// with relu 1, the gradient of max(0, batchNorm(x)): dy counts only where the forward output was positive,
// recomputed from x as the forward pass computed it (so nothing more is read than without the ReLU).
// With maskInput 1, x is a ReLU's output and dx is written through that ReLU's gradient: 0 where x is not > 0
// (the ReLU's own gradient pass, folded into this one).
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  Args a(env, "batchNormBackward");
  if (!heap_call(a, info, 13)) return nullptr;
  const int64_t rows = a.whole(9, "rows", 1), channels = a.whole(10, "channels", 1);
  const bool relu = a.flag(11, "relu"), mask_input = a.flag(12, "maskInput");
  const double size = double(rows) * channels;
  const float* dy = a.region(0, "dy", size);
  const float* x = a.region(1, "x", size);
  const float* gamma = a.region(2, "gamma", channels);
  const float* beta = a.region(3, "beta", channels);
  const float* mean = a.region(4, "mean", channels);
  const float* inv_std = a.region(5, "invStd", channels);
  float* dx = a.region(6, "dx", size);
  float* dgamma = a.region(7, "dgamma", channels);
  float* dbeta = a.region(8, "dbeta", channels);
  if (a.failed) return nullptr;
  // The forward pass's scale and shift, in the same float arithmetic, for the ReLU's mask.
  std::vector<float> scale(channels), shift(channels), block_dy(channels), block_dy_xhat(channels);
  for (int64_t c = 0; c < channels; c++) {
    scale[c] = gamma[c] * inv_std[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  std::vector<double> sum_dy(channels, 0.0), sum_dy_xhat(channels, 0.0);
  const float* __restrict sc = scale.data();
  const float* __restrict sh = shift.data();
  const float* __restrict mu = mean;
  const float* __restrict is = inv_std;
  float* __restrict bd = block_dy.data();
  float* __restrict bx = block_dy_xhat.data();
  for (int64_t r0 = 0; r0 < rows; r0 += BLOCK) {
    const int64_t r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
    std::fill(block_dy.begin(), block_dy.end(), 0.f);
    std::fill(block_dy_xhat.begin(), block_dy_xhat.end(), 0.f);
    for (int64_t r = r0; r < r1; r++) {
      const float* __restrict dyr = dy + r * channels;
      const float* __restrict xr = x + r * channels;
      if (relu) {
        for (int64_t c = 0; c < channels; c++) {
          const float g = xr[c] * sc[c] + sh[c] > 0.f ? dyr[c] : 0.f;
          bd[c] += g;
          bx[c] += g * ((xr[c] - mu[c]) * is[c]);
        }
      } else {
        for (int64_t c = 0; c < channels; c++) {
          bd[c] += dyr[c];
          bx[c] += dyr[c] * ((xr[c] - mu[c]) * is[c]);
        }
      }
    }
    for (int64_t c = 0; c < channels; c++) {
      sum_dy[c] += bd[c];
      sum_dy_xhat[c] += bx[c];
    }
  }
  std::vector<float> ka(channels), kb(channels), k(channels);
  for (int64_t c = 0; c < channels; c++) {
    dbeta[c] = static_cast<float>(sum_dy[c]);
    dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
    // dx = gamma*invStd*(g - mean(g) - xhat*mean(g*xhat)), g the gradient reaching the normalization
    k[c] = gamma[c] * inv_std[c];
    ka[c] = static_cast<float>(sum_dy[c] / rows);
    kb[c] = static_cast<float>(sum_dy_xhat[c] / rows);
  }
  const float* __restrict kk = k.data();
  const float* __restrict kA = ka.data();
  const float* __restrict kB = kb.data();
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict dyr = dy + r * channels;
    const float* __restrict xr = x + r * channels;
    float* __restrict dxr = dx + r * channels;
    if (relu) {
      for (int64_t c = 0; c < channels; c++) {
        const float g = xr[c] * sc[c] + sh[c] > 0.f ? dyr[c] : 0.f;
        const float xhat = (xr[c] - mu[c]) * is[c];
        const float v = kk[c] * (g - kA[c] - xhat * kB[c]);
        dxr[c] = mask_input && !(xr[c] > 0.f) ? 0.f : v;
      }
    } else if (mask_input) {
      for (int64_t c = 0; c < channels; c++) {
        const float xhat = (xr[c] - mu[c]) * is[c];
        const float v = kk[c] * (dyr[c] - kA[c] - xhat * kB[c]);
        dxr[c] = xr[c] > 0.f ? v : 0.f;
      }
    } else {
      for (int64_t c = 0; c < channels; c++) {
        const float xhat = (xr[c] - mu[c]) * is[c];
        dxr[c] = kk[c] * (dyr[c] - kA[c] - xhat * kB[c]);
      }
    }
  }
  return nullptr;
}

// One 2x2 window's gradient over all channels: each channel's dy goes to the first maximum of a00, a01, a10,
// a11 (row-major order, as tfjs's cpu backend breaks ties). Selects, not short-circuit logic, and restrict
// parameters (which GCC honours, unlike restrict locals), so the loop vectorizes: 10x faster than the scalar
// loop it replaced. Accumulate adds into d (overlapping windows); otherwise it writes.
template <bool Accumulate>
inline void max_window_grad(const float* __restrict a00, const float* __restrict a01, const float* __restrict a10,
                            const float* __restrict a11, const float* __restrict g, float* __restrict d00, float* __restrict d01,
                            float* __restrict d10, float* __restrict d11, int64_t c) {
  for (int64_t ch = 0; ch < c; ch++) {
    const float v0 = a00[ch], v1 = a01[ch], v2 = a10[ch], v3 = a11[ch];
    const float m = std::max(std::max(v0, v1), std::max(v2, v3));
    float rest = g[ch];
    const float g0 = v0 == m ? rest : 0.f;
    rest = v0 == m ? 0.f : rest;
    const float g1 = v1 == m ? rest : 0.f;
    rest = v1 == m ? 0.f : rest;
    const float g2 = v2 == m ? rest : 0.f;
    const float g3 = v2 == m ? 0.f : rest;
    if (Accumulate) {
      d00[ch] += g0, d01[ch] += g1, d10[ch] += g2, d11[ch] += g3;
    } else {
      d00[ch] = g0, d01[ch] = g1, d10[ch] = g2, d11[ch] = g3;
    }
  }
}

// The common 2x2 pool of stride 2 without padding: windows do not overlap, so each input gets either its
// window's gradient or 0, written once.
void max_pool_grad_2x2(const float* x, const float* dy, float* dx, int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow) {
  if (oh * 2 != h || ow * 2 != w) std::memset(dx, 0, sizeof(float) * n * h * w * c);  // an odd last row or column gets nothing
  for (int64_t b = 0; b < n; b++) {
    for (int64_t oy = 0; oy < oh; oy++) {
      for (int64_t ox = 0; ox < ow; ox++) {
        const int64_t i00 = ((b * h + oy * 2) * w + ox * 2) * c, i01 = i00 + c, i10 = i00 + w * c, i11 = i10 + c;
        max_window_grad<false>(x + i00, x + i01, x + i10, x + i11, dy + ((b * oh + oy) * ow + ox) * c, dx + i00, dx + i01, dx + i10, dx + i11, c);
      }
    }
  }
}

// The dense 2x2 pool of stride 1 with 'same' padding (anti-aliased pooling's first half, blocks.ts's blurPool):
// output (y, x) reads rows y, y+1 and columns x, x+1, those past the bottom and right edges left out. Windows
// overlap, so gradients add. The last row and column take the scalar path, with the same tie rule.
void max_pool_grad_2x2_dense(const float* x, const float* dy, float* dx, int64_t n, int64_t h, int64_t w, int64_t c) {
  std::memset(dx, 0, sizeof(float) * n * h * w * c);
  for (int64_t b = 0; b < n; b++) {
    for (int64_t y = 0; y < h; y++) {
      for (int64_t xx = 0; xx < w; xx++) {
        const int64_t i00 = ((b * h + y) * w + xx) * c;
        if (y + 1 < h && xx + 1 < w) {
          const int64_t i01 = i00 + c, i10 = i00 + w * c, i11 = i10 + c;
          max_window_grad<true>(x + i00, x + i01, x + i10, x + i11, dy + i00, dx + i00, dx + i01, dx + i10, dx + i11, c);
          continue;
        }
        const int64_t rows = y + 1 < h ? 2 : 1, cols = xx + 1 < w ? 2 : 1;
        for (int64_t ch = 0; ch < c; ch++) {
          int64_t best = i00 + ch;
          for (int64_t r = 0; r < rows; r++)
            for (int64_t k = 0; k < cols; k++) {
              const int64_t at = i00 + (r * w + k) * c + ch;
              if (x[at] > x[best]) best = at;
            }
          dx[best] += dy[i00 + ch];
        }
      }
    }
  }
}

// The window geometry that maxPoolGrad and depthwiseBackpropInput read from params[3..14]: batch, input
// height, width and channels, output height and width, window height and width, strides, top and left padding.
struct WindowGeometry {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl;
};

WindowGeometry window_geometry(Args& a) {
  return {a.whole(3, "batch", 1), a.whole(4, "height", 1), a.whole(5, "width", 1), a.whole(6, "channels", 1),
          a.whole(7, "output height", 1), a.whole(8, "output width", 1), a.whole(9, "filter height", 1), a.whole(10, "filter width", 1),
          a.whole(11, "stride height", 1), a.whole(12, "stride width", 1), a.whole(13, "padding top", 0), a.whole(14, "padding left", 0)};
}

// maxPoolGrad(heap, Float64Array[x, dy, dx, n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl]): each dy goes to the
// first maximum of its window, as in tfjs's cpu backend. Window rows and columns outside x are skipped, so any
// padding is safe.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, "maxPoolGrad");
  if (!heap_call(a, info, 15)) return nullptr;
  const auto [n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl] = window_geometry(a);
  const double input_size = double(n) * h * w * c;
  const float* x = a.region(0, "x", input_size);
  const float* dy = a.region(1, "dy", double(n) * oh * ow * c);
  float* dx = a.region(2, "dx", input_size);
  if (a.failed) return nullptr;
  if (fh == 2 && fw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && oh == h / 2 && ow == w / 2) {
    max_pool_grad_2x2(x, dy, dx, n, h, w, c, oh, ow);
    return nullptr;
  }
  if (fh == 2 && fw == 2 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w) {
    max_pool_grad_2x2_dense(x, dy, dx, n, h, w, c);
    return nullptr;
  }
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

// depthwiseBackpropInput(heap, Float64Array[dy, filter, dx, n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl]): the input
// gradient of a depthwise convolution with channel multiplier 1 (filter fh x fw x c x 1), for the fixed blur of
// anti-aliased pooling (src/lib/models/blocks.ts): each output gradient adds filter-weighted into the inputs its
// window read. Window rows and columns outside x are skipped, so any padding is safe.
napi_value DepthwiseBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, "depthwiseBackpropInput");
  if (!heap_call(a, info, 15)) return nullptr;
  const auto [n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl] = window_geometry(a);
  const float* dy = a.region(0, "dy", double(n) * oh * ow * c);
  const float* filter = a.region(1, "filter", double(fh) * fw * c);
  float* dx = a.region(2, "dx", double(n) * h * w * c);
  if (a.failed) return nullptr;
  std::memset(dx, 0, sizeof(float) * n * h * w * c);
  for (int64_t b = 0; b < n; b++) {
    for (int64_t oy = 0; oy < oh; oy++) {
      for (int64_t ox = 0; ox < ow; ox++) {
        const float* __restrict g = dy + ((b * oh + oy) * ow + ox) * c;
        for (int64_t ky = 0; ky < fh; ky++) {
          const int64_t iy = oy * sh + ky - pt;
          if (iy < 0 || iy >= h) continue;
          for (int64_t kx = 0; kx < fw; kx++) {
            const int64_t ix = ox * sw + kx - pl;
            if (ix < 0 || ix >= w) continue;
            float* __restrict d = dx + ((b * h + iy) * w + ix) * c;
            const float* __restrict f = filter + (ky * fw + kx) * c;
            for (int64_t ch = 0; ch < c; ch++) d[ch] += g[ch] * f[ch];
          }
        }
      }
    }
  }
  return nullptr;
}

// matmul(heap, Float64Array[a, b, c, bias, batchA, batchB, M, N, K, transA, transB, relu]): row-major
// C[i] = op(A[i]) x op(B[i]) (+ bias, ReLU); a batch of 1 broadcasts; bias -1 for none.
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args a(env, "matmul");
  if (!heap_call(a, info, 12)) return nullptr;
  const int64_t batch_a = a.whole(4, "batchA", 1), batch_b = a.whole(5, "batchB", 1), m = a.whole(6, "m", 1), n = a.whole(7, "n", 1),
                k = a.whole(8, "k", 1);
  const bool trans_a = a.flag(9, "transA"), trans_b = a.flag(10, "transB"), relu = a.flag(11, "relu");
  if (!a.failed && batch_a != batch_b && batch_a != 1 && batch_b != 1) {
    return a.error("batches " + number(batch_a) + " and " + number(batch_b) + " do not broadcast (equal, or one of them 1)");
  }
  const int64_t batch = batch_a > batch_b ? batch_a : batch_b;
  const float* a_values = a.region(0, "a", double(batch_a) * m * k);
  const float* b_values = a.region(1, "b", double(batch_b) * k * n);
  float* c_values = a.region(2, "c", double(batch) * m * n);
  const float* bias = a.p[3] != -1 ? a.region(3, "bias", n) : nullptr;
  if (a.failed) return nullptr;
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a_values + (batch_a == 1 ? 0 : i) * m * k;
    const float* bi = b_values + (batch_b == 1 ? 0 : i) * k * n;
    float* ci = c_values + i * m * n;
    dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.f, ai, trans_a ? m : k, bi,
                                      trans_b ? k : n, 0.f, ci, n);
    if (status != dnnl_success) return a.error("oneDNN sgemm failed with status " + std::to_string(status));
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
  Args a(env, "reluGrad");
  if (!heap_call(a, info, 4)) return nullptr;
  const int64_t size = a.whole(3, "size", 0);
  const float* dy = a.region(0, "dy", size);
  const float* x = a.region(1, "x", size);
  float* dx = a.region(2, "dx", size);
  if (a.failed) return nullptr;
  for (int64_t i = 0; i < size; i++) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
  return nullptr;
}

// dropout(heap, Float64Array[x, y, scale, size, rate, seed]): element i is kept when murmur3's 32-bit finalizer
// of seed + (i + 1) * 0x9e3779b9, over 2^32, is below 1 - rate; scale[i] = 1 / (1 - rate) where kept, else 0,
// and y = x * scale. The same draws as dropoutForward in engine/dropout.ts, element for element.
napi_value Dropout(napi_env env, napi_callback_info info) {
  Args a(env, "dropout");
  if (!heap_call(a, info, 6)) return nullptr;
  const int64_t size = a.whole(3, "size", 0);
  const double rate = a.p[4], seed = a.p[5];
  if (!a.failed && !(rate > 0 && rate < 1)) return a.error("rate must be a number between 0 and 1, got " + number(rate));
  if (!a.failed && !(seed >= 0 && seed < 4294967296.0 && seed == std::floor(seed))) return a.error("seed must be a whole number from 0 to 2^32 - 1, got " + number(seed));
  const float* x = a.region(0, "x", size);
  float* y = a.region(1, "y", size);
  float* scale = a.region(2, "scale", size);
  if (a.failed) return nullptr;
  const double keep = 1 - rate;
  // z < keep * 2^32 in double (as the JavaScript does) is z <= threshold in integers.
  const double limit = keep * 4294967296.0;
  const uint64_t threshold = limit >= 4294967296.0 ? 0xffffffffull : uint64_t(std::ceil(limit)) - 1;
  const float kept = static_cast<float>(1 / keep);
  const uint32_t s = static_cast<uint32_t>(seed);
  float* __restrict out = y;
  float* __restrict sc = scale;
  for (int64_t i = 0; i < size; i++) {
    uint32_t z = s + static_cast<uint32_t>(i + 1) * 0x9e3779b9u;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    z ^= z >> 16;
    const float v = z <= threshold ? kept : 0.f;
    sc[i] = v;
    out[i] = x[i] * v;
  }
  return nullptr;
}

// columnSum(heap, Float64Array[x, out, rows, columns]): out[c] = sum over rows of x[r][c].
napi_value ColumnSum(napi_env env, napi_callback_info info) {
  Args a(env, "columnSum");
  if (!heap_call(a, info, 4)) return nullptr;
  const int64_t rows = a.whole(2, "rows", 0), columns = a.whole(3, "columns", 1);
  const float* x = a.region(0, "x", double(rows) * columns);
  float* out = a.region(1, "out", columns);
  if (a.failed) return nullptr;
  std::vector<double> sum(columns, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * columns;
    for (int64_t c = 0; c < columns; c++) sum[c] += row[c];
  }
  for (int64_t c = 0; c < columns; c++) out[c] = static_cast<float>(sum[c]);
  return nullptr;
}

// ---- typed-array kernels (their lengths are the bounds) ----

bool float_array(napi_env env, napi_value value, float** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

// adam(params, gradient, m, v, Float64Array[learningRate, beta1, beta2, epsilon, correction1, correction2,
// decay]): the same update as optimizers.ts, in float32 lanes.
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, "adam");
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return a.error("cannot read the arguments");
  if (argc != 5) return a.error("expects 5 arguments (params, gradient, m, v, settings), got " + std::to_string(argc));
  float* arrays[4];
  size_t lengths[4];
  static const char* const names[4] = {"params", "gradient", "m", "v"};
  for (int i = 0; i < 4; i++) {
    if (!float_array(env, argv[i], &arrays[i], &lengths[i])) return a.error(std::string(names[i]) + " must be a Float32Array");
    if (lengths[i] != lengths[0]) {
      return a.error(std::string(names[i]) + " has " + std::to_string(lengths[i]) + " numbers, params " + std::to_string(lengths[0]));
    }
  }
  bool is_typed = false;
  napi_typedarray_type type;
  size_t count = 0, byte_offset;
  void* raw = nullptr;
  napi_value buffer;
  if (napi_is_typedarray(env, argv[4], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[4], &type, &count, &raw, &buffer, &byte_offset) != napi_ok || type != napi_float64_array || count != 7) {
    return a.error("settings must be a Float64Array of 7 numbers");
  }
  const double* p = static_cast<const double*>(raw);
  float *w = arrays[0], *g = arrays[1], *m = arrays[2], *v = arrays[3];
  const size_t nw = lengths[0];
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

// sumInto(out, slots: Float32Array[]): out = sum of slots, added in order.
napi_value SumInto(napi_env env, napi_callback_info info) {
  Args a(env, "sumInto");
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return a.error("cannot read the arguments");
  float* out;
  size_t n;
  bool is_array = false;
  if (argc != 2) return a.error("expects 2 arguments (out, slots), got " + std::to_string(argc));
  if (!float_array(env, argv[0], &out, &n)) return a.error("out must be a Float32Array");
  if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) return a.error("slots must be an array of Float32Arrays");
  uint32_t slots = 0;
  napi_get_array_length(env, argv[1], &slots);
  // Every slot is checked before the first is copied, so a bad one leaves out unchanged.
  std::vector<float*> values(slots);
  for (uint32_t s = 0; s < slots; s++) {
    napi_value element;
    size_t length = 0;
    if (napi_get_element(env, argv[1], s, &element) != napi_ok || !float_array(env, element, &values[s], &length)) {
      return a.error("slot " + std::to_string(s) + " is not a Float32Array");
    }
    if (length != n) return a.error("slot " + std::to_string(s) + " has " + std::to_string(length) + " numbers, out " + std::to_string(n));
  }
  for (uint32_t s = 0; s < slots; s++) {
    if (s == 0) std::memcpy(out, values[s], n * sizeof(float));
    else
      for (size_t i = 0; i < n; i++) out[i] += values[s][i];
  }
  return nullptr;
}

// setThreads(threads): the threads oneDNN may use from the calling thread; returns the count now in effect.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, "setThreads");
  size_t argc = 1;
  napi_value argv[1];
  double threads = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 1 ||
      napi_get_value_double(env, argv[0], &threads) != napi_ok || !(threads >= 1 && threads <= 4096 && threads == std::floor(threads))) {
    return a.error("threads must be a whole number from 1 to 4096, got " + (argc == 1 ? number(threads) : std::string("nothing")));
  }
  int in_effect;
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  omp_set_num_threads(static_cast<int>(threads));
  in_effect = omp_get_max_threads();
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_SEQ
  in_effect = 1;  // a sequential build (Homebrew's, where the compiler had no OpenMP) runs on the calling thread
#else
  in_effect = static_cast<int>(threads);  // TBB or threadpool builds size their pools themselves: not ours to set
#endif
  napi_value result;
  napi_create_int32(env, in_effect, &result);
  return result;
}

// The oneDNN version the addon was compiled against, e.g. "3.5.3".
napi_value DnnlVersion(napi_env env, napi_callback_info) {
  const std::string version = std::to_string(DNNL_VERSION_MAJOR) + "." + std::to_string(DNNL_VERSION_MINOR) + "." + std::to_string(DNNL_VERSION_PATCH);
  napi_value result;
  napi_create_string_utf8(env, version.c_str(), version.size(), &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormInference", nullptr, BatchNormInference, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseBackpropInput", nullptr, DepthwiseBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"columnSum", nullptr, ColumnSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropout", nullptr, Dropout, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumInto", nullptr, SumInto, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dnnlVersion", nullptr, DnnlVersion, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
