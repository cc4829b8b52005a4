package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelRace} with made-up times (no clock: which form is faster on this machine is not what
 * is tested), and the two forms of the direct weight gradient's position loop it chooses between
 * giving the same bits.
 */
class KernelRaceTest {
  @Test
  void theFormWithTheLowerMedianWinsAndRunsFromThenOn() {
    Assumptions.assumeTrue(KernelRace.MODE.equals("auto"), "-Dbnlab.race forces a form");
    for (int faster = 0; faster < 2; faster++) {
      KernelRace race = new KernelRace("test", "first", "second");
      int[] runs = new int[2];
      int f = faster;
      Random rnd = new Random(3);
      for (int call = 0; race.winner() < 0; call++) {
        assertTrue(call < KernelRace.WARM + 2 * KernelRace.TIMED, "no decision after every call");
        int ticket = race.ticket();
        int form = KernelRace.form(ticket);
        runs[form]++;
        if (KernelRace.timed(ticket)) {
          // The faster form at 100 ± 30, the slower at 120 ± 30: the means overlap call by call,
          // the medians do not.
          double time = (form == f ? 100 : 120) + 60 * (rnd.nextDouble() - 0.5);
          race.record(ticket, time);
        }
      }
      assertEquals(faster, race.winner(), "the faster form wins");
      assertEquals(
          runs[0], runs[1], "both forms ran equally often while racing: " + Arrays.toString(runs));
      for (int i = 0; i < 10; i++) {
        int ticket = race.ticket();
        assertEquals(faster, KernelRace.form(ticket));
        assertEquals(false, KernelRace.timed(ticket));
      }
    }
  }

  @Test
  void threadsRacingTogetherDecideOnce() throws Exception {
    Assumptions.assumeTrue(KernelRace.MODE.equals("auto"), "-Dbnlab.race forces a form");
    KernelRace race = new KernelRace("test", "first", "second");
    AtomicInteger timedRuns = new AtomicInteger();
    Runnable caller =
        () -> {
          for (int i = 0; i < 4 * (KernelRace.WARM + 2 * KernelRace.TIMED); i++) {
            int ticket = race.ticket();
            if (KernelRace.timed(ticket)) {
              timedRuns.incrementAndGet();
              race.record(ticket, KernelRace.form(ticket) == 1 ? 10 : 20);
            }
          }
        };
    Thread a = new Thread(caller);
    Thread b = new Thread(caller);
    a.start();
    b.start();
    a.join();
    b.join();
    assertEquals(2 * KernelRace.TIMED, timedRuns.get(), "each timed ticket handed out once");
    assertEquals(1, race.winner());
  }

  @Test
  void bothFormsOfThePositionLoopGiveTheSameBits() {
    // channels, size, output channels, kernel, images per group: the article's first layer, a
    // padded-tap count and odd channels, one image
    int[][] shapes = {{3, 32, 6, 5, 2}, {2, 9, 7, 3, 3}, {5, 7, 9, 3, 1}};
    Random rnd = new Random(8);
    for (int[] d : shapes) {
      ConvGeometry g = new ConvGeometry(d[0], d[1], d[1], d[2], d[3], d[3], 1, 1, 0, 0);
      DirectConv.Layout pl = new DirectConv.Layout(g);
      int n = d[4];
      float[][] xs = new float[n][g.inSize() + pl.reach];
      for (float[] x : xs) {
        for (int i = 0; i < g.inSize(); i++) {
          x[i] = (float) rnd.nextGaussian();
        }
      }
      float[] dy = new float[n * g.outSize()];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = (float) rnd.nextGaussian();
      }
      float[] dyWide = new float[n * pl.dyWideSize()];
      DirectConv.weightGradBegin(pl, dyWide, n);
      for (int i = 0; i < n; i++) {
        DirectConv.wideGradient(pl, dy, i * g.outSize(), dyWide, i);
      }
      float[][] parts = new float[2][];
      for (int form = 0; form < 2; form++) {
        float[] acc = new float[pl.accSize()];
        Arrays.fill(acc, Float.NaN);
        // Two passes, the second adding to the first's sums, as a chunk's groups do.
        DirectConv.weightGradImages(pl, n, xs, new int[n], dyWide, acc, true, null, 0, form);
        parts[form] = new float[g.weightSize()];
        DirectConv.weightGradImages(
            pl, n, xs, new int[n], dyWide, acc, false, parts[form], 0, form);
      }
      for (int i = 0; i < parts[0].length; i++) {
        if (Float.floatToRawIntBits(parts[0][i]) != Float.floatToRawIntBits(parts[1][i])) {
          fail(
              Arrays.toString(d)
                  + " dW element "
                  + i
                  + ": unrolled "
                  + parts[0][i]
                  + ", one copy "
                  + parts[1][i]);
        }
      }
      assertTrue(parts[0][0] != 0f, Arrays.toString(d) + ": the sums ran");
    }
  }
}
