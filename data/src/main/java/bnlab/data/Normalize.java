package bnlab.data;

import bnlab.tensor.Rng;
import java.util.Arrays;

/**
 * torchvision's {@code Normalize(mean, std)}: {@code x[c] = (x[c] - mean[c]) / std[c]} per channel.
 * For CIFAR-10 after {@link ToTensor}, e.g. mean (0.4914, 0.4822, 0.4465) and std (0.2470, 0.2435,
 * 0.2616), or (0.5, 0.5, 0.5) twice as in PyTorch's CIFAR-10 tutorial.
 */
public final class Normalize implements Transform {
  private final float[] mean;
  private final float[] std;

  /**
   * @param mean per-channel mean
   * @param std per-channel standard deviation, each positive
   */
  public Normalize(float[] mean, float[] std) {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "Normalize: mean "
              + Arrays.toString(mean)
              + " and std "
              + Arrays.toString(std)
              + " must have one value per channel");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException(
            "Normalize: std must be positive, got " + Arrays.toString(std));
      }
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  @Override
  public int[] outputShape(int c, int h, int w) {
    checkChannels(c);
    return new int[] {c, h, w};
  }

  private void checkChannels(int c) {
    if (c != mean.length) {
      throw new IllegalArgumentException(
          "Normalize: " + mean.length + " channel statistics for images with " + c + " channels");
    }
  }

  @Override
  public void apply(Image img, Rng rng) {
    int c = img.channels();
    checkChannels(c);
    float[] x = img.data();
    int plane = img.height() * img.width();
    for (int ch = 0; ch < c; ch++) {
      float m = mean[ch];
      float s = std[ch];
      for (int i = ch * plane, end = i + plane; i < end; i++) {
        x[i] = (x[i] - m) / s;
      }
    }
  }

  @Override
  public String toString() {
    return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
  }
}
