package bnlab.data;

import bnlab.tensor.Rng;

/**
 * A per-image transform applied by {@link DataLoader} between reading an image's bytes and storing
 * it in the batch, in the order given (as torchvision's {@code Compose}). Random transforms draw
 * from {@code rng}, which the loader derives from its seed, the epoch and the batch index, so one
 * seed gives the same augmentations on every machine, with or without prefetching.
 *
 * <p>Images enter as floats in [0, 255] ({@link ToTensor} scales them to [0, 1]).
 */
public interface Transform {
  /** The (C, H, W) this transform produces from an input of (c, h, w). */
  default int[] outputShape(int c, int h, int w) {
    return new int[] {c, h, w};
  }

  /** Transforms {@code img} in place (or through its spare buffer). */
  void apply(Image img, Rng rng);
}
