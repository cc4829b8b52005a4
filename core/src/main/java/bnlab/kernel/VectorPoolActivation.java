package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector twins of {@link ScalarPoolActivation}: a branch-free ReLU (the branchy scalar loop
 * mispredicts on the random signs of activations), the residual addition (alone or with the ReLU
 * after it) and {@link VectorPool}'s 2×2 max pooling, all split across the kernel threads when
 * there is enough to do. Bit-identical to the scalar twin.
 */
final class VectorPoolActivation implements PoolActivationKernels {
  /**
   * Below this many elements a pass is not worth a hand-off to the pool. At batch 10 the article's
   * network has 47K activations after its first convolution: split, they measured faster (the
   * pool's worker spins between a step's jobs, so a hand-off costs about a microsecond).
   */
  static final long PARALLEL_MIN = 1L << 14;

  private static final int CHUNKS = 8;

  private final ThreadLocal<PoolJob> poolJobs = ThreadLocal.withInitial(PoolJob::new);
  private final ThreadLocal<PassJobs> passJobs = ThreadLocal.withInitial(PassJobs::new);

  /** A compare mask x ≤ 0 (false for NaN, true for −0) selects the lanes that become +0. */
  @Override
  public void relu(float[] x, float[] y, int n) {
    pass(passJobs.get().relu, x, null, y, n);
  }

  @Override
  public void reluInPlace(float[] y, int from, int to) {
    relu(y, y, from, to);
  }

