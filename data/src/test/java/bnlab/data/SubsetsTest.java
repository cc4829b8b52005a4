package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubsetsTest {
  private static int[] ids(Dataset d, ImageSet base) {
    // Recover each image's index in the base set from its bytes (the synthetic images are
    // distinct).
    int[] out = new int[d.size()];
    byte[] a = new byte[60];
    byte[] b = new byte[60];
    for (int i = 0; i < d.size(); i++) {
      d.get(i, a, 0);
      out[i] = -1;
      for (int j = 0; j < base.size() && out[i] < 0; j++) {
        base.get(j, b, 0);
        if (java.util.Arrays.equals(a, b)) {
          out[i] = j;
        }
      }
    }
    return out;
  }

  @Test
  void firstN() {
    ImageSet base = DataLoaderTest.synthetic(30, 3);
    Dataset d = Subsets.first(base, 7);
    assertEquals(7, d.size());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, ids(d, base));
    assertEquals(base.label(5), d.label(5));
    assertThrows(IllegalArgumentException.class, () -> Subsets.first(base, 31));
    assertThrows(IllegalArgumentException.class, () -> Subsets.first(base, 0));
  }

  @Test
  void randomIsSeededAndClassBalanced() {
    // Unbalanced base: 10 images of class 0, 40 of class 1, 10 of class 2.
    int[] labels = new int[60];
    for (int i = 0; i < 60; i++) {
      labels[i] = i < 10 ? 0 : i < 50 ? 1 : 2;
    }
    ImageSet syn = DataLoaderTest.synthetic(60, 3);
    ImageSet base = new ImageSet(syn.pixels(), labels, 3, 4, 5, List.of("a", "b", "c"));
    Dataset d = Subsets.random(base, 15, 42);
    int[] counts = new int[3];
    for (int i = 0; i < d.size(); i++) {
      counts[d.label(i)]++;
    }
    assertArrayEquals(new int[] {5, 5, 5}, counts);
    int[] picked = ids(d, base);
    assertArrayEquals(picked, ids(Subsets.random(base, 15, 42), base), "same seed, same subset");
    assertFalse(java.util.Arrays.equals(picked, ids(Subsets.random(base, 15, 43), base)));
    for (int i = 1; i < picked.length; i++) {
      assertTrue(picked[i - 1] < picked[i], "distinct, in data-set order");
    }
    // More than a small class holds: it gives all it has, the others fill up.
    Dataset big = Subsets.random(base, 50, 1);
    int[] c2 = new int[3];
    for (int i = 0; i < big.size(); i++) {
      c2[big.label(i)]++;
    }
    assertArrayEquals(new int[] {10, 30, 10}, c2);
  }
}
