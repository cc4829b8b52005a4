package bnlab.bench.norms;

import bnlab.models.Activation;
import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.models.Vgg;
import bnlab.nn.Fold;
import bnlab.nn.Sequential;
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
 * Inference time of a BN model in eval mode against the same model with BatchNorm folded into the
 * preceding Conv2d / Linear ({@link Fold#convBn}), one forward of a batch of 64 CIFAR-sized images.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar FoldBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FoldBench {
  @Param({"net-bn", "vgg-bn"})
  public String model;

  private Sequential unfolded;
  private Sequential folded;
  private Tensor x;

  @Setup(Level.Trial)
  public void setUp() {
    unfolded =
        model.equals("net-bn")
            ? ArticleNets.withNorm(3, 32, 10, Norm.BATCH)
            : Vgg.build(3, 32, 10, Norm.BATCH, Activation.RELU);
    unfolded.resetParameters(new Rng(1));
    x = Tensor.zeros(64, 3, 32, 32);
    new Rng(2).fillUniform(x, 0f, 1f);
    unfolded.forward(x); // running statistics away from their initial values
    unfolded.eval();
    folded = Fold.convBn(unfolded);
  }

  @Benchmark
  public Tensor unfoldedEval() {
    return unfolded.forward(x);
  }

  @Benchmark
  public Tensor foldedEval() {
    return folded.forward(x);
  }
}
