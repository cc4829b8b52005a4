package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API twin of {@link ScalarKernels}: a register-blocked GEMM ({@link VectorGemm}) that
 * splits large products across the {@link Parallel} pool; convolutions over the batch, direct
 * ({@link VectorDirectConv}) for the small stride-1 layers where that measured faster, else im2col
 * + GEMM with im2col/col2im moving whole contiguous runs; 2×2 max pooling ({@link VectorPool}) and
 * a branch-free ReLU.
 *
 * <p>A product is split into a fixed number of row (or column) blocks whatever the thread count;
 * every C element is computed by the same operations in any block, so results are bit-identical for
 * 1 and N threads.
 */
final class VectorKernels implements Kernels {
  /** Below this many multiply-adds a hand-off to the pool costs more than it saves. */
  static final long PARALLEL_MIN = 1L << 18;

  /** Below this many elements an element-wise pass is not worth a hand-off to the pool. */
  static final long ELEMENTWISE_PARALLEL_MIN = 1L << 16;

  private static final int CHUNKS = 8;
  private static final int L = VectorGemm.L;

  private final ScalarKernels scalar = new ScalarKernels();
  private final ThreadLocal<GemmJob> jobs = ThreadLocal.withInitial(GemmJob::new);
  private final ThreadLocal<PoolJob> poolJobs = ThreadLocal.withInitial(PoolJob::new);
  private final ThreadLocal<ConvJob> convJobs = ThreadLocal.withInitial(() -> new ConvJob(this));

  @Override
  public String name() {
    return "vector-" + VectorGemm.S.vectorBitSize() + "bit";
  }

