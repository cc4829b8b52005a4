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
 * Training-mode BatchNorm forward (statistics + normalize, caching x̂) and backward on bn1's
 * activations (N, 6, 28, 28), vector twin beside the scalar kernel. GB/s: forward reads x three
 * times and writes y and x̂; backward reads dy and x̂ twice and writes dx, i.e. 5·4·N·C·S bytes
 * each.
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
  private final double[] mean = new double[C];
  private final double[] var = new double[C];
  private final double[] invstd = new double[C];
  private boolean vector;

  @Setup
  public void setup() {
    Rng rng = new Rng(3);
    x = GemmBenchmark.fill(rng, batch * C * S);
    dy = GemmBenchmark.fill(rng, x.length);
    y = new float[x.length];
    xhat = new float[x.length];
    dx = new float[x.length];
    vector = impl.equals("vector");
    forward();
  }

  @Benchmark
  public float[] forward() {
    if (vector) {
      VectorBatchNorm.meanVar(x, batch, C, S, mean, var);
      VectorBatchNorm.invStd(var, 1e-5, C, invstd);
      VectorBatchNorm.normalize(x, batch, C, S, mean, invstd, gamma, beta, y, xhat);
    } else {
      BatchNormKernel.meanVar(x, batch, C, S, mean, var);
      BatchNormKernel.invStd(var, 1e-5, C, invstd);
      BatchNormKernel.normalize(x, batch, C, S, mean, invstd, gamma, beta, y, xhat);
    }
    return y;
  }

  @Benchmark
  public float[] backward() {
    if (vector) {
      VectorBatchNorm.backwardTrain(dy, xhat, batch, C, S, invstd, gamma, dx, dGamma, dBeta);
    } else {
      BatchNormKernel.backwardTrain(dy, xhat, batch, C, S, invstd, gamma, dx, dGamma, dBeta);
    }
    return dx;
  }
}
