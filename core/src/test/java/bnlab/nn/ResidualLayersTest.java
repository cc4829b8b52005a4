package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The ResNet helpers: the option-A shortcut and global average pooling, by hand and by FD. */
class ResidualLayersTest {
  @Test
  void zeroPadShortcutSubsamplesAndPadsChannelsOnBothSides() {
    // x[:, :, ::2, ::2] of a 5x5 plane is rows/columns 0, 2, 4; 2 -> 5 channels pads 1 before and 2
    // after, as F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 1, 2)).
    Tensor x = Tensors.arange(1, 2, 5, 5);
    Tensor y = new ZeroPadShortcut(2, 5, 2).forward(x);
    assertArrayEquals(new int[] {1, 5, 3, 3}, y.shape());
    float[] c0 = {0, 2, 4, 10, 12, 14, 20, 22, 24};
    float[] c1 = {25, 27, 29, 35, 37, 39, 45, 47, 49};
    float[] zero = new float[9];
    float[] want = concat(zero, c0, c1, zero, zero);
    assertArrayEquals(want, y.toArray());
  }

  @Test
  void zeroPadShortcutBackwardRoutesTheKeptChannelsBack() {
    ZeroPadShortcut s = new ZeroPadShortcut(1, 3, 2);
    Tensor x = Tensors.arange(2, 1, 3, 4); // odd height: rows 0 and 2 are kept, ceil(3/2) = 2
    Tensor y = s.forward(x);
    assertArrayEquals(new int[] {2, 3, 2, 2}, y.shape());
    Tensor dY = Tensors.arange(2, 3, 2, 2);
    Tensor dX = s.backward(dY);
    // sample n: the input channel sits at output channel 1 (pad 1 before, 1 after)
    float[] want = {
      4, 0, 5, 0, 0, 0, 0, 0, 6, 0, 7, 0, // n = 0: dY[0, 1] = 4, 5, 6, 7
      16, 0, 17, 0, 0, 0, 0, 0, 18, 0, 19, 0 // n = 1: dY[1, 1] = 16..19
    };
    assertArrayEquals(want, dX.toArray());
    s.requiresInputGrad(false);
    s.forward(x);
    assertNull(s.backward(dY), "no dX when not required");
  }

  @Test
  void zeroPadShortcutSplitsItsImagesOverThePool() {
    // 21 images: chunks of 8, 8 and 5 on two threads; every value by the definition, and a
    // second call over stale outputs (the tensors are reused) overwrites all of them.
    int threads = bnlab.kernel.Parallel.threads();
    bnlab.kernel.Parallel.setThreads(2);
    try {
      ZeroPadShortcut s = new ZeroPadShortcut(3, 8, 2);
      for (int call = 0; call < 2; call++) {
        Tensor x = Tensors.uniform(7 + call, 21, 3, 5, 6);
        Tensor y = s.forward(x);
        Tensor dY = Tensors.uniform(17 + call, 21, 8, 3, 3);
        Tensor dX = s.backward(dY);
        float[] xs = x.toArray();
        float[] ys = y.toArray();
        float[] g = dY.toArray();
        float[] dx = dX.toArray();
        for (int n = 0; n < 21; n++) {
          for (int c = 0; c < 8; c++) {
            for (int i = 0; i < 3; i++) {
              for (int j = 0; j < 3; j++) {
                int in = c - 2; // 8 − 3 = 5 zero channels: 2 before, 3 after
                float want = in >= 0 && in < 3 ? xs[((n * 3 + in) * 5 + 2 * i) * 6 + 2 * j] : 0f;
                assertEquals(want, ys[((n * 8 + c) * 3 + i) * 3 + j], "y at " + n + "," + c);
              }
            }
          }
          for (int c = 0; c < 3; c++) {
            for (int r = 0; r < 5; r++) {
              for (int col = 0; col < 6; col++) {
                boolean kept = r % 2 == 0 && col % 2 == 0;
                float want = kept ? g[((n * 8 + c + 2) * 3 + r / 2) * 3 + col / 2] : 0f;
                assertEquals(want, dx[((n * 3 + c) * 5 + r) * 6 + col], "dX at " + n + "," + c);
              }
            }
          }
        }
      }
    } finally {
      bnlab.kernel.Parallel.setThreads(threads);
    }
  }

  @Test
  void zeroPadShortcutContractAndGradient() {
    LayerContract.of(() -> new ZeroPadShortcut(3, 6, 2), Tensors.uniform(1, 2, 3, 5, 4))
        .outputShape(2, 6, 3, 2)
        .parameterCount(0)
        .check();
    LayerContract.of(() -> new ZeroPadShortcut(2, 2, 1), Tensors.uniform(2, 2, 2, 3, 3))
        .outputShape(2, 2, 3, 3)
        .check();
    GradCheck.of(new ZeroPadShortcut(3, 6, 2), Tensors.uniform(3, 2, 3, 5, 4)).check();
    GradCheck.of(new ZeroPadShortcut(2, 3, 1), Tensors.uniform(4, 2, 2, 3, 3)).check();
  }

  @Test
  void zeroPadShortcutRejectsNarrowingAndWrongInput() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ZeroPadShortcut(8, 4, 2));
    assertTrue(e.getMessage().contains("option B"), e.getMessage());
    IllegalArgumentException in =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ZeroPadShortcut(4, 8, 2).forward(Tensor.zeros(2, 3, 4, 4)));
    assertTrue(in.getMessage().contains("expected input (N, 4, H, W)"), in.getMessage());
  }

  @Test
  void globalAvgPoolAveragesEachPlane() {
    Tensor x = Tensors.arange(2, 3, 2, 2);
    GlobalAvgPool2d pool = new GlobalAvgPool2d();
    Tensor y = pool.forward(x);
    assertArrayEquals(new int[] {2, 3}, y.shape());
    // plane p holds 4p .. 4p + 3, mean 4p + 1.5
    assertArrayEquals(new float[] {1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f}, y.toArray());
    Tensor dX = pool.backward(Tensor.of(new float[] {4, 8, -4, 0, 1, 2}, 2, 3));
    float[] want = {
      1, 1, 1, 1, 2, 2, 2, 2, -1, -1, -1, -1, 0, 0, 0, 0, .25f, .25f, .25f, .25f, .5f, .5f, .5f, .5f
    };
    assertArrayEquals(want, dX.toArray());
  }

  @Test
  void globalAvgPoolContractAndGradient() {
    LayerContract.of(GlobalAvgPool2d::new, Tensors.uniform(5, 3, 4, 3, 5))
        .outputShape(3, 4)
        .parameterCount(0)
        .check();
    GradCheck.of(new GlobalAvgPool2d(), Tensors.uniform(6, 2, 3, 3, 2)).check();
    GradCheck.of(new GlobalAvgPool2d(), Tensors.uniform(7, 2, 2, 1, 1)).check();
  }

  @Test
  void globalAvgPoolSumsInDouble() {
    // (1, 1e8, -1e8) repeated: a float running sum loses every 1 (1 + 1e8 rounds to 1e8) and
    // returns 0; the exact mean of the 8x8 plane is 21/64.
    Tensor x = Tensor.zeros(1, 1, 8, 8);
    float[] pattern = {1f, 1e8f, -1e8f};
    for (int i = 0; i < 63; i++) {
      x.data()[i] = pattern[i % 3];
    }
    assertEquals(21f / 64f, new GlobalAvgPool2d().forward(x).data()[0]);
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int o = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
