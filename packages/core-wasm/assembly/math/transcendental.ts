// Transcendentals for the kernels: SIMD (f32x4) versions and scalar twins.
// PLACEHOLDER implementations (lane-wise libm); the vectorised algorithms replace them.

export function expS(x: f32): f32 {
  return Mathf.exp(x);
}

export function sigmoidS(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

export function tanhS(x: f32): f32 {
  return Mathf.tanh(x);
}

// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  let r = f32x4.splat(expS(f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, expS(f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, expS(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(r, 3, expS(f32x4.extract_lane(x, 3)));
}

// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  let r = f32x4.splat(sigmoidS(f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, sigmoidS(f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, sigmoidS(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(r, 3, sigmoidS(f32x4.extract_lane(x, 3)));
}

// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  let r = f32x4.splat(tanhS(f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, tanhS(f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, tanhS(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(r, 3, tanhS(f32x4.extract_lane(x, 3)));
}
