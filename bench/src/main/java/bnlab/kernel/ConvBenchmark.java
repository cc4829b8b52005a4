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
 * 32×32, 5×5) and conv2 (6→16, 14×14, 5×5), one thread: {@code vector} (the direct kernels of
 * {@link VectorDirectConv}), {@code im2col} (vector im2col + GEMM + col2im, what the direct kernels
 * replaced) and {@code scalar}. Time per batch; divide by the batch for time per image.
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

  @Param({"vector", "im2col", "scalar"})
  public String impl;

  private Kernels kernels;
  private ConvGeometry g;
  private float[] x;
  private float[] w;
  private float[] col;
  private float[] y;
  private float[] dy;
  private float[] dw;
  private float[] dCol;
  private float[] dx;

  @Setup
  public void setup() {
    g =
        layer.equals("conv1")
            ? new ConvGeometry(3, 32, 32, 6, 5, 5, 1, 1, 0, 0)
            : new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    // Read once when the direct kernels are first used: each parameter set runs in its own JVM.
    System.setProperty("bnlab.conv", impl.equals("im2col") ? "im2col" : "auto");
    kernels = impl.equals("scalar") ? new ScalarKernels() : new VectorKernels();
    Rng rng = new Rng(2);
    x = GemmBenchmark.fill(rng, batch * g.inSize());
    w = GemmBenchmark.fill(rng, g.outChannels() * g.crs());
    col = new float[batch * g.crs() * g.pq()];
    y = new float[batch * g.outChannels() * g.pq()];
    dy = GemmBenchmark.fill(rng, y.length);
    dw = new float[w.length];
    dCol = new float[col.length];
    dx = new float[x.length];
    kernels.convForward(g, batch, x, w, col, y);
  }

  @Benchmark
  public float[] forward() {
    kernels.convForward(g, batch, x, w, col, y);
    return y;
  }

  @Benchmark
  public float[] backward() {
    kernels.convBackward(g, batch, dy, x, w, col, dw, dCol, dx);
    return dx;
  }
}
