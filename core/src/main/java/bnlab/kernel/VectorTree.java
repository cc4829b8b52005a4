package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Reduction#tree} on 128-bit registers (present at every vector width the kernels run on):
 * the same additions in the same pairs, so the same bits, in a third of the instructions. It
 * matters where a tree is taken for few products, as in the direct convolution's weight gradient of
 * small images, where the scalar tree cost as much as the sums it combined.
 */
final class VectorTree {
  private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;

  /** Lanes (2, 3, 0, 1): lane i meets lane i + 2. */
  private static final VectorShuffle<Float> HALVES = VectorShuffle.fromValues(S4, 2, 3, 0, 1);

  private VectorTree() {}

  /** t[off, off + P) summed as {@link Reduction#tree} does, bit for bit. */
  static float tree(float[] t, int off) {
    // Level 1, t[i] + t[i + 8], for i in 0..3 and in 4..7; level 2 adds those (i and i + 4).
    FloatVector a = FloatVector.fromArray(S4, t, off).add(FloatVector.fromArray(S4, t, off + 8));
    FloatVector b =
        FloatVector.fromArray(S4, t, off + 4).add(FloatVector.fromArray(S4, t, off + 12));
    FloatVector c = a.add(b);
    // Level 3, lane i + lane i + 2 (addition commutes exactly, so lanes 2 and 3 hold the same
    // sums), then level 4.
    FloatVector d = c.add(c.rearrange(HALVES));
    return d.lane(0) + d.lane(1);
  }
}
