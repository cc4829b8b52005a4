package bnlab.models;

import bnlab.nn.Sequential;

/**
 * The article's CIFAR-10 network (the LeNet-style "Net" of PyTorch's CIFAR-10 tutorial), on (N, 3,
 * 32, 32) images giving (N, 10) logits:
 *
 * <pre>
 * conv1 Conv2d(3, 6, 5)   → (N, 6, 28, 28)   relu1, pool1 MaxPool2d(2) → (N, 6, 14, 14)
 * conv2 Conv2d(6, 16, 5)  → (N, 16, 10, 10)  relu2, pool2 MaxPool2d(2) → (N, 16, 5, 5)
 * flatten                 → (N, 400)
 * fc1 Linear(400, 120), relu3, fc2 Linear(120, 84), relu4, fc3 Linear(84, 10)
 * </pre>
 *
 * {@link #withBatchNorm()} is the same network with Batch Normalization (Ioffe &amp; Szegedy 2015)
 * after each convolution and hidden fully connected layer, before its ReLU. The layer names are the
 * state-dict prefixes ({@code "conv1.weight"}). Parameters are initialised with PyTorch's defaults
 * from {@link bnlab.nn.Init}'s default generator; call {@code resetParameters(new Rng(seed))} on
 * the result for a seeded model. Both are {@link ArticleNets#withNorm} on (3, 32, 32) inputs with
 * ten classes, which builds the layers in this order.
 */
public final class ArticleNet {
  private ArticleNet() {}

  /** The network without Batch Normalization (62,006 parameters). */
  public static Sequential plain() {
    return ArticleNets.withNorm(3, 32, 10, Norm.NONE);
  }

  /**
   * The network with Batch Normalization (62,458 parameters, PyTorch defaults eps 1e-5, momentum
   * 0.1): bn1 BatchNorm2d(6) after conv1, bn2 BatchNorm2d(16) after conv2, bn3 BatchNorm1d(120)
   * after fc1 and bn4 BatchNorm1d(84) after fc2, each before its ReLU. The layers before a BN keep
   * their biases, as in the article (the BN shift makes them redundant but harmless).
   */
  public static Sequential withBatchNorm() {
    return ArticleNets.withNorm(3, 32, 10, Norm.BATCH);
  }
}
