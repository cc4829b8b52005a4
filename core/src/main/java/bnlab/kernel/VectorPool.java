package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link ScalarPoolActivation#maxPool2x2}: one output row at a time, L outputs
 * per step.
 *
 * <p>A window's top pair (a, b) and bottom pair (c, d) sit interleaved in two input rows;
 * two-vector shuffles split each row's 2L inputs into its even (a or c) and odd (b or d) lanes, and
 * the scalar rule (greater, or first NaN) is applied lane-wise in the same order a, b, c, d, so the
 * result and the argmax are bit-identical to the scalar twin's. The branchy scalar loop mispredicts
 * on the random order of activations; this one has no data-dependent branch.
 */
final class VectorPool {
  private static final VectorSpecies<Float> F = VectorGemm.S;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final int L = VectorGemm.L;

  /*
   * Lanes 0, 2, 4, ... (or 1, 3, 5, ...) of the pair (v, next) as two one-vector permutations and a
   * blend: the two-vector rearrange(shuffle, v) is not compiled to vector code by every JDK (it
   * boxes on JDK 25), the one-vector form is.
   */
  private static final VectorShuffle<Float> EVEN_LO = pairs(0, 0);
  private static final VectorShuffle<Float> EVEN_HI = pairs(0, L);
  private static final VectorShuffle<Float> ODD_LO = pairs(1, 0);
  private static final VectorShuffle<Float> ODD_HI = pairs(1, L);
  private static final VectorMask<Float> HIGH = F.indexInRange(0, L / 2).not();

  /** 2·lane, the offset of each output's top-left input within a step. */
  private static final IntVector TWICE = IntVector.zero(I).addIndex(2);

  private VectorPool() {}

  // Lane i takes lane 2·i + parity − shift (mod L) of one vector.
  private static VectorShuffle<Float> pairs(int parity, int shift) {
    int[] idx = new int[L];
    for (int i = 0; i < L; i++) {
      idx[i] = Math.floorMod(2 * i + parity - shift, L);
    }
    return VectorShuffle.fromArray(F, idx, 0);
  }

  private static FloatVector even(FloatVector v, FloatVector next) {
    return v.rearrange(EVEN_LO).blend(next.rearrange(EVEN_HI), HIGH);
  }

  private static FloatVector odd(FloatVector v, FloatVector next) {
    return v.rearrange(ODD_LO).blend(next.rearrange(ODD_HI), HIGH);
  }

  /** Planes [pl0, pl1) of {@link ScalarPoolActivation#maxPool2x2}. */
  static void maxPool2x2(float[] x, int pl0, int pl1, int h, int w, float[] y, int[] argmax) {
    int p = h / 2;
    int q = w / 2;
    float[] scratch = VectorGemm.lanes();
    int end = pl1 * p * q;
    for (int pl = pl0; pl < pl1; pl++) {
      for (int i = 0; i < p; i++) {
        int top = pl * h * w + 2 * i * w;
        int o = (pl * p + i) * q;
        for (int j = 0; j < q; j += L) {
          int count = Math.min(L, q - j);
          int at = top + 2 * j;
          if (at + w + 2 * L <= x.length) {
            // Lanes past this row's outputs may land on the next row's, which are written after;
            // only at the end of this range must they not (another thread owns what follows).
            window(x, at, w, y, argmax, o + j, o + j + L <= end ? L : count, scratch);
          } else {
            // The last rows of x: a full-width read would run off the array.
            for (int e = 0; e < count; e++) {
              ScalarPoolActivation.poolWindow(x, at + 2 * e, w, y, argmax, o + j + e);
            }
          }
        }
      }
    }
  }

