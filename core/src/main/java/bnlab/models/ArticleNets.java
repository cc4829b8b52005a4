package bnlab.models;

import bnlab.nn.Conv2d;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;

/**
 * Variants of the article's network ({@link ArticleNet}) for the lab.
 *
 * <ul>
 *   <li>{@link #withNorm}: Net with a normalization layer after conv1, conv2 (2d) and fc1, fc2
 *       (1d), each before its ReLU; with {@link Norm#NONE} it is {@link ArticleNet#plain()} with
 *       the same names, so one seed gives both the same initial weights. Any (C, H, W) input size.
 *   <li>{@link #asPublished}: the article's "BN" network as published: it constructs bn1..bn4 but
 *       its forward never calls them, so it computes exactly what Net computes (and the unused BN
 *       parameters never receive a gradient).
 * </ul>
 */
public final class ArticleNets {
  private ArticleNets() {}

  /** Net (+ norm) for (N, channels, size, size) inputs and {@code classes} outputs. */
  public static Sequential withNorm(int channels, int size, int classes, Norm norm) {
    int s1 = (size - 4) / 2;
    int s2 = (s1 - 4) / 2;
    Sequential s = new Sequential().add("conv1", new Conv2d(channels, 6, 5));
    norm(s, norm, 1, 6, true);
    s.add("relu1", new ReLU()).add("pool1", new MaxPool2d(2)).add("conv2", new Conv2d(6, 16, 5));
    norm(s, norm, 2, 16, true);
    s.add("relu2", new ReLU())
        .add("pool2", new MaxPool2d(2))
        .add("flatten", new Flatten())
        .add("fc1", new Linear(16 * s2 * s2, 120));
    norm(s, norm, 3, 120, false);
    s.add("relu3", new ReLU()).add("fc2", new Linear(120, 84));
    norm(s, norm, 4, 84, false);
    return s.add("relu4", new ReLU()).add("fc3", new Linear(84, classes));
  }

  private static void norm(Sequential s, Norm norm, int i, int channels, boolean spatial) {
    Module n = norm.create(channels, spatial);
    if (n != null) {
      s.add(norm.prefix() + i, n);
    }
  }

  /** The article's "Net with BN" as published: BN layers registered but unused in forward. */
  public static Module asPublished(int channels, int size, int classes) {
    return new Published(withNorm(channels, size, classes, Norm.NONE));
  }

  /**
   * Registers Net's layers and bn1..bn4 under the article's names; forward and backward run only
   * Net's layers, as the article's forward does.
   */
  private static final class Published extends Module {
    private final Sequential net;

    Published(Sequential net) {
      this.net = net;
      int[] bnAfter = {6, 16, 120, 84};
      int bn = 0;
      for (var e : net.children().entrySet()) {
        registerModule(e.getKey(), e.getValue());
        if (e.getKey().equals("conv1") || e.getKey().equals("conv2")) {
          registerModule("bn" + (bn + 1), Norm.BATCH.create(bnAfter[bn++], true));
        } else if (e.getKey().equals("fc1") || e.getKey().equals("fc2")) {
          registerModule("bn" + (bn + 1), Norm.BATCH.create(bnAfter[bn++], false));
        }
      }
    }

    @Override
    public Tensor forward(Tensor x) {
      return net.forward(x);
    }

    @Override
    public Tensor backward(Tensor dY) {
      return net.backward(dY);
    }
  }
}
