package bnlab.kernel;

/**
 * Dense single-precision matrix products, the concern behind {@code Linear}, the channels-last
 * convolution and the im2col convolutions: {@link KernelProvider#gemm()}.
 *
 * <p>The scalar implementation is the naive triple loop; the Vector API one is register-blocked and
 * splits large products across the kernel threads. They agree up to float rounding (the vector
 * kernels fuse multiply-adds and sum in another order); every C element is computed the same way
 * whatever the thread count, so results are bit-identical for 1 and N threads.
 */
public interface GemmKernels {
  /**
   * C = beta·C + Σ_t op(A_t)·op(B_t) with the layout of {@code s}: A_0 at {@code a[aOff]}, B_0 at
   * {@code b[bOff]}, C at {@code c[cOff]}. With {@code beta == 0} C is overwritten and its old
   * contents (even NaN) are ignored, as in BLAS.
   */
  void gemm(GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff);

  /**
   * BLAS' {@code sgemm} argument list: C = op(A)·op(B) + beta·C. Builds a {@link GemmShape} per
   * call (a small allocation), so per-step code holds its shapes and calls {@link #gemm} instead.
   */
  default void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    gemm(
        GemmShape.of(transA, transB, m, n, k).withLeadingDims(lda, ldb, ldc),
        a,
        aOff,
        b,
        bOff,
        beta,
        c,
        cOff);
  }
}
