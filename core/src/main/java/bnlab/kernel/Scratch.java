package bnlab.kernel;

/**
 * A plan's scratch arrays, by slot: each grows once to the largest size asked for and is then
 * reused, and is handed on to the plan that replaces this one in the same layer, so that a layer
 * switching between batch sizes or modes does not allocate again. Contents are never carried from
 * one plan to the next.
 */
final class Scratch {
  private float[][] arrays = new float[0][];

  /** Slot {@code slot}'s array, holding at least {@code size} floats. */
  float[] floats(int slot, int size) {
    if (slot >= arrays.length) {
      arrays = java.util.Arrays.copyOf(arrays, slot + 8);
    }
    float[] a = arrays[slot];
    if (a == null || a.length < size) {
      a = new float[size];
      arrays[slot] = a;
    }
    return a;
  }
}
