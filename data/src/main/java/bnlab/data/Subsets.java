package bnlab.data;

import bnlab.tensor.Rng;
import java.util.Arrays;
import java.util.List;

/**
 * Smaller views of a data set for quick runs (the lab's {@code --subset N}). Views share the
 * parent's bytes; indices are kept in data-set order.
 */
public final class Subsets {
  private Subsets() {}

  /** The first {@code n} images. */
  public static Dataset first(Dataset ds, int n) {
    check(ds, n);
    int[] idx = new int[n];
    Arrays.setAll(idx, i -> i);
    return of(ds, idx);
  }

  /**
   * {@code n} images drawn at random with {@code seed}, class-balanced: classes take turns (in a
   * seeded random order) giving a random image each until {@code n} are chosen, so every class gets
   * {@code n / classes} or one more while it has images left.
   */
  public static Dataset random(Dataset ds, int n, long seed) {
    check(ds, n);
    int k = ds.classes().size();
    int[][] byClass = indicesByClass(ds);
    Rng rng = new Rng(seed);
    for (int[] members : byClass) {
      rng.shuffle(members);
    }
    int[] classOrder = new int[k];
    Arrays.setAll(classOrder, i -> i);
    rng.shuffle(classOrder);
    int[] taken = new int[k];
    int[] idx = new int[n];
    for (int got = 0; got < n; ) {
      for (int c : classOrder) {
        if (got < n && taken[c] < byClass[c].length) {
          idx[got++] = byClass[c][taken[c]++];
        }
      }
    }
    Arrays.sort(idx);
    return of(ds, idx);
  }

  /** The images at {@code indices}, in that order. */
  public static Dataset of(Dataset ds, int[] indices) {
    for (int i : indices) {
      if (i < 0 || i >= ds.size()) {
        throw new IndexOutOfBoundsException("index " + i + " outside data set of " + ds.size());
      }
    }
    return new View(ds, indices.clone());
  }

  /** For each class, the indices of its images in data-set order. */
  static int[][] indicesByClass(Dataset ds) {
    int k = ds.classes().size();
    int[] counts = new int[k];
    for (int i = 0; i < ds.size(); i++) {
      counts[ds.label(i)]++;
    }
    int[][] out = new int[k][];
    for (int c = 0; c < k; c++) {
      out[c] = new int[counts[c]];
    }
    int[] fill = new int[k];
    for (int i = 0; i < ds.size(); i++) {
      int c = ds.label(i);
      out[c][fill[c]++] = i;
    }
    return out;
  }

  private static void check(Dataset ds, int n) {
    if (n <= 0 || n > ds.size()) {
      throw new IllegalArgumentException(
          "subset of " + n + " images requested from a data set of " + ds.size());
    }
  }

  private record View(Dataset base, int[] indices) implements Dataset {
    @Override
    public int size() {
      return indices.length;
    }

    @Override
    public int channels() {
      return base.channels();
    }

    @Override
    public int height() {
      return base.height();
    }

    @Override
    public int width() {
      return base.width();
    }

    @Override
    public List<String> classes() {
      return base.classes();
    }

    @Override
    public int label(int i) {
      return base.label(indices[i]);
    }

    @Override
    public void get(int i, byte[] dst, int offset) {
      base.get(indices[i], dst, offset);
    }
  }
}
