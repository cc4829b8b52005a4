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
 * SGEMM at the article Net's shapes and 512³, vector beside its scalar twin. Shapes are {@code m x
 * n x k : op}, op = NN, NT (B transposed) or TN (A transposed): conv1 forward 6x784x75 per image,
 * its weight gradient 6x75x784 NT and input gradient 75x784x6 TN; conv2 likewise; fc1 at batch 10
 * and 128 (forward NT, dX NN, dW TN). GFLOP/s = 2·m·n·k / (time per op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dbnlab.threads=1"})
public class GemmBenchmark {
  @Param({
    "6x784x75:NN", "6x75x784:NT", "75x784x6:TN", "16x100x150:NN", "16x150x100:NT",
    "150x100x16:TN", "10x120x400:NT", "10x400x120:NN", "120x400x10:TN", "128x120x400:NT",
    "128x400x120:NN", "120x400x128:TN", "512x512x512:NN"
  })
  public String shape;

  @Param({"vector", "scalar"})
  public String impl;

  private GemmKernels gemm;
  private GemmShape product;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setup() {
    String[] parts = shape.split(":");
    String[] d = parts[0].split("x");
    int m = Integer.parseInt(d[0]);
    int n = Integer.parseInt(d[1]);
    int k = Integer.parseInt(d[2]);
    product = GemmShape.of(parts[1].charAt(0) == 'T', parts[1].charAt(1) == 'T', m, n, k);
    gemm = impl.equals("vector") ? new VectorGemm() : new ScalarGemm();
    Rng rng = new Rng(1);
    a = fill(rng, m * k);
    b = fill(rng, k * n);
    c = new float[m * n];
  }

  static float[] fill(Rng rng, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }

  @Benchmark
  public float[] sgemm() {
    gemm.gemm(product, a, 0, b, 0, 0f, c, 0);
    return c;
  }
}
