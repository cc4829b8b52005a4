package bnlab.data;

import bnlab.tensor.Rng;

/**
 * torchvision's {@code RandomHorizontalFlip(p=0.5)}: mirrors the image left-right with probability
 * p.
 */
public final class RandomHorizontalFlip implements Transform {
  private final float p;

  /** Flips with probability 0.5. */
  public RandomHorizontalFlip() {
    this(0.5f);
  }

  /** Flips with probability {@code p} in [0, 1]. */
  public RandomHorizontalFlip(float p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
    }
    this.p = p;
  }

  @Override
  public void apply(Image img, Rng rng) {
    if (!(rng.nextFloat() < p)) {
      return;
    }
    float[] x = img.data();
    int w = img.width();
    int rows = img.channels() * img.height();
    for (int r = 0; r < rows; r++) {
      for (int lo = r * w, hi = lo + w - 1; lo < hi; lo++, hi--) {
        float t = x[lo];
        x[lo] = x[hi];
        x[hi] = t;
      }
    }
  }

  @Override
  public String toString() {
    return "RandomHorizontalFlip(p=" + p + ")";
  }
}
