// Weight quantization in tfjs's own weights-manifest format: per-tensor affine uint8 (value = q * scale + min)
// and IEEE float16, the two encodings tf.io.decodeWeights (and so tf.loadLayersModel, in Node and the
// browser) dequantizes by itself. Pure: the exporter writes what this returns; nothing here reads files.

import type * as TF from "@tensorflow/tfjs";

export const QUANTIZE_DTYPES = ["uint8", "float16", "none"] as const;
export type QuantizeDtype = (typeof QUANTIZE_DTYPES)[number];

/** A weight as plain data, in the order model.json's manifest lists it. */
export interface NamedWeight {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  values: Float32Array | Int32Array;
}

export interface AffineUint8 {
  /** One code per value: value ≈ code * scale + min. */
  codes: Uint8Array;
  scale: number;
  min: number;
}

/**
 * Maps [min, max] of `values` onto 0..255, so each value is off by at most scale / 2 after dequantization.
 * The range is not nudged to make 0 exact (as TensorFlow's converter does): that can cost a full step at
 * the range's ends, and these weights have no structural zeros to protect.
 */
export function quantizeUint8(values: ArrayLike<number>): AffineUint8 {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`quantizeUint8: value ${i} is ${v}, expected a finite number`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) return {codes: new Uint8Array(0), scale: 0, min: 0};
  const scale = (max - min) / 255;
  const codes = new Uint8Array(values.length);
  if (scale > 0) {
    for (let i = 0; i < values.length; i++) codes[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  }
  return {codes, scale, min};
}

/** The float32 values tfjs's decoder gives back for affine uint8 codes. */
export function dequantizeUint8({codes, scale, min}: AffineUint8): Float32Array {
  const values = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = codes[i] * scale + min;
  return values;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half-precision bits of one number, rounded to nearest even (overflow gives ±Infinity). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: the value in units of 2^-24, from the float's full 24-bit significand.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa rounds up into the exponent, which is what the bit pattern should do.
  let half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return half;
}

export function quantizeFloat16(values: ArrayLike<number>): Uint16Array {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = float16Bits(values[i]);
  return bits;
}

/** The number a half-precision bit pattern stands for. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export interface EncodeWeightsOptions {
  dtype: QuantizeDtype;
  /**
   * Float32 weights with fewer values stay float32: BatchNorm parameters and moving statistics, biases and
   * the first convolution are a few KB in all, and every step of error there shifts a whole channel.
   */
  minElements?: number;
}

/** Weights below this many values stay float32 unless told otherwise (fer-lite's largest BN vector is 192). */
export const DEFAULT_MIN_ELEMENTS = 1024;

/** Whether `encodeWeights` stores this weight quantized. */
export function isQuantized(weight: Pick<NamedWeight, "dtype" | "values">, {dtype, minElements = DEFAULT_MIN_ELEMENTS}: EncodeWeightsOptions): boolean {
  return dtype !== "none" && weight.dtype === "float32" && weight.values.length >= minElements;
}

/**
 * One weight shard and its manifest entries: quantized weights carry `quantization` ({dtype: "uint8",
 * scale, min} or {dtype: "float16"}) and keep `dtype: "float32"`, the dtype tfjs restores them to.
 */
export function encodeWeights(weights: NamedWeight[], options: EncodeWeightsOptions): {specs: TF.io.WeightsManifestEntry[]; data: Uint8Array} {
  const specs: TF.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const weight of weights) {
    const size = weight.shape.reduce((a, b) => a * b, 1);
    if (size !== weight.values.length) {
      throw new Error(`weight ${weight.name} has ${weight.values.length} values, expected ${size} for shape [${weight.shape.join(", ")}]`);
    }
    const spec: TF.io.WeightsManifestEntry = {name: weight.name, shape: weight.shape, dtype: weight.dtype};
    if (!isQuantized(weight, options)) {
      parts.push(new Uint8Array(weight.values.buffer, weight.values.byteOffset, weight.values.byteLength));
    } else if (options.dtype === "uint8") {
      const {codes, scale, min} = quantizeUint8(weight.values);
      spec.quantization = {dtype: "uint8", scale, min};
      parts.push(codes);
    } else {
      const bits = quantizeFloat16(weight.values);
      spec.quantization = {dtype: "float16"};
      parts.push(new Uint8Array(bits.buffer));
    }
    specs.push(spec);
  }
  const data = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.byteLength;
  }
  return {specs, data};
}

const STORED_BYTES: Record<string, number> = {float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1};

/** Bytes a manifest entry takes in its shard. */
export function storedBytes(spec: TF.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = STORED_BYTES[dtype];
  if (bytes === undefined) throw new Error(`weight ${spec.name} is stored as ${dtype}, expected one of ${Object.keys(STORED_BYTES).join(", ")}`);
  return spec.shape.reduce((a, b) => a * b, 1) * bytes;
}

/**
 * What the weights are stored as, in one word: the quantization dtype when any weight is quantized (the
 * few small float32 ones left beside it do not change the name), else the plain dtype.
 */
export function storedDtype(specs: TF.io.WeightsManifestEntry[]): string {
  const quantized = [...new Set(specs.flatMap((spec) => (spec.quantization ? [spec.quantization.dtype] : [])))];
  if (quantized.length) return quantized.sort().join("+");
  return [...new Set(specs.map((spec) => spec.dtype))].sort().join("+") || "float32";
}
