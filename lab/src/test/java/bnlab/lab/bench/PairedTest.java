package bnlab.lab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Paired} on a simulated clock: steps advance it by a fixed cost times the machine's current
 * slowness, so the expected images per second and ratios follow by hand.
 */
class PairedTest {
  /** A machine whose speed the test sets; steps and sleeps advance its clock. */
  private static final class Machine implements Paired.Clock {
    long now;
    double slowness = 1;
    long jit;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }

    @Override
    public long jitMillis() {
      return jit;
    }

    Runnable step(long nanos) {
      return () -> now += Math.round(nanos * slowness);
    }
  }

  @Test
  void ratiosAndMediansFollowTheStepCosts() {
    Machine m = new Machine();
    // A: 2 ms per step of 10 images (5,000 img/s); B: 5 ms per step of 10 (2,000 img/s).
    Paired.Side a = new Paired.Side("a", 10, m.step(2_000_000));
    Paired.Side b = new Paired.Side("b", 10, m.step(5_000_000));
    Paired.Result r = Paired.measure(a, b, new Paired.Options(2, 4, 0.1, 0.05), m);
    assertEquals(50, r.stepsA());
    assertEquals(20, r.stepsB());
    assertEquals(2, r.warmups());
    assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5}, r.ratios(), 1e-9);
    assertEquals(5000, r.medianA(), 1e-6);
    assertEquals(2000, r.medianB(), 1e-6);
    // A first in even pairs, B first in odd ones.
    assertEquals(List.of("a", "b", "b", "a", "a", "b", "b", "a"), r.order());
    // A gap before every run: 2 per warm-up round and per pair.
    assertEquals(2 * 2 + 2 * 4, m.sleeps.size());
    assertTrue(m.sleeps.stream().allMatch(s -> s == 50_000_000L), "gaps " + m.sleeps);
  }

  @Test
  void aSlowPhaseMovesBothSidesButNotTheRatio() {
    Machine m = new Machine();
    Paired.Side a = new Paired.Side("a", 4, m.step(1_000_000));
    // B slows the machine down from its third step on, for good: both sides then run 2x slower.
    int[] calls = {0};
    Runnable bStep = m.step(3_000_000);
    Paired.Side b =
        new Paired.Side(
            "b",
            4,
            () -> {
              bStep.run();
              if (++calls[0] == 3) {
                m.slowness = 2;
              }
            });
    Paired.Result r = Paired.measure(a, b, new Paired.Options(1, 3, 0.03, 0), m);
    // The slow phase began during the warm-up, so every timed run is in it: each side's rate is
    // half its unloaded one (A: 4 images per 2 ms), the ratio is still 3.
    assertArrayEquals(new double[] {3, 3, 3}, r.ratios(), 1e-9);
    assertEquals(2000, r.medianA(), 1e-6);
    assertEquals(2000 / 3.0, r.medianB(), 1e-6);
  }

  @Test
  void warmUpGoesOnWhileTheJitCompiles() {
    Machine m = new Machine();
    int[] rounds = {0};
    Paired.Side a =
        new Paired.Side(
            "a",
            1,
            () -> {
              m.now += 1_000_000;
              // 1 ms of compilation per step for A's first 30 steps, then none.
              if (rounds[0] < 30) {
                m.jit += 1;
              }
              rounds[0]++;
            });
    Paired.Side b = new Paired.Side("b", 1, m.step(1_000_000));
    Paired.Result r = Paired.measure(a, b, new Paired.Options(1, 1, 0.005, 0), m);
    // 5 steps of A per round: 5 ms of JIT in a 10 ms round for 6 rounds, then a quiet one.
    assertEquals(7, r.warmups());
  }

  @Test
  void badOptionsNameTheFix() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Paired.Options(1, 0, 0.5, 0.2));
    assertTrue(e.getMessage().contains("--pairs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Paired.Options(1, 5, 0, 0.2));
    assertTrue(e.getMessage().contains("--run-seconds"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Paired.Side("x", 0, () -> {}));
    assertTrue(e.getMessage().contains("side x"), e.getMessage());
  }
}
