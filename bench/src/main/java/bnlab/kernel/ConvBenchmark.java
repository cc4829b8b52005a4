package bnlab.kernel;

import bnlab.tensor.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batched convolution forward and backward (weight and input gradients) for the Net's conv1 (3→6,
 * 32×32, 5×5) and conv2 (6→16, 14×14, 5×5), one thread, one training plan per strategy: {@code
 * vector} (the {@link ConvStrategy#DIRECT} plan the vector factory picks for these layers), {@code
 * im2col} (the vector {@link ConvStrategy#IM2COL_GEMM} plan, what the direct kernels replaced),
 * {@code direct-gather} (the direct plan with the input gradient as the padded convolution, as
 * before {@link TapsGradient}; it differs from {@code vector} in conv2's backward only) and {@code
 * scalar} (the naive twin). Time per batch; divide by the batch for time per image.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dbnlab.threads=1"})
public class ConvBenchmark {
  @Param({"conv1", "conv2"})
  public String layer;

  @Param({"10", "128"})
  public int batch;

  @Param({"vector", "im2col", "direct-gather", "scalar"})
  public String impl;

  private ConvPlan plan;
  private float[] x;
  private float[] w;
  private float[] y;
  private float[] dy;
  private float[] dw;
  private float[] dx;

  @Setup
  public void setup() {
    ConvGeometry g =
        layer.equals("conv1")
            ? new ConvGeometry(3, 32, 32, 6, 5, 5, 1, 1, 0, 0)
            : new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    plan =
        switch (impl) {
          case "vector" ->
              new VectorConv(new VectorGemm(), "vector", VectorConv.Mode.NO_WINOGRAD)
                  .plan(g, batch, true, true, null);
          case "im2col" ->
              new VectorConv(new VectorGemm(), "vector", VectorConv.Mode.IM2COL)
                  .plan(g, batch, true, true, null);
          case "direct-gather" ->
              new DirectConvPlan("vector", g, batch, true, true, null, null, false);
          default -> new ScalarConv().plan(g, batch, true, true, null);
        };
    Rng rng = new Rng(2);
    x = GemmBenchmark.fill(rng, batch * g.inSize());
    w = GemmBenchmark.fill(rng, g.weightSize());
    y = new float[batch * g.outSize()];
    dy = GemmBenchmark.fill(rng, y.length);
    dw = new float[w.length];
    dx = new float[x.length];
    plan.forward(x, w, null, y);
  }

  @Benchmark
  public float[] forward() {
    plan.forward(x, w, null, y);
    return y;
  }

  @Benchmark
  public float[] backward() {
    plan.backward(dy, x, w, dw, dx);
    return dx;
  }
}
