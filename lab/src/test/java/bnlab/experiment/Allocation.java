package bnlab.experiment;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by all threads while a call runs, from the JVM's own per-thread counters:
 * the fuzz targets' check that no input makes a reader allocate far more than the input holds.
 */
final class Allocation {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Code under test, which may throw anything. */
  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  private Allocation() {}

  /** A fuzz target's body, taking one input. */
  @FunctionalInterface
  interface Target {
    void accept(byte[] input) throws Exception;
  }

  /**
   * Runs {@code target} once, unmeasured, on every committed input of a fuzz test ({@code
   * <Class>Inputs/<method>/} next to the class), so that class loading, and with Jazzer's hooks
   * their instrumentation, is not charged to the first inputs measured. Failures are ignored here:
   * the measured runs report them.
   */
  static void warmUp(Class<?> test, String method, Target target) {
    java.net.URL dir = test.getResource(test.getSimpleName() + "Inputs/" + method);
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> s =
        java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
      for (java.nio.file.Path p : s.sorted().toList()) {
        try {
          target.accept(java.nio.file.Files.readAllBytes(p));
        } catch (Exception | AssertionError ignored) {
          // reported by the measured run of the same input
        }
      }
    } catch (java.io.IOException | java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot read the inputs of " + test.getName(), e);
    }
  }

  /** Heap bytes allocated so far by every thread, living or ended. */
  static long total() {
    return THREADS.getTotalThreadAllocatedBytes();
  }

  /**
   * Runs {@code call} and fails if it allocated more than {@code budget} bytes, whether it returned
   * or threw (the exception is rethrown after the check).
   */
  static void within(long budget, String what, Call call) throws Exception {
    long before = total();
    try {
      call.run();
    } finally {
      long used = total() - before;
      if (used > budget) {
        throw new AssertionError(what + " allocated " + used + " bytes, budget " + budget);
      }
    }
  }
}