  // op(A) (m,k), op(B) (k,n) -> C (m,n)
  @Override
  public void sgemm(
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
    ScalarKernels.checkGemm(transA, transB, m, n, k, lda, ldb, ldc);
    if ((long) m * n * k < PARALLEL_MIN || Parallel.threads() == 1) {
      VectorGemm.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    GemmJob job = jobs.get();
    job.set(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    try {
      Parallel.forEach(CHUNKS, job);
    } finally {
      job.clear();
    }
  }

  @Override
  public void convForward(
      ConvGeometry g, int n, float[] x, float[] weight, float[] col, float[] y) {
    convForward(g, n, x, weight, null, col, y);
  }

  /**
   * The images are split into {@link ConvJob#chunks} fixed chunks (a function of n only) that run
   * on the pool; each image is computed by the same single-threaded kernels in any chunk, directly
   * (see {@link VectorDirectConv#applies}) or as im2col + GEMM, and gets its bias while in cache.
   */
  @Override
  public void convForward(
      ConvGeometry g, int n, float[] x, float[] weight, float[] bias, float[] col, float[] y) {
    ConvJob job = convJobs.get();
    job.forward(g, n, x, weight, bias, VectorDirectConv.applies(g) ? null : col, y);
    run(job, (long) n * g.outChannels() * g.crs() * g.pq());
  }

  @Override
  public boolean usesCol(ConvGeometry g) {
    return !VectorDirectConv.applies(g);
  }

  /**
   * As {@link #convForward}; the weight gradient is summed per chunk into a scratch partial, and
   * the partials are added to dWeight in chunk order, so the sum does not depend on the threads.
   */
  @Override
  public void convBackward(
      ConvGeometry g,
      int n,
      float[] dy,
      float[] x,
      float[] weight,
      float[] col,
      float[] dWeight,
      float[] dCol,
      float[] dx) {
    ConvJob job = convJobs.get();
    // dCol is not needed: each chunk keeps one image's dCol in its own cache-sized scratch.
    // Direct forward passes wrote no im2col matrices: whatever col holds is not theirs.
    job.backward(g, n, dy, x, weight, VectorDirectConv.applies(g) ? null : col, dx);
    run(job, 2L * n * g.outChannels() * g.crs() * g.pq());
    int size = g.outChannels() * g.crs();
    boolean packed = job.packed;
    for (int c = 0; c < job.chunks; c++) {
      if (packed) {
        addTransposed(job.parts, c * size, g.crs(), g.outChannels(), dWeight);
      } else {
        addInto(job.parts, c * size, dWeight, 0, size);
      }
    }
  }

  /** dst (cols, rows) += transpose of src (rows, cols) at s. */
  private static void addTransposed(float[] src, int s, int rows, int cols, float[] dst) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] += src[s + r * cols + c];
      }
    }
  }

  private static void run(ConvJob job, long work) {
    try {
      if (work < PARALLEL_MIN || Parallel.threads() == 1) {
        for (int c = 0; c < job.chunks; c++) {
          job.run(c);
        }
      } else {
        Parallel.forEach(job.chunks, job);
      }
    } finally {
      job.clear();
    }
  }

  /** A batched convolution's arguments and weight-gradient partials, reused per calling thread. */
  private static final class ConvJob implements Parallel.Body {
    /** Chunks of the batch; fixed so that results are the same for any thread count. */
    static final int MAX_CHUNKS = 8;

    private final VectorKernels k;
    private boolean backward;
    private ConvGeometry g;
    private int n;
    int chunks;
    private float[] x;
    private float[] w;
    private float[] col;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] bias;
    float[] parts = new float[0];

    /** Whether this call convolves directly (no im2col); see {@link VectorDirectConv}. */
    private boolean direct;

    private VectorDirectConv.Plan plan;

    /** The plans of the geometries this thread convolves (every layer of a model shares them). */
    private final VectorDirectConv.Plans plans = new VectorDirectConv.Plans();

    /** The input gradient's convolution (see VectorDirectConv.inputGradient) and its weight. */
    private VectorDirectConv.Plan gradPlan;

    /** The plan gradPlan belongs to. */
    private VectorDirectConv.Plan gradFor;

    private float[] flipped = new float[0];

    /** Whether the direct convolution runs on zero-padded copies of the images (padding > 0). */
    private boolean padIn;

    /** Per chunk: zero-padded copies of the chunk's images (padded convolutions only). */
    private final float[][] padded = new float[MAX_CHUNKS][0];

    /** Per chunk: the gradient of one padded image before its edges are cropped. */
    private final float[][] dxPadded = new float[MAX_CHUNKS][0];

    /** Per chunk: one image's zero-padded dY, the input of the input gradient's convolution. */
    private final float[][] dyPads = new float[MAX_CHUNKS][0];

    /** Per chunk: one image's wide output, or its images' wide dY rows (backward). */
    private final float[][] wide = new float[MAX_CHUNKS][0];

    /** Per chunk: zero-padded copies of images at the very end of x. */
    private final float[][] pads = new float[MAX_CHUNKS][0];

    /** Whether this backward computes the weight gradient transposed (see packedWeightGrad). */
    boolean packed;

    /** One image's dCol per chunk: small enough to stay in cache between the GEMM and col2im. */
    private float[] dColChunks = new float[0];

    /** One image's im2col matrix per chunk, when the caller does not keep them (inference). */
    private float[] colChunks = new float[0];

    /** One image's dYᵀ (P·Q, K) per chunk, for the packed weight gradient. */
    private float[] dyT = new float[0];

    ConvJob(VectorKernels k) {
      this.k = k;
    }

    void forward(
        ConvGeometry g, int n, float[] x, float[] w, float[] bias, float[] col, float[] y) {
      set(false, g, n);
      this.direct = VectorDirectConv.applies(g);
      if (direct) {
        directScratch(1);
      } else if (col == null) {
        scratch();
      }
      this.x = x;
      this.w = w;
      this.bias = bias;
      this.col = col;
      this.y = y;
    }

    // The flipped weight and per-chunk room for the direct input gradient.
    private void gradientScratch(float[] w) {
      if (gradFor != plan) {
        gradPlan = plans.get(VectorDirectConv.inputGradient(plan.g));
        gradFor = plan;
      }
      flipped = atLeast(flipped, w.length);
      VectorDirectConv.flipWeight(g, w, flipped);
      for (int c = 0; c < chunks; c++) {
        if (padIn) {
          dxPadded[c] = atLeast(dxPadded[c], plan.g.inSize());
        }
        dyPads[c] = atLeast(dyPads[c], gradPlan.reach);
        wide[c] = atLeast(wide[c], gradPlan.wideSize());
        pads[c] = atLeast(pads[c], gradPlan.reach);
      }
    }

    // Direct-convolution scratch for up to `images` images per chunk.
    private void directScratch(int images) {
      plan = plans.get(VectorDirectConv.unpadded(g));
      padIn = g.padH() > 0 || g.padW() > 0;
      for (int c = 0; c < chunks; c++) {
        if (padIn) {
          // Copies of the images, plus a wide row of slack so no read runs off the end.
          padded[c] = atLeast(padded[c], images * plan.g.inSize() + plan.reach);
        }
        wide[c] = atLeast(wide[c], images * Math.max(plan.wideSize(), plan.dyWideSize()));
        pads[c] = atLeast(pads[c], images * plan.reach);
      }
    }

    /** a if it holds n floats, else a new array that does (scratch grows once, then is reused). */
    private static float[] atLeast(float[] a, int n) {
      return a.length >= n ? a : new float[n];
    }

    void backward(
        ConvGeometry g, int n, float[] dy, float[] x, float[] w, float[] col, float[] dx) {
      set(true, g, n);
      this.direct = VectorDirectConv.applies(g);
      if (direct) {
        directScratch((n + chunks - 1) / chunks);
        if (dx != null) {
          gradientScratch(w);
        }
      }
      this.packed = !direct && packedWeightGrad(g, (n + chunks - 1) / chunks);
      this.x = x;
      this.dy = dy;
      this.w = w;
      this.col = col;
      this.dx = dx;
      int size = chunks * g.outChannels() * g.crs();
      if (parts.length < size) {
        parts = new float[size];
      }
      scratch();
    }

    /** Per-chunk room for one image's im2col matrix (the same buffer serves as dCol). */
    private void scratch() {
      int cols = chunks * g.crs() * g.pq();
      if (dColChunks.length < cols) {
        dColChunks = new float[cols];
        colChunks = new float[cols];
      }
      int dys = chunks * g.outChannels() * g.pq();
      if (backward && dyT.length < dys) {
        dyT = new float[dys];
      }
    }

    private void set(boolean backward, ConvGeometry g, int n) {
      this.backward = backward;
      this.g = g;
      this.n = n;
      this.chunks = Math.min(n, MAX_CHUNKS);
    }

    void clear() {
      x = w = col = y = dy = dx = bias = null;
    }

    @Override
    public void run(int chunk) {
      int t0 = (int) ((long) chunk * n / chunks);
      int t1 = (int) ((long) (chunk + 1) * n / chunks);
      int crs = g.crs();
      int pq = g.pq();
      int kk = g.outChannels();
      int sOff = chunk * crs * pq;
      if (!backward) {
        for (int t = t0; t < t1; t++) {
          if (direct) {
            float[] src = x;
            int off = t * g.inSize();
            if (padIn) {
              VectorDirectConv.padImage(g, x, off, padded[chunk], 0);
              src = padded[chunk];
              off = 0;
            }
            VectorDirectConv.forward(
                plan, src, off, w, bias, y, t * kk * pq, wide[chunk], pads[chunk]);
            continue;
          }
          float[] cs = col != null ? col : colChunks;
          int cOff = col != null ? t * crs * pq : sOff;
          im2col(t, cs, cOff);
          VectorGemm.sgemm(
              false, false, kk, pq, crs, w, 0, crs, cs, cOff, pq, 0f, y, t * kk * pq, pq);
          if (bias != null) {
            for (int k = 0; k < kk; k++) {
              addScalar(y, (t * kk + k) * pq, pq, bias[k]);
            }
          }
        }
        return;
      }
      int pOff = chunk * kk * crs;
      if (direct) {
        float[] src = x;
        int off = t0 * g.inSize();
        int stride = g.inSize();
        if (padIn) {
          stride = plan.g.inSize();
          for (int t = t0; t < t1; t++) {
            VectorDirectConv.padImage(g, x, t * g.inSize(), padded[chunk], (t - t0) * stride);
          }
          src = padded[chunk];
          off = 0;
        }
        VectorDirectConv.weightGrad(
            plan, t0, t1, src, off, stride, dy, wide[chunk], pads[chunk], parts, pOff);
        if (dx != null) {
          for (int t = t0; t < t1; t++) {
            VectorDirectConv.padGradient(plan.g, dy, t, dyPads[chunk]);
            // The gradient of the padded image; its edges (the zeros) are dropped.
            float[] dst = padIn ? dxPadded[chunk] : dx;
            VectorDirectConv.forward(
                gradPlan,
                dyPads[chunk],
                0,
                flipped,
                null,
                dst,
                padIn ? 0 : t * g.inSize(),
                wide[chunk],
                pads[chunk]);
            if (padIn) {
              VectorDirectConv.cropImage(g, dxPadded[chunk], dx, t * g.inSize());
            }
          }
        }
        return;
      }
      if (col != null && !packed) {
        // dW partial of this chunk: Σ_t dY_t · col_tᵀ, one fold per element.
        VectorGemm.sumRange(
            t1 - t0,
            kk * pq,
            crs * pq,
            false,
            true,
            kk,
            crs,
            pq,
            dy,
            t0 * kk * pq,
            pq,
            col,
            t0 * crs * pq,
            pq,
            0f,
            parts,
            pOff,
            crs,
            0,
            kk,
            0,
            crs);
      }
      for (int t = t0; t < t1; t++) {
        float[] cs = col;
        int cOff = t * crs * pq;
        if (col == null) {
          im2col(t, colChunks, sOff);
          cs = colChunks;
          cOff = sOff;
        }
        float beta = t == t0 ? 0f : 1f;
        if (packed) {
          // dW_tᵀ (CRS, K) = col_t · dY_tᵀ: the short P·Q sum becomes the NN kernel's k loop.
          int yOff = chunk * kk * pq;
          transpose(dy, t * kk * pq, kk, pq, dyT, yOff);
          VectorGemm.sgemm(
              false, false, crs, kk, pq, cs, cOff, pq, dyT, yOff, kk, beta, parts, pOff, kk);
        } else if (col == null) {
          VectorGemm.sgemm(
              false, true, kk, crs, pq, dy, t * kk * pq, pq, cs, cOff, pq, beta, parts, pOff, crs);
        }
        if (dx == null) {
          continue;
        }
        VectorGemm.sgemm(
            true, false, crs, pq, kk, w, 0, crs, dy, t * kk * pq, pq, 0f, dColChunks, sOff, pq);
        java.util.Arrays.fill(dx, t * g.inSize(), (t + 1) * g.inSize(), 0f);
        k.col2im(
            dColChunks,
            sOff,
            g.channels(),
            g.height(),
            g.width(),
            g.kernelH(),
            g.kernelW(),
            g.strideH(),
            g.strideW(),
            g.padH(),
            g.padW(),
            dx,
            t * g.inSize());
      }
    }

    /**
     * Whether the weight gradient is computed transposed, image by image, as col·dYᵀ with dYᵀ
     * packed. The NT form sums a chunk's images inside one dot product per element and folds its
     * vector lanes once at the end, which costs more than the products when that sum (images per
     * chunk × P·Q) is short, as for conv2 at batch 10 (measured: 16×150×100 NT 57 µs, the packed NN
     * form 14 µs); the NN form needs K to fill a good part of a vector.
     */
    static boolean packedWeightGrad(ConvGeometry g, int imagesPerChunk) {
      return 2 * g.outChannels() >= L && (long) imagesPerChunk * g.pq() <= 16 * L;
    }

    /** dst (cols, rows) at d = transpose of src (rows, cols) at s. */
    private static void transpose(float[] src, int s, int rows, int cols, float[] dst, int d) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          dst[d + c * rows + r] = src[s + r * cols + c];
        }
      }
    }

    private void im2col(int t, float[] cs, int cOff) {
      k.im2col(
          x,
          t * g.inSize(),
          g.channels(),
          g.height(),
          g.width(),
          g.kernelH(),
          g.kernelW(),
          g.strideH(),
          g.strideW(),
          g.padH(),
          g.padW(),
          cs,
          cOff);
    }
  }

  /** One product's arguments, reused per calling thread so a parallel product allocates nothing. */
  private static final class GemmJob implements Parallel.Body {
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] b;
    private int bOff;
    private int ldb;
    private float beta;
    private float[] c;
    private int cOff;
    private int ldc;

    void set(
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
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.beta = beta;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
    }

    void clear() {
      a = null;
      b = null;
      c = null;
    }

    // Rows when there are enough for every chunk to get a 4-row block, else columns.
    @Override
    public void run(int chunk) {
      if (m >= 4 * CHUNKS) {
        int step = (m + CHUNKS - 1) / CHUNKS + 3 & ~3;
        int i0 = Math.min(m, chunk * step);
        VectorGemm.sgemmRange(
            transA,
            transB,
            m,
            n,
            k,
            a,
            aOff,
            lda,
            b,
            bOff,
            ldb,
            beta,
            c,
            cOff,
            ldc,
            i0,
            Math.min(m, i0 + step),
            0,
            n);
      } else {
        int step = ((n + CHUNKS - 1) / CHUNKS + L - 1) / L * L;
        int j0 = Math.min(n, chunk * step);
        VectorGemm.sgemmRange(
            transA,
            transB,
            m,
            n,
            k,
            a,
            aOff,
            lda,
            b,
            bOff,
            ldb,
            beta,
            c,
            cOff,
            ldc,
            0,
            m,
            j0,
            Math.min(n, j0 + step));
      }
    }
  }

  /**
   * Splits the planes into {@link #CHUNKS} fixed ranges on the pool when there is enough to do;
   * each output depends on its window only, so the split cannot change a result.
   */
  @Override
  public void maxPool2x2(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
    if ((long) planes * h * w < ELEMENTWISE_PARALLEL_MIN || Parallel.threads() == 1) {
      VectorPool.maxPool2x2(x, 0, planes, h, w, y, argmax);
      return;
    }
    PoolJob job = poolJobs.get();
    job.set(x, planes, h, w, y, argmax);
    try {
      Parallel.forEach(CHUNKS, job);
    } finally {
      job.set(null, 0, 0, 0, null, null);
    }
  }

  private static final class PoolJob implements Parallel.Body {
    private float[] x;
    private float[] y;
    private int[] argmax;
    private int planes;
    private int h;
    private int w;

    void set(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
      this.x = x;
      this.planes = planes;
      this.h = h;
      this.w = w;
      this.y = y;
      this.argmax = argmax;
    }

    @Override
    public void run(int chunk) {
      int p0 = (int) ((long) chunk * planes / CHUNKS);
      int p1 = (int) ((long) (chunk + 1) * planes / CHUNKS);
      VectorPool.maxPool2x2(x, p0, p1, h, w, y, argmax);
    }
  }

  // x (C,H,W) -> col (C*R*S, P*Q); each (c, r, s, p) row segment is one copy plus zero edges.
  @Override
  public void im2col(
      float[] x,
      int xOff,
      int channels,
      int height,
      int width,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      float[] col,
      int colOff) {
    if (strideW != 1) {
      scalar.im2col(
          x, xOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, col,
          colOff);
      return;
    }
    int outH = Kernels.outSize(height, kernelH, strideH, padH);
    int outW = Kernels.outSize(width, kernelW, 1, padW);
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          int q0 = Math.max(0, padW - s);
          int q1 = Math.min(outW, width + padW - s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * strideH - padH + r;
            if (ih < 0 || ih >= height || q0 >= q1) {
              java.util.Arrays.fill(col, idx, idx + outW, 0f);
              continue;
            }
            java.util.Arrays.fill(col, idx, idx + q0, 0f);
            System.arraycopy(
                x, xOff + (c * height + ih) * width + q0 - padW + s, col, idx + q0, q1 - q0);
            java.util.Arrays.fill(col, idx + q1, idx + outW, 0f);
          }
        }
      }
    }
  }

  // col (C*R*S, P*Q) -> dX (C,H,W), accumulated; runs of P*Q added with vectors.
  @Override
  public void col2im(
      float[] col,
      int colOff,
      int channels,
      int height,
      int width,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      float[] dx,
      int xOff) {
    if (strideW != 1) {
      scalar.col2im(
          col, colOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dx,
          xOff);
      return;
    }
    int outH = Kernels.outSize(height, kernelH, strideH, padH);
    int outW = Kernels.outSize(width, kernelW, 1, padW);
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          int q0 = Math.max(0, padW - s);
          int q1 = Math.min(outW, width + padW - s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * strideH - padH + r;
            if (ih >= 0 && ih < height && q0 < q1) {
              addInto(col, idx + q0, dx, xOff + (c * height + ih) * width + q0 - padW + s, q1 - q0);
            }
          }
        }
      }
    }
  }

  /**
   * As the scalar twin, branch-free: a compare mask selects x where x &gt; 0 (false for NaN and −0,
   * which give +0). The branchy scalar loop mispredicts on the random signs of activations.
   */
  @Override
  public void relu(float[] x, float[] y, int n) {
    FloatVector zero = FloatVector.zero(VectorGemm.S);
    int i = 0;
    for (int bound = VectorGemm.S.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(VectorGemm.S, x, i);
      zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
    }
    for (; i < n; i++) {
      y[i] = x[i] > 0f ? x[i] : 0f;
    }
  }

  /** As the scalar twin, branch-free (see {@link #relu}). */
  @Override
  public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    FloatVector zero = FloatVector.zero(VectorGemm.S);
    int i = 0;
    for (int bound = VectorGemm.S.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(VectorGemm.S, y, i);
      FloatVector g = FloatVector.fromArray(VectorGemm.S, dy, i);
      zero.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
    }
    for (; i < n; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
  }

  /** y[o..o+len) += b. */
  static void addScalar(float[] y, int o, int len, float b) {
    FloatVector bv = FloatVector.broadcast(VectorGemm.S, b);
    int i = 0;
    for (int bound = VectorGemm.S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(VectorGemm.S, y, o + i).add(bv).intoArray(y, o + i);
    }
    for (; i < len; i++) {
      y[o + i] += b;
    }
  }

  /** dst[d..d+len) += src[s..s+len). */
  static void addInto(float[] src, int s, float[] dst, int d, int len) {
    int i = 0;
    for (int bound = VectorGemm.S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(VectorGemm.S, dst, d + i)
          .add(FloatVector.fromArray(VectorGemm.S, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }
}
