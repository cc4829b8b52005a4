package bnlab.data;

import bnlab.tensor.Rng;

/**
 * torchvision's {@code ToTensor}: scales pixel values from [0, 255] to [0, 1] by {@code x / 255}.
 * The (C,H,W) layout is already the loader's, so no transpose is needed.
 */
public final class ToTensor implements Transform {
  /** The transform. */
  public ToTensor() {}

  @Override
  public void apply(Image img, Rng rng) {
    float[] x = img.data();
    int n = img.channels() * img.height() * img.width();
    for (int i = 0; i < n; i++) {
      x[i] = x[i] / 255f;
    }
  }

  @Override
  public String toString() {
    return "ToTensor()";
  }
}
