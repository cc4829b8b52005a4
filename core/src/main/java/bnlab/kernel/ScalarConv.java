package bnlab.kernel;

/** The scalar convolution factory: every plan is the naive {@link ScalarConvPlan}. */
final class ScalarConv implements ConvKernels {
  private final GemmKernels gemm = new ScalarGemm();

  @Override
  public ConvStrategy strategy(ConvGeometry g) {
    return ConvStrategy.IM2COL_GEMM;
  }

  @Override
  public ConvPlan plan(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    if (BasePlan.reusable(previous, g, batch, training, inputGrad, false)) {
      return previous;
    }
    return new ScalarConvPlan(g, batch, training, inputGrad, previous);
  }

  @Override
  public void biasGrad(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    BiasGradient.scalar(dy, n, k, l, dBias, c0, c1);
  }

  @Override
  public void biasRowSums(float[] dy, int n, int k, int l, int i0, int i1, float[] rows) {
    BiasGradient.scalarRows(dy, n, k, l, i0, i1, rows);
  }

  @Override
  public ConvPlan planChannelsLast(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    if (BasePlan.reusable(previous, g, batch, training, inputGrad, true)) {
      return previous;
    }
    return new TapGemmPlan(gemm, "scalar", g, batch, training, inputGrad, previous);
  }
}
