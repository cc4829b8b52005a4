package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The direct forward's weight layout ({@link DirectConv#panels}), element by element. */
class DirectConvPanelsTest {
  @Test
  void panelsCoverEveryRowOnceWithTheTilesRows() {
    for (int k = 1; k <= 40; k++) {
      int i = 0;
      while (i < k) {
        int rows = DirectConv.panelRows(k - i);
        assertTrue(rows <= k - i, "k " + k + " row " + i + ": panel of " + rows);
        assertTrue(
            rows == 1 || rows == 2 || rows == 4 || rows == 6 || rows == VectorWidth.TILE_ROWS,
            "k " + k + ": no tile has " + rows + " rows");
        i += rows;
      }
      assertEquals(k, i, "k " + k);
    }
  }

  @Test
  void packedPanelsHoldEachColumnsFourRowsAndOthersAreCopied() {
    for (int k : new int[] {1, 3, 4, 6, 7, 10, 13, 16, 17}) {
      for (int crs : new int[] {1, 5, 27, 144}) {
        float[] w = new float[3 + k * crs];
        for (int e = 0; e < w.length; e++) {
          w[e] = e;
        }
        float[] dst = new float[k * crs];
        DirectConv.panels(w, 3, k, crs, dst);
        boolean pairs = DirectConv.pairs(k);
        for (int i = 0; i < k; ) {
          int rows = pairs ? 2 : DirectConv.panelRows(k - i);
          for (int r = 0; r < rows; r++) {
            for (int p = 0; p < crs; p++) {
              boolean packed = pairs || rows == 4 && DirectConv.PACKED_FOURS;
              int at = packed ? i * crs + rows * p + r : (i + r) * crs + p;
              assertEquals(
                  w[3 + (i + r) * crs + p],
                  dst[at],
                  "k " + k + ", crs " + crs + ": row " + (i + r) + ", column " + p);
            }
          }
          i += rows;
        }
      }
    }
  }
}
