package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool runs every chunk of a job exactly once, from both ends, and reports failures. */
class ParallelTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(threadsBefore);
  }

  @Test
  void everyChunkRunsOnce() {
    for (int threads : new int[] {1, 2, 3}) {
      Parallel.setThreads(threads);
      for (int chunks : new int[] {0, 1, 2, 3, 8, 37, 1000, Parallel.MAX_CHUNKS}) {
        for (int job = 0; job < 3; job++) {
          AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(chunks, 1));
          Parallel.forEach(chunks, runs::incrementAndGet);
          for (int c = 0; c < chunks; c++) {
            assertEquals(
                1, runs.get(c), "chunk " + c + " of " + chunks + ", " + threads + " threads");
          }
        }
      }
    }
  }

  @Test
  void theCallerTakesTheFrontAndWorkersTheBack() {
    Parallel.setThreads(2);
    int chunks = 64;
    Thread caller = Thread.currentThread();
    boolean[] onCaller = new boolean[chunks];
    Parallel.Body body =
        c -> {
          onCaller[c] = Thread.currentThread() == caller;
          long until = System.nanoTime() + 200_000;
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
        };
    Parallel.forEach(chunks, body);
    // The caller's chunks form a prefix, the workers' a suffix, whoever ran more of them.
    int split = 0;
    while (split < chunks && onCaller[split]) {
      split++;
    }
    boolean[] expected = new boolean[chunks];
    for (int c = 0; c < split; c++) {
      expected[c] = true;
    }
    assertArrayEquals(expected, onCaller, "caller's chunks (prefix of " + split + ")");
    assertTrue(split > 0, "the caller ran chunk 0");
  }

  @Test
  void aFailingChunkIsRethrownAndThePoolStaysUsable() {
    Parallel.setThreads(2);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Parallel.forEach(
                    16,
                    c -> {
                      if (c == 9) {
                        throw new IllegalStateException("chunk 9");
                      }
                    }));
    assertEquals("chunk 9", e.getMessage());
    AtomicIntegerArray runs = new AtomicIntegerArray(16);
    Parallel.forEach(16, runs::incrementAndGet);
    for (int c = 0; c < 16; c++) {
      assertEquals(1, runs.get(c), "chunk " + c + " after a failure");
    }
  }

  @Test
  // Before the fix this hung (the inner job overwrote the outer one's ticket): fail instead.
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aJobStartedInsideAJobRunsOnItsThread() {
    Parallel.setThreads(2);
    int outer = 16;
    int inner = 8;
    AtomicIntegerArray runs = new AtomicIntegerArray(outer * inner);
    AtomicIntegerArray outerRuns = new AtomicIntegerArray(outer);
    for (int job = 0; job < 20; job++) {
      Parallel.forEach(
          outer,
          o -> {
            outerRuns.incrementAndGet(o);
            Parallel.forEach(inner, i -> runs.incrementAndGet(o * inner + i));
          });
    }
    for (int o = 0; o < outer; o++) {
      assertEquals(20, outerRuns.get(o), "outer chunk " + o);
      for (int i = 0; i < inner; i++) {
        assertEquals(20, runs.get(o * inner + i), "inner chunk " + i + " of outer chunk " + o);
      }
    }
  }

  @Test
  void tooManyChunksNameTheLimit() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Parallel.forEach(Parallel.MAX_CHUNKS + 1, c -> {}));
    assertTrue(e.getMessage().contains(String.valueOf(Parallel.MAX_CHUNKS)), e.getMessage());
  }
}
