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
 * Training-mode BatchNorm kernels on bn1's activations (N, 6, 28, 28), the vector twin beside the
 * scalar one. {@code forward}: statistics, invstd and normalize as separate calls, caching x̂;
 * {@code backward}: the training backward from the stored x̂ — the operations measured before the
 * normalization core. {@code forwardFused} and {@code backwardFromInput} are what BatchNorm2d runs
 * now (statistics and normalization channel by channel, x̂ not stored but recomputed from the
 * input).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BatchNormBenchmark {
  @Param({"10", "128"})
  public int batch;

  @Param({"vector", "scalar"})
  public String impl;

  private static final int C = 6;
  private static final int S = 28 * 28;
  private float[] x;
  private float[] y;
  private float[] xhat;
  private float[] dy;
  private float[] dx;
  private final float[] gamma = {1f, 0.9f, 1.1f, 1f, 0.8f, 1.2f};
  private final float[] beta = new float[C];
  private final float[] dGamma = new float[C];
  private final float[] dBeta = new float[C];
  private final NormStats st = new NormStats();
  private NormLayout layout;
  private NormKernels k;

  @Setup
  public void setup() {
    Rng rng = new Rng(3);
    x = fill(rng, batch * C * S);
    dy = fill(rng, x.length);
    y = new float[x.length];
    xhat = new float[x.length];
    dx = new float[x.length];
    k = impl.equals("vector") ? new VectorNormKernels() : new ScalarNormKernels();
    layout = NormLayout.perChannel(batch, C, S);
    st.ensure(C);
    st.count(layout.count());
    forward();
  }

  private static float[] fill(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.uniform(-1f, 1f);
    }
    return a;
  }

  @Benchmark
  public float[] forward() {
    k.moments(x, layout, st);
    for (int j = 0; j < C; j++) {
      st.invstd()[j] = 1.0 / Math.sqrt(st.var()[j] + 1e-5);
    }
    k.normalize(x, layout, st, gamma, beta, y, xhat);
    return y;
  }

  @Benchmark
  public float[] backward() {
    k.backward(true, dy, xhat, false, layout, st, gamma, dx, dGamma, dBeta);
    return dx;
  }

  @Benchmark
  public float[] forwardFused() {
    k.momentsNormalize(x, layout, 1e-5, st, gamma, beta, y, null);
    return y;
  }

  @Benchmark
  public float[] backwardFromInput() {
    boolean fromInput = k.recomputesXhat(layout);
    k.backward(true, dy, fromInput ? x : xhat, fromInput, layout, st, gamma, dx, dGamma, dBeta);
    return dx;
  }
}
