package bnlab.kernel;

/**
 * What every {@link ConvPlan} shares: its key (geometry, batch, mode), its {@link Scratch}, and the
 * argument checks done before a strategy runs, so that strategies hold only their algorithm.
 */
abstract class BasePlan implements ConvPlan {
  final ConvGeometry g;
  final int batch;
  final boolean training;
  final boolean inputGrad;
  final boolean channelsLast;
  final Scratch scratch;

  /** Set when a newer plan took over the scratch: this one must not run again. */
  private boolean retired;

  /** The x of the last forward (training plans keep what they derived from it). */
  private float[] lastX;

  /** This forward's epilogue, or null; cleared after the call. */
  private ConvEpilogue epilogue;

  BasePlan(
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      boolean channelsLast,
      ConvPlan previous) {
    if (batch < 0) {
      throw new IllegalArgumentException("ConvPlan: batch must be >= 0, got " + batch);
    }
    this.g = g;
    this.batch = batch;
    this.training = training;
    this.inputGrad = inputGrad;
    this.channelsLast = channelsLast;
    if (previous instanceof BasePlan p) {
      p.retired = true;
      this.scratch = p.scratch;
    } else {
      this.scratch = new Scratch();
    }
  }

  /** Whether {@code p} was made for exactly these arguments (so it can be used as it is). */
  static boolean reusable(
      ConvPlan p,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      boolean channelsLast) {
    return p instanceof BasePlan b
        && !b.retired
        && b.batch == batch
        && b.training == training
        && b.inputGrad == inputGrad
        && b.channelsLast == channelsLast
        && b.g.equals(g);
  }

  /** The kernels this plan runs on, e.g. {@code "scalar"} or {@code "vector-512bit"}. */
  abstract String kernels();

  /**
   * forward after the checks: x, w, y hold what the geometry and batch need. A strategy calls
   * {@link #finish} on every (image, output channel) of y once it is final.
   */
  abstract void forwardBatch(float[] x, float[] w, float[] bias, float[] y);

  /** The epilogue on images t0..t1 and output channels k0..k1 of y, which are computed. */
  final void finish(float[] y, int t0, int t1, int k0, int k1) {
    if (epilogue != null && t0 < t1 && k0 < k1) {
      epilogue.apply(y, t0, t1, k0, k1);
    }
  }

  /** backward after the checks; dx is null unless the input gradient is wanted. */
  abstract void backwardBatch(float[] dy, float[] x, float[] w, float[] dw, float[] dx);

  @Override
  public final void forward(
      float[] x, float[] weight, float[] bias, float[] y, ConvEpilogue epilogue) {
    live();
    if (epilogue != null && channelsLast) {
      throw new IllegalArgumentException(
          this + ": a channels-last plan takes no epilogue (its output channels are interleaved)");
    }
    need("x", x, (long) batch * g.inSize());
    need("weight", weight, g.weightSize());
    if (bias != null) {
      need("bias", bias, g.outChannels());
    }
    need("y", y, (long) batch * g.outSize());
    lastX = x;
    this.epilogue = epilogue;
    try {
      forwardBatch(x, weight, bias, y);
    } finally {
      this.epilogue = null;
    }
  }

  @Override
  public final void backward(float[] dy, float[] x, float[] weight, float[] dWeight, float[] dx) {
    live();
    if (dx != null && !inputGrad) {
      throw new IllegalStateException(
          this + ": made without the input gradient; make a plan with inputGrad true");
    }
    if (training && x != lastX) {
      throw new IllegalStateException(
          this + ": backward needs the x of the last forward (call forward first)");
    }
    need("dY", dy, (long) batch * g.outSize());
    need("x", x, (long) batch * g.inSize());
    need("weight", weight, g.weightSize());
    need("dWeight", dWeight, g.weightSize());
    if (dx != null) {
      need("dX", dx, (long) batch * g.inSize());
    }
    backwardBatch(dy, x, weight, dWeight, dx);
  }

  private void live() {
    if (retired) {
      throw new IllegalStateException(this + ": replaced by a newer plan, which took its scratch");
    }
  }

  private void need(String what, float[] a, long size) {
    if (a == null || a.length < size) {
      throw new IllegalArgumentException(
          this
              + ": "
              + what
              + (a == null ? " is null" : " holds " + a.length + " floats")
              + ", needs "
              + size);
    }
  }

  @Override
  public final ConvGeometry geometry() {
    return g;
  }

  @Override
  public final int batch() {
    return batch;
  }

  @Override
  public final boolean training() {
    return training;
  }

  @Override
  public final boolean inputGrad() {
    return inputGrad;
  }

  @Override
  public final boolean channelsLast() {
    return channelsLast;
  }

  /**
   * E.g. {@code ConvPlan[DIRECT on vector-512bit: x (3, 32, 32) -> y (6, 28, 28), kernel 5x5,
   * stride (1, 1), padding (0, 0); batch 10, training, input gradient]}.
   */
  @Override
  public String toString() {
    return "ConvPlan["
        + strategy()
        + " on "
        + kernels()
        + ": "
        + g
        + "; batch "
        + batch
        + (channelsLast ? ", channels-last" : "")
        + (training ? ", training" : ", inference")
        + (inputGrad ? ", input gradient" : ", no input gradient")
        + details()
        + "]";
  }

  /** What a strategy adds to {@link #toString}, starting with ", " (default: nothing). */
  String details() {
    return "";
  }
}
