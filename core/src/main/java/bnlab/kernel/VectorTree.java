package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
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
  private static final VectorShuffle<Float> BY4 = L > 4 ? down(4) : null;
  private static final VectorShuffle<Float> BY2 = down(2);

  private VectorTree() {}

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
}
