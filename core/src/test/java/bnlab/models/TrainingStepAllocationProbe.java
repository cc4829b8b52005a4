package bnlab.models;

import bnlab.nn.BasicBlock;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.optim.Adam;
import bnlab.runtime.Compute;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.lang.management.ManagementFactory;

/**
 * Runs in a JVM of its own, started by {@link TrainingStepAllocationTest} with the launcher's
 * collector (serial): trains each model named in the arguments with one and then two kernel threads
 * until {@link #QUIET_WINDOWS} windows of steps in a row allocate nothing, for at most {@link
 * #MAX_WARM_UP_NANOS}; prints {@code ok} or what allocated, one line per model and thread count.
 */
final class TrainingStepAllocationProbe {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final int BATCH = 6;
  private static final int SIZE = 8;
  private static final int WINDOW = 4;

  /**
   * Warm-up time at most. Windows would be the wrong bound: a kernel run once per step on a few
   * values (the GEMM's edge tiles under the classifier) reaches C2's invocation thresholds only
   * after some thousand steps, which tiny models run in seconds and large ones in minutes. With 1
   * thread, resnet-B's Tile2.k4x2 was compiled by C2 9 s after start, after 1,600 steps.
   */
  private static final long MAX_WARM_UP_NANOS = 120_000_000_000L;

  /**
   * Consecutive quiet windows that make a steady state: 40 steps without a byte. The JIT keeps
   * working long after the kernels are compiled (C2 replacing a layer's C1 code 50 s in, a method
   * handle customized): each such change allocated 88–544 bytes once, in one window, measured with
   * {@code -XX:+PrintCompilation} beside the windows. An allocation every step, or every few steps,
   * never gives a run of quiet windows this long.
   */
  private static final int QUIET_WINDOWS = 10;

  private TrainingStepAllocationProbe() {}

  public static void main(String[] args) {
    for (int threads : new int[] {1, 2}) {
      Compute.setThreads(threads);
      for (String name : args) {
        System.out.println(name + " threads " + threads + ": " + check(model(name)));
      }
    }
  }

  private static Module model(String name) {
    return switch (name) {
      // BatchNorm2d after the convolutions, BatchNorm1d after the linears, max pooling.
      case "vgg-bn" -> Vgg.build(3, SIZE, 10, Norm.BATCH, Activation.RELU);
      // The per-sample norms: LayerNorm and GroupNorm after linears too (their S = 1 path).
      case "vgg-ln" -> Vgg.build(3, SIZE, 10, Norm.LAYER, Activation.RELU);
      case "vgg-gn" -> Vgg.build(3, SIZE, 10, Norm.GROUP, Activation.RELU);
      case "vgg-in" -> Vgg.build(3, SIZE, 10, Norm.INSTANCE, Activation.RELU);
      case "resnet-A" ->
          new ResNet(3, 10, 1, 8, Norm.BATCH, BasicBlock.Shortcut.A, Activation.RELU);
      case "resnet-B" ->
          new ResNet(3, 10, 1, 8, Norm.BATCH, BasicBlock.Shortcut.B, Activation.RELU);
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static String check(Module model) {
    Runnable step = trainingStep(model);
    step.run();
    long[] pool = poolThreads();
    long t0 = System.nanoTime();
    int windows = 0;
    int quiet = 0;
    long last = 0;
    while (quiet < QUIET_WINDOWS && System.nanoTime() - t0 < MAX_WARM_UP_NANOS) {
      long bytes = window(step, pool);
      windows++;
      quiet = bytes == 0 ? quiet + 1 : 0;
      last = bytes == 0 ? last : bytes;
    }
    if (quiet < QUIET_WINDOWS) {
      return "no "
          + QUIET_WINDOWS
          + " quiet windows in a row after "
          + windows
          + " windows of "
          + WINDOW
          + " steps; the last one that allocated: "
          + last
          + " bytes";
    }
    return "ok after " + windows + " windows";
  }

  /** Heap bytes this thread and the kernel pool's threads allocated in {@link #WINDOW} steps. */
  private static long window(Runnable step, long[] pool) {
    // A pool thread's count lags by what sits in its allocation buffer until a collection
    // retires it, so the window is bracketed by collections.
    System.gc();
    long a0 = allocated(pool);
    for (int s = 0; s < WINDOW; s++) {
      step.run();
    }
    System.gc();
    return allocated(pool) - a0;
  }

  private static long allocated(long[] pool) {
    long sum = THREADS.getCurrentThreadAllocatedBytes();
    for (long id : pool) {
      sum += THREADS.getThreadAllocatedBytes(id);
    }
    return sum;
  }

  /** The ids of the kernel pool's threads (there after a first step). */
  private static long[] poolThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("bnlab-kernel-"))
        .mapToLong(Thread::threadId)
        .toArray();
  }

  private static Runnable trainingStep(Module model) {
    Rng rng = new Rng(3);
    model.resetParameters(rng);
    model.train();
    model.requiresInputGrad(false);
    Tensor x = Tensor.zeros(BATCH, 3, SIZE, SIZE);
    rng.fillUniform(x, -1f, 1f);
    int[] labels = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = i % 10;
    }
    Adam adam = new Adam(model.parameters(), 1e-3);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    return () -> {
      adam.zeroGrad();
      loss.forward(model.forward(x), labels);
      model.backward(loss.backward());
      adam.step();
    };
  }
}
