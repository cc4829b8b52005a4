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
 * until a window of steps allocates nothing, then checks that the next windows allocate nothing
 * too; prints {@code ok} or what allocated, one line per model and thread count.
 */
final class TrainingStepAllocationProbe {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final int BATCH = 6;
  private static final int SIZE = 8;
  private static final int WINDOW = 4;

  /** Warm-up windows at most (the JIT on a loaded machine may take a few hundred steps). */
  private static final int MAX_WINDOWS = 400;

  private static final int CHECKED_WINDOWS = 3;

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
    int windows = 0;
    long bytes;
    do {
      bytes = window(step, pool);
      windows++;
    } while (bytes != 0 && windows < MAX_WINDOWS);
    if (bytes != 0) {
      return "still " + bytes + " bytes per " + WINDOW + " steps after " + windows + " windows";
    }
    for (int w = 0; w < CHECKED_WINDOWS; w++) {
      bytes = window(step, pool);
      if (bytes != 0) {
        return bytes + " bytes in " + WINDOW + " steps after a quiet window";
      }
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
