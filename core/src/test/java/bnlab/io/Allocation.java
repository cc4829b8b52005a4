package bnlab.io;

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
