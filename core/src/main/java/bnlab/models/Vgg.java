package bnlab.models;

import bnlab.nn.Conv2d;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Module;
import bnlab.nn.Sequential;

/**
 * A small VGG-like plain CNN with 9 weight layers, the deeper network where BN's effect shows
 * (Santurkar et al. 2018 use VGG on CIFAR-10):
 *
 * <pre>
 * conv1 3x3 C→32, conv2 32→32, pool1 | conv3 32→64, conv4 64→64, pool2 |
 * conv5 64→128, conv6 128→128, pool3 | flatten, fc1 →256, fc2 256→128, fc3 128→classes
 * </pre>
 *
 * Convolutions use padding 1 (size kept), pools 2x2 (size halved, floored); each conv and hidden
 * linear is followed by its {@link Norm} layer (named {@code bn1}..{@code bn8} for BN) and the
 * {@link Activation} ({@code act1}..{@code act8}). Parameters come from {@link bnlab.nn.Init}'s
 * default generator; call {@code resetParameters(new Rng(seed))} for a seeded model.
 */
public final class Vgg {
  private static final int[] CONV = {32, 32, -1, 64, 64, -1, 128, 128, -1};
  private static final int[] FC = {256, 128};

  private Vgg() {}

  /** The network for (N, channels, size, size) inputs and {@code classes} outputs. */
  public static Sequential build(
      int channels, int size, int classes, Norm norm, Activation activation) {
    Sequential s = new Sequential();
    int c = channels;
    int hw = size;
    int layer = 0;
    int pool = 0;
    for (int out : CONV) {
      if (out < 0) {
        s.add("pool" + ++pool, new MaxPool2d(2));
        hw /= 2;
        continue;
      }
      layer++;
      s.add("conv" + layer, new Conv2d(c, out, 3, 1, 1, true));
      addNormAndActivation(s, norm, activation, layer, out, true);
      c = out;
    }
    s.add("flatten", new Flatten());
    int features = c * hw * hw;
    for (int i = 0; i < FC.length; i++) {
      layer++;
      s.add("fc" + (i + 1), new Linear(features, FC[i]));
      addNormAndActivation(s, norm, activation, layer, FC[i], false);
      features = FC[i];
    }
    s.add("fc" + (FC.length + 1), new Linear(features, classes));
    return s;
  }

  static void addNormAndActivation(
      Sequential s, Norm norm, Activation activation, int index, int channels, boolean spatial) {
    Module n = norm.create(channels, spatial);
    if (n != null) {
      s.add(norm.prefix() + index, n);
    }
    s.add(activation.id() + index, activation.create());
  }
}
