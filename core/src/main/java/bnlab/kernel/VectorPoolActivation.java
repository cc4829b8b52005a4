package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector twins of {@link ScalarPoolActivation}: a branch-free ReLU (the branchy scalar loop
 * mispredicts on the random signs of activations) and {@link VectorPool}'s 2×2 max pooling, split
 * across the kernel threads when there is enough to do. Bit-identical to the scalar twin.
 */
final class VectorPoolActivation implements PoolActivationKernels {
  /** Below this many elements a pass is not worth a hand-off to the pool. */
  static final long PARALLEL_MIN = 1L << 16;

  private static final int CHUNKS = 8;

  private final ThreadLocal<PoolJob> poolJobs = ThreadLocal.withInitial(PoolJob::new);

  /** A compare mask x ≤ 0 (false for NaN, true for −0) selects the lanes that become +0. */
  @Override
  public void relu(float[] x, float[] y, int n) {
    FloatVector zero = FloatVector.zero(S);
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
    }
    for (; i < n; i++) {
      y[i] = x[i] <= 0f ? 0f : x[i];
    }
  }

  @Override
  public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    FloatVector zero = FloatVector.zero(S);
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, y, i);
      FloatVector g = FloatVector.fromArray(S, dy, i);
      zero.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
    }
    for (; i < n; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
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
}
