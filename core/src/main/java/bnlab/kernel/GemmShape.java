package bnlab.kernel;

/**
 * The shape and memory layout of one matrix product C = beta·C + Σ_{t &lt; batch} op(A_t)·op(B_t),
 * described once (when a layer or a convolution plan is set up) and then executed many times with
 * different arrays and offsets: {@link GemmKernels#gemm}.
 *
 * <p>op(A) is (m, k), op(B) is (k, n), C is (m, n), all row-major. A is stored (m, k) with leading
 * dimension {@code lda >= k}, or (k, m) with {@code lda >= m} when {@code transA}; likewise B is
 * (k, n) or, when {@code transB}, (n, k); C has {@code ldc >= n}. With {@code batch > 1} the pairs
 * A_t, B_t start {@code aStride}, {@code bStride} floats after A_0, B_0 and their products are
 * summed into the one C (a convolution's weight gradient over the images of a batch).
 *
 * @param transA whether A is stored transposed, (k, m)
 * @param transB whether B is stored transposed, (n, k)
 * @param m rows of C
 * @param n columns of C
 * @param k length of each dot product
 * @param lda leading dimension of A (the stride between its stored rows)
 * @param ldb leading dimension of B
 * @param ldc leading dimension of C
 * @param batch number of operand pairs summed into C (at least 1)
 * @param aStride floats from A_t to A_{t+1}
 * @param bStride floats from B_t to B_{t+1}
 */
public record GemmShape(
    boolean transA,
    boolean transB,
    int m,
    int n,
    int k,
    int lda,
    int ldb,
    int ldc,
    int batch,
    int aStride,
    int bStride) {

  /** Checks the sizes once, so that executing the product needs no checks. */
  public GemmShape {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
    }
    if (lda < Math.max(1, transA ? m : k)
        || ldb < Math.max(1, transB ? k : n)
        || ldc < Math.max(1, n)) {
      throw new IllegalArgumentException(
          "gemm: leading dimension too small: lda=" + lda + " ldb=" + ldb + " ldc=" + ldc);
    }
    if (batch < 1 || aStride < 0 || bStride < 0) {
      throw new IllegalArgumentException(
          "gemm: need batch >= 1 and strides >= 0, got batch="
              + batch
              + " aStride="
              + aStride
              + " bStride="
              + bStride);
    }
  }

  /** One product of densely stored operands (each leading dimension is its row length). */
  public static GemmShape of(boolean transA, boolean transB, int m, int n, int k) {
    return new GemmShape(transA, transB, m, n, k, transA ? m : k, transB ? k : n, n, 1, 0, 0);
  }

  /** This product with the given leading dimensions. */
  public GemmShape withLeadingDims(int lda, int ldb, int ldc) {
    return new GemmShape(transA, transB, m, n, k, lda, ldb, ldc, batch, aStride, bStride);
  }

  /** This product summed over {@code batch} operand pairs spaced by the given strides. */
  public GemmShape batched(int batch, int aStride, int bStride) {
    return new GemmShape(transA, transB, m, n, k, lda, ldb, ldc, batch, aStride, bStride);
  }

  /** Multiply-adds of one execution, m·n·k·batch. */
  public long work() {
    return (long) m * n * k * batch;
  }
}
