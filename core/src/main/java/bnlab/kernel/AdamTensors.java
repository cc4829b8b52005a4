package bnlab.kernel;

/**
 * The tensors of one Adam/AdamW step with each one's scalars, for {@link
 * OptimKernels#adamStep(AdamTensors, float, float, float, float)}: the optimizer fills it before
 * every step ({@link #clear}, then {@link #add} per parameter) and the kernel updates them all in
 * one job, so that small tensors are not updated one after another on one thread. Reused from step
 * to step; nothing is allocated after construction.
 */
public final class AdamTensors {
  final float[][] p;
  final float[][] g;
  final float[][] m;
  final float[][] v;
  final float[][] vMax;
  final int[] n;
  final float[] decay;
  final float[] l2;
  final float[] negStepSize;
  final float[] bc2Sqrt;
  int count;
  long elements;

  /** Room for {@code capacity} tensors. */
  public AdamTensors(int capacity) {
    p = new float[capacity][];
    g = new float[capacity][];
    m = new float[capacity][];
    v = new float[capacity][];
    vMax = new float[capacity][];
    n = new int[capacity];
    decay = new float[capacity];
    l2 = new float[capacity];
    negStepSize = new float[capacity];
    bc2Sqrt = new float[capacity];
  }

  /** Forgets the tensors added so far. */
  public void clear() {
    java.util.Arrays.fill(p, 0, count, null);
    java.util.Arrays.fill(g, 0, count, null);
    java.util.Arrays.fill(m, 0, count, null);
    java.util.Arrays.fill(v, 0, count, null);
    java.util.Arrays.fill(vMax, 0, count, null);
    count = 0;
    elements = 0;
  }

  /**
   * Adds one tensor: its arrays and scalars as for {@link OptimKernels#adamStep(float[], float[],
   * float[], float[], float[], int, float, float, float, float, float, float, float, float)}.
   */
  public void add(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int n,
      float decay,
      float l2,
      float negStepSize,
      float bc2Sqrt) {
    if (count == this.p.length) {
      throw new IllegalStateException("AdamTensors holds at most " + this.p.length + " tensors");
    }
    int k = count++;
    this.p[k] = p;
    this.g[k] = g;
    this.m[k] = m;
    this.v[k] = v;
    this.vMax[k] = vMax;
    this.n[k] = n;
    this.decay[k] = decay;
    this.l2[k] = l2;
    this.negStepSize[k] = negStepSize;
    this.bc2Sqrt[k] = bc2Sqrt;
    elements += n;
  }

  /** The number of tensors added since {@link #clear}. */
  public int size() {
    return count;
  }
}
