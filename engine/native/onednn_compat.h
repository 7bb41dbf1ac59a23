// The only oneDNN-version-specific code of the addon: how a convolution's primitive descriptors and its ReLU
// post-op are built. oneDNN 3.0 removed the operation descriptors (convolution_forward::desc and friends):
// primitive descriptors take the engine and the memory descriptors directly, and eltwise post-ops lost their
// scale argument. Included once, by dnnl_kernels.cc.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#if !defined(DNNL_VERSION_MAJOR) || DNNL_VERSION_MAJOR < 2
#error "the addon needs oneDNN 2.x or 3.x"
#endif

namespace {

using namespace dnnl;

struct ConvDescs {
  memory::desc src, weights, bias, dst;  // weights: format_tag::any, so oneDNN picks its layout
  bool with_bias;
  memory::dims strides, dilations, pad_l, pad_r;
  algorithm alg;  // convolution_direct, or convolution_winograd (oneDNN 2.x on AVX-512; 3.x throws unimplemented)
};

post_ops relu_post_op() {
  post_ops ops;
#if DNNL_VERSION_MAJOR >= 3
  ops.append_eltwise(algorithm::eltwise_relu, 0.f, 0.f);
#else
  ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
#endif
  return ops;
}

convolution_forward::primitive_desc forward_pd(const engine& eng, const ConvDescs& d, const primitive_attr& attr) {
  const auto prop = prop_kind::forward_training;
  const auto alg = d.alg;
#if DNNL_VERSION_MAJOR >= 3
  return d.with_bias ? convolution_forward::primitive_desc(eng, prop, alg, d.src, d.weights, d.bias, d.dst, d.strides, d.dilations,
                                                           d.pad_l, d.pad_r, attr)
                     : convolution_forward::primitive_desc(eng, prop, alg, d.src, d.weights, d.dst, d.strides, d.dilations, d.pad_l,
                                                           d.pad_r, attr);
#else
  auto desc = d.with_bias ? convolution_forward::desc(prop, alg, d.src, d.weights, d.bias, d.dst, d.strides, d.dilations, d.pad_l, d.pad_r)
                          : convolution_forward::desc(prop, alg, d.src, d.weights, d.dst, d.strides, d.dilations, d.pad_l, d.pad_r);
  return convolution_forward::primitive_desc(desc, attr, eng);
#endif
}

convolution_backward_data::primitive_desc backward_data_pd(const engine& eng, const ConvDescs& d,
                                                           const convolution_forward::primitive_desc& hint) {
#if DNNL_VERSION_MAJOR >= 3
  return convolution_backward_data::primitive_desc(eng, d.alg, d.src, d.weights, d.dst, d.strides, d.dilations,
                                                   d.pad_l, d.pad_r, hint);
#else
  convolution_backward_data::desc desc(d.alg, d.src, d.weights, d.dst, d.strides, d.dilations, d.pad_l, d.pad_r);
  return convolution_backward_data::primitive_desc(desc, eng, hint);
#endif
}

convolution_backward_weights::primitive_desc backward_weights_pd(const engine& eng, const ConvDescs& d,
                                                                 const convolution_forward::primitive_desc& hint) {
#if DNNL_VERSION_MAJOR >= 3
  return convolution_backward_weights::primitive_desc(eng, d.alg, d.src, d.weights, d.dst, d.strides,
                                                      d.dilations, d.pad_l, d.pad_r, hint);
#else
  convolution_backward_weights::desc desc(d.alg, d.src, d.weights, d.dst, d.strides, d.dilations, d.pad_l,
                                          d.pad_r);
  return convolution_backward_weights::primitive_desc(desc, eng, hint);
#endif
}

}  // namespace