  /**
   * Planes [pl0, pl1) of {@link PoolActivationKernels#maxPool2x2Backward}: per output row, L
   * windows at a time, each of the window's four places gets 0 + dY where it is the argmax and zero
   * elsewhere (the choice made as int blends: a mask converted from int to float lanes is left
   * boxed by JDK 25's compiler), and the even and odd places of each input row are interleaved into
   * it. Windows past the last whole vector go one by one; rows and columns outside every window are
   * zeroed.
   */
  static void maxPool2x2Backward(
      float[] dy, float[] pooled, int[] argmax, int pl0, int pl1, int h, int w, float[] dx) {
    int p = h / 2;
    int q = w / 2;
    IntVector zero = IntVector.zero(I);
    FloatVector plusZero = FloatVector.zero(F);
    for (int pl = pl0; pl < pl1; pl++) {
      int plane = pl * h * w;
      for (int i = 0; i < p; i++) {
        int top = plane + 2 * i * w;
        int o = (pl * p + i) * q;
        int j = 0;
        for (; j + L <= q; j += L) {
          IntVector sel = IntVector.fromArray(I, argmax, o + j).sub(TWICE.add(top + 2 * j));
          FloatVector dyv = FloatVector.fromArray(F, dy, o + j);
          if (pooled != null) {
            // Through a ReLU: dy only where the window's maximum (its output there) is > 0.
            FloatVector m = FloatVector.fromArray(F, pooled, o + j);
            dyv = plusZero.blend(dyv, m.compare(VectorOperators.GT, 0f));
          }
          IntVector g = plusZero.add(dyv).reinterpretAsInts();
          FloatVector a = zero.blend(g, sel.eq(0)).reinterpretAsFloats();
          FloatVector b = zero.blend(g, sel.eq(1)).reinterpretAsFloats();
          FloatVector c = zero.blend(g, sel.eq(w)).reinterpretAsFloats();
          FloatVector d = zero.blend(g, sel.eq(w + 1)).reinterpretAsFloats();
          VectorInterleave.mergeInto(a, b, dx, top + 2 * j);
          VectorInterleave.mergeInto(c, d, dx, top + w + 2 * j);
        }
        for (; j < q; j++) {
          int at = top + 2 * j;
          dx[at] = 0f;
          dx[at + 1] = 0f;
          dx[at + w] = 0f;
          dx[at + w + 1] = 0f;
          dx[argmax[o + j]] += pooled == null ? dy[o + j] : ReluMask.pass(pooled[o + j], dy[o + j]);
        }
        if ((w & 1) != 0) {
          dx[top + w - 1] = 0f;
          dx[top + 2 * w - 1] = 0f;
        }
      }
      if ((h & 1) != 0) {
        java.util.Arrays.fill(dx, plane + (h - 1) * w, plane + h * w, 0f);
      }
    }
  }

  /*
   * L outputs from the 2L inputs at top and at top + w, of which the first count are stored. The
   * loads are never masked and the tail goes through scratch: masked loads and stores next to
   * unmasked ones make JDK 25's compiler box every vector of the method.
   */
  private static void window(
      float[] x, int top, int w, float[] y, int[] argmax, int o, int count, float[] scratch) {
    FloatVector t0 = FloatVector.fromArray(F, x, top);
    FloatVector t1 = FloatVector.fromArray(F, x, top + L);
    FloatVector b0 = FloatVector.fromArray(F, x, top + w);
    FloatVector b1 = FloatVector.fromArray(F, x, top + w + L);
    FloatVector a = even(t0, t1);
    FloatVector b = odd(t0, t1);
    FloatVector c = even(b0, b1);
    FloatVector d = odd(b0, b1);
    // Indexes travel as float bit patterns, blended with the float masks: a float-to-int mask
    // conversion is another operation the compiler leaves boxed.
    IntVector ia = TWICE.add(top);
    FloatVector m = a;
    FloatVector best = ia.reinterpretAsFloats();
    VectorMask<Float> take = takes(b, m);
    m = m.blend(b, take);
    best = best.blend(ia.add(1).reinterpretAsFloats(), take);
    take = takes(c, m);
    m = m.blend(c, take);
    best = best.blend(ia.add(w).reinterpretAsFloats(), take);
    take = takes(d, m);
    m = m.blend(d, take);
    best = best.blend(ia.add(w + 1).reinterpretAsFloats(), take);
    if (count == L) {
      m.intoArray(y, o);
      best.reinterpretAsInts().intoArray(argmax, o);
      return;
    }
    m.intoArray(scratch, 0);
    best.intoArray(scratch, L);
    System.arraycopy(scratch, 0, y, o, count);
    for (int e = 0; e < count; e++) {
      argmax[o + e] = Float.floatToRawIntBits(scratch[L + e]);
    }
  }

  /**
   * v replaces m where v &gt; m, or where v is NaN and m is not yet. NaN is found as v ≠ v: {@code
   * test(IS_NAN)} goes through so many calls that the compiler gives up inlining them.
   */
  private static VectorMask<Float> takes(FloatVector v, FloatVector m) {
    return v.compare(VectorOperators.GT, m)
        .or(v.compare(VectorOperators.NE, v).andNot(m.compare(VectorOperators.NE, m)));
  }
}
