package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Reduction#tree} in vector registers: the same additions in the same pairs, so the same
 * bits, in a third of the instructions. It matters where a tree is taken for few products, as in
 * the direct convolution's weight gradient of small images, where the scalar tree cost as much as
 * the sums it combined.
 *
 * <p>It runs on the kernels' own species {@link VectorWidth#S} (4, 8 or 16 lanes), folding the
 * upper lanes onto the lower ones with permutations, rather than on 128-bit vectors at every width:
 * a second float species in the process makes the JDK's shared vector call sites (FloatVector.add,
 * intoArray) see two vector classes, and a kernel that C2 compiles after that can lose its
 * intrinsics and box every vector (see {@link VectorWidth#S}).
 */
final class VectorTree {
  private static final VectorSpecies<Float> S = VectorWidth.S;
  private static final int L = VectorWidth.L;

  // Lane i takes lane i + k (mod L): added to the vector, lanes below k hold the next level.
  private static final VectorShuffle<Float> BY8 = L > 8 ? down(8) : null;
  static final VectorShuffle<Float> BY4 = L > 4 ? down(4) : null;
  static final VectorShuffle<Float> BY2 = down(2);

  // tree8's network (L ≥ 8): level s pairs lanes i and i + s; blocks of s lanes alternate between
  // its two operands (ODD_s: the odd blocks), SWAP_s exchanges neighbouring blocks.
  private static final VectorMask<Float> ODD8 = L > 8 ? oddBlocks(8) : null;
  static final VectorMask<Float> ODD4 = L > 4 ? oddBlocks(4) : null;
  static final VectorMask<Float> ODD2 = L > 4 ? oddBlocks(2) : null;
  static final VectorMask<Float> ODD1 = L > 4 ? oddBlocks(1) : null;
  private static final VectorShuffle<Float> SWAP8 = L > 8 ? swap(8) : null;
  static final VectorShuffle<Float> SWAP4 = L > 4 ? swap(4) : null;
  static final VectorShuffle<Float> SWAP2 = L > 4 ? swap(2) : null;
  static final VectorShuffle<Float> SWAP1 = L > 4 ? swap(1) : null;

  /** Where tree8's network leaves the weights: lane e of the result holds weight e after it. */
  private static final VectorShuffle<Float> ORDER =
      L >= 8 ? VectorShuffle.fromArray(S, order(), 0) : null;

  /** Lanes 0..3 and lanes 4..7 of tree8's result. */
  private static final VectorMask<Float> LOW4 = L >= 8 ? VectorMask.fromLong(S, 0xfL) : null;

  private static final VectorMask<Float> HIGH4 = L >= 8 ? VectorMask.fromLong(S, 0xf0L) : null;

  private VectorTree() {}

  private static VectorMask<Float> oddBlocks(int s) {
    long bits = 0;
    for (int i = 0; i < L; i++) {
      if ((i / s) % 2 == 1) {
        bits |= 1L << i;
      }
    }
    return VectorMask.fromLong(S, bits);
  }

  private static VectorShuffle<Float> swap(int s) {
    return VectorShuffle.fromOp(S, i -> i ^ s);
  }

  /**
   * The network of {@link #pair} run on weight labels instead of values: which lane ends up with
   * which weight, inverted into a shuffle (L = 4 does not use it).
   */
  private static int[] order() {
    int[][] w = new int[8][L];
    for (int e = 0; e < 8; e++) {
      java.util.Arrays.fill(w[e], e);
    }
    int[][] r = w;
    for (int s = L / 2; s >= 1 && r.length > 1; s /= 2) {
      int[][] next = new int[r.length / 2][];
      for (int j = 0; j < next.length; j++) {
        next[j] = pairLabels(r[2 * j], r[2 * j + 1], s);
      }
      r = next;
    }
    int[] at = new int[L];
    java.util.Arrays.fill(at, -1);
    for (int i = 0; i < L; i++) {
      int e = r[0][i];
      if (at[e] < 0) {
        at[e] = i;
      }
    }
    for (int i = 8; i < L; i++) {
      at[i] = i;
    }
    return at;
  }

  // pair() on labels: lane i of the result comes from x's lanes in even blocks, y's in odd ones.
  private static int[] pairLabels(int[] x, int[] y, int s) {
    int[] r = new int[L];
    for (int i = 0; i < L; i++) {
      r[i] = (i / s) % 2 == 0 ? x[i] : y[i];
    }
    return r;
  }

  /**
   * One level of trees taken side by side: lane i of the result is x[i] + x[i + s] where i lies in
   * an even block of s lanes, y[i − s] + y[i] in an odd one. So two vectors, each holding level
   * values of its own weights, become one holding the next level of both.
   */
  private static FloatVector pair(
      FloatVector x, FloatVector y, VectorMask<Float> odd, VectorShuffle<Float> swap) {
    return x.blend(y, odd).add(y.blend(x, odd).rearrange(swap));
  }

  private static VectorShuffle<Float> down(int k) {
    return VectorShuffle.fromOp(S, i -> (i + k) % L);
  }

  /** t[off, off + P) summed as {@link Reduction#tree} does, bit for bit. */
  static float tree(float[] t, int off) {
    // Level 1 is t[i] + t[i + 8] for i in 0..7, level 2 adds those at i and i + 4, level 3 at i
    // and i + 2 (addition commutes exactly, so which operand comes first moves no bit).
    FloatVector c;
    if (L >= 16) {
      FloatVector x = FloatVector.fromArray(S, t, off);
      FloatVector a = x.add(x.rearrange(BY8));
      c = a.add(a.rearrange(BY4));
    } else if (L == 8) {
      // DotGemm8.dot1 writes this tree out too: no vector crosses a method call (see DotGemm8).
      FloatVector a = FloatVector.fromArray(S, t, off).add(FloatVector.fromArray(S, t, off + 8));
      c = a.add(a.rearrange(BY4));
    } else {
      FloatVector a = FloatVector.fromArray(S, t, off).add(FloatVector.fromArray(S, t, off + 8));
      FloatVector b =
          FloatVector.fromArray(S, t, off + 4).add(FloatVector.fromArray(S, t, off + 12));
      c = a.add(b);
    }
    FloatVector d = c.add(c.rearrange(BY2));
    return d.lane(0) + d.lane(1);
  }

  /**
   * The trees of eight runs of P partials, t[off + e·P, off + (e + 1)·P) for e = 0..7: weights 0–3
   * into out[o0, o0 + 4), 4–7 into out[o1, o1 + 4). The same pairs as {@link #tree}, so the same
   * bits, but eight trees share each vector operation: each level of the eight trees is one {@link
   * #pair} per two vectors, and one permutation puts the eight sums in order. The direct
   * convolution's weight gradient takes a tree per weight per chunk; at the article's second layer
   * (2,400 weights, a chunk of one image) one at a time cost a quarter of the sums they combined.
   */
  static void tree8(float[] t, int off, float[] out, int o0, int o1) {
    // With four lanes the network has too little to share: at 128 bits it measured slower than
    // eight trees one by one (a chunk of the article's second layer 5.3 → 11.6 μs). At the end of
    // out, where the result's stores below would reach a vector past the two runs (512 bits, a few
    // taps per row), one by one too: a masked store that runs off the array takes the Vector API's
    // checked path, which allocates.
    if (L == 4 || o1 < 4 || o0 + L > out.length || o1 - 4 + L > out.length) {
      for (int e = 0; e < 4; e++) {
        out[o0 + e] = tree(t, off + e * Reduction.P);
        out[o1 + e] = tree(t, off + (e + 4) * Reduction.P);
      }
      return;
    }
    final int p = Reduction.P;
    FloatVector r;
    if (L == 8) {
      // Level 1 within each weight (the two halves of its partials), then levels 2, 3, 4.
      FloatVector c01 = pair(level1(t, off), level1(t, off + p), ODD4, SWAP4);
      FloatVector c23 = pair(level1(t, off + 2 * p), level1(t, off + 3 * p), ODD4, SWAP4);
      FloatVector c45 = pair(level1(t, off + 4 * p), level1(t, off + 5 * p), ODD4, SWAP4);
      FloatVector c67 = pair(level1(t, off + 6 * p), level1(t, off + 7 * p), ODD4, SWAP4);
      r = pair(pair(c01, c23, ODD2, SWAP2), pair(c45, c67, ODD2, SWAP2), ODD1, SWAP1);
    } else {
      // Each weight's P partials are one vector: levels 1, 2 and 3 across the eight weights leave
      // each weight's two level-3 values side by side, and level 4 adds them in both lanes.
      FloatVector c01 = pair(load(t, off), load(t, off + p), ODD8, SWAP8);
      FloatVector c23 = pair(load(t, off + 2 * p), load(t, off + 3 * p), ODD8, SWAP8);
      FloatVector c45 = pair(load(t, off + 4 * p), load(t, off + 5 * p), ODD8, SWAP8);
      FloatVector c67 = pair(load(t, off + 6 * p), load(t, off + 7 * p), ODD8, SWAP8);
      FloatVector f = pair(pair(c01, c23, ODD4, SWAP4), pair(c45, c67, ODD4, SWAP4), ODD2, SWAP2);
      r = pair(f, f, ODD1, SWAP1);
    }
    r = r.rearrange(ORDER);
    r.intoArray(out, o0, LOW4);
    r.intoArray(out, o1 - 4, HIGH4);
  }

  private static FloatVector load(float[] t, int off) {
    return FloatVector.fromArray(S, t, off);
  }

  // L = 8: lane i is t[i] + t[i + 8], the tree's first level.
  private static FloatVector level1(float[] t, int off) {
    return load(t, off).add(load(t, off + 8));
  }
}
