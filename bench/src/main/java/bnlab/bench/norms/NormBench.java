package bnlab.bench.norms;

import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchRenorm;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.GhostBatchNorm;
import bnlab.nn.GroupNorm;
import bnlab.nn.InstanceNorm2d;
import bnlab.nn.LayerNorm;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.nn.keras.BatchNormalization;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The normalization layers through their public API only, so the same file measures any build:
 * {@code layer} is one training forward + backward of a layer on conv1's activations (N, 6, 28, 28)
 * of the article's network ({@code keras}: the channels-last (N, 784, 6) view; {@code ln}:
 * LayerNorm over (6, 28, 28)); {@code step} is one Adam training step of the article's network with
 * that normalization ({@code net-gn} etc., as the lab's zoo builds them). One kernel thread.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar NormBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dbnlab.threads=1"})
public class NormBench {
  @Param({"bn", "gbn", "brn", "gn", "ln", "in", "keras"})
  public String norm;

  @Param({"16", "128"})
  public int batch;

  private Module layer;
  private Tensor x;
  private Tensor dY;
  private Sequential net;
  private Adam adam;
  private final CrossEntropyLoss loss = new CrossEntropyLoss();
  private Tensor images;
  private int[] labels;

  @Setup(Level.Trial)
  public void setUp() {
    Rng rng = new Rng(5);
    boolean channelsLast = norm.equals("keras");
    x = channelsLast ? Tensor.zeros(batch, 28 * 28, 6) : Tensor.zeros(batch, 6, 28, 28);
    dY = Tensor.zeros(x.shape());
    rng.fillUniform(x, -1f, 2f);
    rng.fillUniform(dY, -1f, 1f);
    layer =
        switch (norm) {
          case "bn" -> new BatchNorm2d(6);
          case "gbn" -> new GhostBatchNorm(6, 8);
          case "brn" ->
              new BatchRenorm(
                  6,
                  BatchRenorm.linear(0, 0, 3, 3),
                  BatchRenorm.linear(0, 0, 5, 5),
                  1e-5,
                  0.1,
                  true);
          case "gn" -> new GroupNorm(3, 6);
          case "ln" -> new LayerNorm(6, 28, 28);
          case "in" -> new InstanceNorm2d(6, 1e-5, 0.1, true, false);
          default -> new BatchNormalization(6);
        };
    layer.train();
    Norm kind =
        switch (norm) {
          case "bn", "keras" -> Norm.BATCH;
          case "gbn" -> Norm.GHOST;
          case "brn" -> Norm.RENORM;
          case "gn" -> Norm.GROUP;
          case "ln" -> Norm.LAYER;
          default -> Norm.INSTANCE;
        };
    net = ArticleNets.withNorm(3, 32, 10, kind);
    net.resetParameters(new Rng(1));
    net.requiresInputGrad(false);
    net.train();
    adam = new Adam(net.parameters(), 1e-4);
    images = Tensor.zeros(batch, 3, 32, 32);
    rng.fillUniform(images, 0f, 1f);
    labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i % 10;
    }
  }

  @Benchmark
  public Tensor layer() {
    layer.forward(x);
    return layer.backward(dY);
  }

  @Benchmark
  public float step() {
    adam.zeroGrad();
    float l = loss.forward(net.forward(images), labels);
    net.backward(loss.backward());
    adam.step();
    return l;
  }
}