  @Override
  public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    pass(passJobs.get().reluBackward, y, dy, dx, n);
  }

  @Override
  public void add(float[] a, float[] b, float[] out, int n) {
    pass(passJobs.get().add, a, b, out, n);
  }

  @Override
  public void addRelu(float[] a, float[] b, float[] y, int n) {
    pass(passJobs.get().addRelu, a, b, y, n);
  }

  // One element-wise pass, split across the pool when there is enough to do.
  private static void pass(PassJob job, float[] a, float[] b, float[] out, int n) {
    job.set(a, b, out, n);
    try {
      if (n < PARALLEL_MIN || Parallel.threads() == 1) {
        job.range(0, n);
      } else {
        Parallel.forEach(CHUNKS, job);
      }
    } finally {
      job.set(null, null, null, 0);
    }
  }

  private static void add(float[] a, float[] b, float[] out, int from, int to) {
    int i = from;
    for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
      FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = a[i] + b[i];
    }
  }

  // The sum rounded to float, then relu's mask: the bits of add and relu as two passes.
  private static void addRelu(float[] a, float[] b, float[] y, int from, int to) {
    FloatVector zero = FloatVector.zero(S);
    int i = from;
    for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i));
      v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
    }
    for (; i < to; i++) {
      y[i] = ReluMask.relu(a[i] + b[i]);
    }
  }

  // Elements [from, to): whole vectors, then the tail one by one (the same result either way).
  private static void relu(float[] x, float[] y, int from, int to) {
    FloatVector zero = FloatVector.zero(S);
    int i = from;
    for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
    }
    for (; i < to; i++) {
      y[i] = ReluMask.relu(x[i]);
    }
  }

  private static void reluBackward(float[] y, float[] dy, float[] dx, int from, int to) {
    FloatVector zero = FloatVector.zero(S);
    int i = from;
    for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, y, i);
      FloatVector g = FloatVector.fromArray(S, dy, i);
      zero.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
    }
    for (; i < to; i++) {
      dx[i] = ReluMask.pass(y[i], dy[i]);
    }
  }

  /**
   * One element-wise pass in {@link #CHUNKS} ranges. Each operation has a class of its own, so that
   * its loop is compiled with its own profile: behind one switch, an operation first used late in a
   * run (resnet20's residual additions after other models had trained) deoptimized the shared
   * dispatch, which then ran its loops in code that boxed every vector (60 MB per step at 512
   * bits).
   */
  private abstract static class PassJob implements Parallel.Body {
    float[] a;
    float[] b;
    float[] out;
    private int n;

    final void set(float[] a, float[] b, float[] out, int n) {
      this.a = a;
      this.b = b;
      this.out = out;
      this.n = n;
    }

    /** Elements [from, to). */
    abstract void range(int from, int to);

    @Override
    public final void run(int chunk) {
      int vectors = n / L;
      int from = (int) ((long) chunk * vectors / CHUNKS) * L;
      int to = chunk == CHUNKS - 1 ? n : (int) ((long) (chunk + 1) * vectors / CHUNKS) * L;
      range(from, to);
    }
  }

  /** A thread's jobs, one per operation. */
  private static final class PassJobs {
    final PassJob relu =
        new PassJob() {
          @Override
          void range(int from, int to) {
            VectorPoolActivation.relu(a, out, from, to);
          }
        };
    final PassJob reluBackward =
        new PassJob() {
          @Override
          void range(int from, int to) {
            VectorPoolActivation.reluBackward(a, b, out, from, to);
          }
        };
    final PassJob add =
        new PassJob() {
          @Override
          void range(int from, int to) {
            VectorPoolActivation.add(a, b, out, from, to);
          }
        };
    final PassJob addRelu =
        new PassJob() {
          @Override
          void range(int from, int to) {
            VectorPoolActivation.addRelu(a, b, out, from, to);
          }
        };
  }

  @Override
  public void maxPool2x2Planes(float[] x, int p0, int p1, int h, int w, float[] y, int[] argmax) {
    VectorPool.maxPool2x2(x, p0, p1, h, w, y, argmax);
  }

  /**
   * Planes in {@link #CHUNKS} fixed ranges on the pool, as the forward; each window is its own.
   * Rows of fewer windows than a vector go through the general backward's fill and scatter: there
   * every window would take the one-by-one tail (the article's network with 512-bit vectors, whose
   * pooled rows are 14 and 5 wide, trained 1–4% slower that way). Either gives the same bits.
   */
  @Override
  public void maxPool2x2Backward(
      float[] dy, float[] pooled, int[] argmax, int planes, int h, int w, float[] dx) {
    if (w / 2 < VectorGemm.L) {
      maxPoolBackward(dy, pooled, argmax, planes, (h / 2) * (w / 2), h * w, dx);
      return;
    }
    if ((long) planes * h * w < PARALLEL_MIN || Parallel.threads() == 1) {
      VectorPool.maxPool2x2Backward(dy, pooled, argmax, 0, planes, h, w, dx);
      return;
    }
    PoolJob job = poolJobs.get();
    job.setBackward2x2(dy, pooled, argmax, planes, h, w, dx);
    onPool(job);
  }

  /**
   * Splits the planes into {@link #CHUNKS} fixed ranges on the pool when there is enough to do;
   * each output depends on its window only, so the split cannot change a result.
   */
  @Override
  public void maxPool2x2(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
    if ((long) planes * h * w < PARALLEL_MIN || Parallel.threads() == 1) {
      VectorPool.maxPool2x2(x, 0, planes, h, w, y, argmax);
      return;
    }
    PoolJob job = poolJobs.get();
    job.set(x, planes, h, w, y, argmax);
    onPool(job);
  }

  /** Planes split into {@link #CHUNKS} ranges when there is enough to do, as the forward. */
  @Override
  public void maxPoolBackward(
      float[] dy,
      float[] pooled,
      int[] argmax,
      int planes,
      int outPerPlane,
      int inPerPlane,
      float[] dx) {
    if ((long) planes * inPerPlane < PARALLEL_MIN || Parallel.threads() == 1) {
      ScalarPoolActivation.maxPoolBackward(
          dy, pooled, argmax, 0, planes, outPerPlane, inPerPlane, dx);
      return;
    }
    PoolJob job = poolJobs.get();
    job.setBackward(dy, pooled, argmax, planes, outPerPlane, inPerPlane, dx);
    onPool(job);
  }

  // A pooling job's CHUNKS plane ranges on the pool; the job forgets its arrays afterwards.
  private static void onPool(PoolJob job) {
    try {
      Parallel.forEach(CHUNKS, job);
    } finally {
      job.set(null, 0, 0, 0, null, null);
    }
  }

  private static final class PoolJob implements Parallel.Body {
    private boolean backward;
    private boolean backward2x2;
    private float[] x;
    private float[] y;
    private float[] pooled;
    private int[] argmax;
    private int planes;
    private int h;
    private int w;

    // Backward: x is dy, y is dx, h and w the outputs and inputs per plane.
    void setBackward(
        float[] dy,
        float[] pooled,
        int[] argmax,
        int planes,
        int outPerPlane,
        int inPerPlane,
        float[] dx) {
      set(dy, planes, outPerPlane, inPerPlane, dx, argmax);
      this.pooled = pooled;
      backward = true;
    }

    // Backward of a 2×2 pool: x is dy, y is dx, h and w the input plane's.
    void setBackward2x2(
        float[] dy, float[] pooled, int[] argmax, int planes, int h, int w, float[] dx) {
      set(dy, planes, h, w, dx, argmax);
      this.pooled = pooled;
      backward2x2 = true;
    }

    void set(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
      backward = false;
      backward2x2 = false;
      pooled = null;
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
      if (backward2x2) {
        VectorPool.maxPool2x2Backward(x, pooled, argmax, p0, p1, h, w, y);
      } else if (backward) {
        ScalarPoolActivation.maxPoolBackward(x, pooled, argmax, p0, p1, h, w, y);
      } else {
        VectorPool.maxPool2x2(x, p0, p1, h, w, y, argmax);
      }
    }
  }
}
