package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link ChunkedPlan#claimOrder}: the caller's end of the order holds the first half of the images
 * and the worker's end the second half (the split the other jobs make), the larger chunks at the
 * ends, and two equally fast threads get equal shares of batch 10.
 */
class ClaimOrderTest {
  @Test
  void equalChunksAreClaimedInImageOrderFromBothEnds() {
    for (int chunks = 1; chunks <= ChunkedPlan.MAX_CHUNKS; chunks++) {
      int[] identity = new int[chunks];
      Arrays.setAll(identity, c -> c);
      for (int per = 1; per <= 20; per++) {
        assertArrayEquals(
            identity,
            ChunkedPlan.claimOrder(per * chunks, chunks),
            "batch " + per * chunks + " in " + chunks + " chunks");
      }
    }
  }

  @Test
  void eachEndKeepsItsHalfOfTheImagesWithTheLargerChunksOutermost() {
    for (int batch = 1; batch <= 300; batch++) {
      for (int chunks = 1; chunks <= Math.min(batch, ChunkedPlan.MAX_CHUNKS); chunks++) {
        int[] order = ChunkedPlan.claimOrder(batch, chunks);
        String what = "batch " + batch + " in " + chunks + " chunks: " + Arrays.toString(order);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int c = 0; c < chunks; c++) {
          assertEquals(c, sorted[c], what + " is not a permutation");
        }
        int half = (chunks + 1) / 2;
        for (int pos = 0; pos < chunks; pos++) {
          assertEquals(pos < half, order[pos] < half, what + ": position " + pos);
        }
        // From each end inwards: sizes never grow, and chunks of one size keep image order.
        for (int pos = 1; pos < half; pos++) {
          inward(batch, chunks, order[pos - 1], order[pos], true, what);
        }
        for (int pos = chunks - 2; pos >= half; pos--) {
          inward(batch, chunks, order[pos + 1], order[pos], false, what);
        }
      }
    }
  }

  @Test
  void twoEquallyFastThreadsShareBatchTenEvenly() {
    int batch = 10;
    int chunks = 8;
    int[] order = ChunkedPlan.claimOrder(batch, chunks);
    // The caller takes positions from the front, the worker from the back, whichever is idle first
    // (the caller on a tie, as it starts first).
    int front = 0;
    int back = chunks - 1;
    int caller = 0;
    int worker = 0;
    while (front <= back) {
      if (caller <= worker) {
        caller += images(batch, chunks, order[front++]);
      } else {
        worker += images(batch, chunks, order[back--]);
      }
    }
    assertEquals(5, caller, Arrays.toString(order));
    assertEquals(5, worker, Arrays.toString(order));
  }

  private static void inward(int batch, int chunks, int outer, int inner, boolean up, String what) {
    int a = images(batch, chunks, outer);
    int b = images(batch, chunks, inner);
    assertTrue(a >= b, what + ": chunk " + inner + " larger than " + outer + " outside it");
    if (a == b) {
      assertTrue(up ? inner > outer : inner < outer, what + ": " + outer + " then " + inner);
    }
  }

  private static int images(int batch, int chunks, int c) {
    return (int) ((long) (c + 1) * batch / chunks) - (int) ((long) c * batch / chunks);
  }
}
