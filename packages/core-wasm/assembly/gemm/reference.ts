// Scalar reference GEMM: C = α·op(A)·op(B) + β·C, row-major, strides in elements.
// The oracle every fast path is tested against and the fallback for tiny shapes.
// NOTE: with β = 0 C is overwritten and never read (it may hold NaN), as BLAS specifies.

export function sgemmReference(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) {
        const av = load<f32>(a + (<usize>(transA ? p * lda + i : i * lda + p) << 2));
        const bv = load<f32>(b + (<usize>(transB ? j * ldb + p : p * ldb + j) << 2));
        acc += av * bv;
      }
      const cp = c + (<usize>(i * ldc + j) << 2);
      store<f32>(cp, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(cp));
    }
  }
}
