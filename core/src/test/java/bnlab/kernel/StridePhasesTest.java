package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * {@link StridePhases}' index algebra against the definitions written out: the padded input x̃[i,
 * j] = x[i − padH, j − padW] (zero outside), its phases x̃[2u + a, 2v + b], a tap's offset reaching
 * x̃[2p + r, 2q + s] for every output, and the gradient's phases merged back. Runs at 512, 256 and
 * 128 bits (the vector split and merge take rows of N or 2·N floats).
 */
class StridePhasesTest {
  // channels, height, width, kernelH, kernelW, padH, padW (stride 2, 3 output channels)
  private static final int[][] SHAPES = {
    {16, 32, 32, 3, 3, 1, 1}, // resnet20's 16→32
    {2, 16, 16, 3, 3, 1, 1}, // 16-wide rows: one 512-bit vector
    {3, 8, 8, 3, 3, 1, 1},
    {2, 7, 9, 3, 3, 1, 1}, // odd sizes
    {3, 10, 11, 2, 2, 0, 0}, // the last column read by no output
    {4, 9, 8, 3, 3, 0, 0},
    {2, 11, 10, 5, 4, 2, 1},
    {3, 6, 6, 3, 3, 2, 2},
    {3, 8, 8, 1, 1, 0, 0},
    {1, 64, 66, 3, 3, 1, 1} // rows of several vectors and a tail
  };

  private static ConvGeometry geometry(int[] d) {
    return new ConvGeometry(d[0], d[1], d[2], 3, d[3], d[4], 2, 2, d[5], d[6]);
  }

  // x̃[c, i, j]: the input with its zero padding.
  private static float padded(ConvGeometry g, float[] x, int xOff, int c, int i, int j) {
    int h = i - g.padH();
    int w = j - g.padW();
    if (h < 0 || h >= g.height() || w < 0 || w >= g.width()) {
      return 0f;
    }
    return x[xOff + (c * g.height() + h) * g.width() + w];
  }

  @Test
  void splitWritesEveryPhaseElementAndTheTapsReachTheirInputs() {
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      int xOff = 5;
      float[] x = new float[xOff + g.inSize() + 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = 1 + i;
      }
      int hh = StridePhases.height(g);
      int wh = StridePhases.width(g);
      ConvGeometry ph = StridePhases.phased(g);
      assertEquals(4 * g.channels() * hh * wh, ph.inSize(), "phases' size " + g);
      assertEquals(g.outH(), ph.outH(), "phases' output height " + g);
      assertEquals(g.outW(), ph.outW(), "phases' output width " + g);
      int dOff = 7;
      float[] dst = new float[dOff + ph.inSize() + 4];
      java.util.Arrays.fill(dst, Float.NaN);
      StridePhases.split(g, x, xOff, dst, dOff);
      for (int phase = 0; phase < 4; phase++) {
        for (int c = 0; c < g.channels(); c++) {
          for (int u = 0; u < hh; u++) {
            for (int v = 0; v < wh; v++) {
              float want = padded(g, x, xOff, c, 2 * u + (phase >> 1), 2 * v + (phase & 1));
              float got = dst[dOff + ((phase * g.channels() + c) * hh + u) * wh + v];
              if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                fail(
                    g
                        + ": phase "
                        + phase
                        + " c "
                        + c
                        + " ("
                        + u
                        + ", "
                        + v
                        + "): "
                        + got
                        + ", want "
                        + want);
              }
            }
          }
        }
      }
      for (int i : new int[] {0, dOff - 1, dOff + ph.inSize(), dst.length - 1}) {
        assertEquals(Float.NaN, dst[i], g + ": wrote outside the phases at " + i);
      }
      int[] off = StridePhases.offsets(g);
      int t = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int r = 0; r < g.kernelH(); r++) {
          for (int s = 0; s < g.kernelW(); s++, t++) {
            for (int p = 0; p < g.outH(); p++) {
              for (int q = 0; q < g.outW(); q++) {
                float want = padded(g, x, xOff, c, 2 * p + r, 2 * q + s);
                float got = dst[dOff + off[t] + p * wh + q];
                if (want != got) {
                  fail(
                      g + ": tap (" + c + ", " + r + ", " + s + ") at (" + p + ", " + q + "): "
                          + got + ", want " + want);
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void mergeTakesEachInputsGradientFromItsPhaseAndZeroWhereNoPhaseHoldsIt() {
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      int hh = StridePhases.height(g);
      int wh = StridePhases.width(g);
      float[] phases = new float[4 * g.channels() * hh * wh];
      for (int i = 0; i < phases.length; i++) {
        phases[i] = 1 + i;
      }
      int dxOff = 3;
      float[] dx = new float[dxOff + g.inSize() + 2];
      java.util.Arrays.fill(dx, Float.NaN);
      StridePhases.merge(g, phases, dx, dxOff);
      for (int c = 0; c < g.channels(); c++) {
        for (int i = 0; i < g.height(); i++) {
          for (int j = 0; j < g.width(); j++) {
            int pi = i + g.padH();
            int pj = j + g.padW();
            int phase = 2 * (pi & 1) + (pj & 1);
            int u = pi >> 1;
            int v = pj >> 1;
            float want =
                u < hh && v < wh ? phases[((phase * g.channels() + c) * hh + u) * wh + v] : 0f;
            float got = dx[dxOff + (c * g.height() + i) * g.width() + j];
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
              fail(g + ": dx (" + c + ", " + i + ", " + j + "): " + got + ", want " + want);
            }
          }
        }
      }
      assertEquals(Float.NaN, dx[dxOff - 1], g + ": wrote before dX");
      assertEquals(Float.NaN, dx[dxOff + g.inSize()], g + ": wrote after dX");
    }
  }

  @Test
  void eachPhasesGradientTapsAreTheKernelsTapsOfThatPhase() {
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      ConvGeometry gg = StridePhases.gradient(g);
      assertEquals(StridePhases.height(g), gg.outH(), "gradient's rows " + g);
      assertEquals(StridePhases.width(g), gg.outW(), "gradient's columns " + g);
      int total = 0;
      float[] w = new float[g.weightSize()];
      for (int i = 0; i < w.length; i++) {
        w[i] = 1 + i;
      }
      boolean[] seen = new boolean[w.length];
      for (int phase = 0; phase < 4; phase++) {
        int taps = StridePhases.taps(g, phase);
        total += taps;
        assertEquals(taps, StridePhases.gradientOffsets(g, phase).length, "offsets " + g);
        float[] rows = new float[g.channels() * taps];
        StridePhases.gradientWeight(g, w, phase, rows);
        for (float v : rows) {
          int i = (int) v - 1;
          int s = i % g.kernelW();
          int r = i / g.kernelW() % g.kernelH();
          assertEquals(phase, 2 * (r & 1) + (s & 1), g + ": weight " + i + " in phase " + phase);
          seen[i] = true;
        }
      }
      assertEquals(g.outChannels() * g.kernelH() * g.kernelW(), total, "taps of " + g);
      for (int i = 0; i < seen.length; i++) {
        assertEquals(true, seen[i], g + ": weight " + i + " in no phase");
      }
    }
  }
}
