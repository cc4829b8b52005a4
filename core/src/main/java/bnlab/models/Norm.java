package bnlab.models;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchRenorm;
import bnlab.nn.GhostBatchNorm;
import bnlab.nn.GroupNorm;
import bnlab.nn.InstanceNorm2d;
import bnlab.nn.LayerNorm;
import bnlab.nn.Module;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which normalization layer the model builders insert after each convolution or hidden linear
 * layer, before its activation. Each kind is one constant: its name in the run folder's {@code
 * norm} column, the prefix of its layer names ({@code bn1}, {@code bn2}, ...) and a factory. NONE
 * inserts nothing.
 */
public enum Norm {
  /** No normalization. */
  NONE("none", "", (channels, spatial) -> null),
  /** Batch Normalization (Ioffe &amp; Szegedy 2015): BatchNorm2d after convs, 1d after linears. */
  BATCH(
      "batch",
      "bn",
      (channels, spatial) -> spatial ? new BatchNorm2d(channels) : new BatchNorm1d(channels)),
  /**
   * Ghost Batch Normalization (Hoffer et al. 2017) with virtual batches of {@link
   * #GHOST_VIRTUAL_BATCH} samples: the training batch size (and a last partial batch) must be a
   * multiple of it.
   */
  GHOST(
      "ghost",
      "gbn",
      (channels, spatial) -> new GhostBatchNorm(channels, Norm.GHOST_VIRTUAL_BATCH)),
  /**
   * Batch Renormalization (Ioffe 2017) with schedules shortened for runs of a few thousand steps:
   * plain BN for {@link #RENORM_WARMUP} steps, then rmax 1 → 3 and dmax 0 → 5 linearly by step
   * {@link #RENORM_RELAXED}.
   */
  RENORM(
      "renorm",
      "brn",
      (channels, spatial) ->
          new BatchRenorm(
              channels,
              BatchRenorm.linear(Norm.RENORM_WARMUP, Norm.RENORM_RELAXED, 1, 3),
              BatchRenorm.linear(Norm.RENORM_WARMUP, Norm.RENORM_RELAXED, 0, 5),
              1e-5,
              0.1,
              true)),
  /**
   * Group Normalization (Wu &amp; He 2018) with {@link #groups} groups (at most 32, at least two
   * channels per group), after linear layers too (over the features).
   */
  GROUP("group", "gn", (channels, spatial) -> new GroupNorm(groups(channels), channels)),
  /**
   * Layer Normalization (Ba et al. 2016): over (C, H, W) after convolutions, written as GroupNorm
   * with one group (same statistics; γ, β per channel as in CNN practice rather than per element),
   * and LayerNorm(C) after linear layers.
   */
  LAYER(
      "layer",
      "ln",
      (channels, spatial) -> spatial ? new GroupNorm(1, channels) : new LayerNorm(channels)),
  /**
   * Instance Normalization (Ulyanov et al. 2016) after convolutions, with a learnable affine
   * transform (PyTorch's default is none) so that it compares fairly; nothing after linear layers,
   * where an instance has a single value per channel.
   */
  INSTANCE(
      "instance",
      "in",
      (channels, spatial) -> spatial ? new InstanceNorm2d(channels, 1e-5, 0.1, true, false) : null);

  /** Samples per virtual batch of {@link #GHOST}. */
  public static final int GHOST_VIRTUAL_BATCH = 8;

  /** Steps of plain BN before {@link #RENORM} relaxes rmax and dmax. */
  public static final long RENORM_WARMUP = 100;

  /** Step at which {@link #RENORM} reaches rmax = 3 and dmax = 5. */
  public static final long RENORM_RELAXED = 2000;

  /**
   * The number of groups {@link #GROUP} uses for {@code channels}: the largest divisor of channels
   * that is at most 32 (Wu &amp; He's default) and leaves at least two channels per group (so 6 →
   * 3, 16 → 8, 84 → 28, 120 → 30, 128 → 32); 1 for a single channel.
   */
  public static int groups(int channels) {
    for (int g = Math.min(32, channels / 2); g > 1; g--) {
      if (channels % g == 0) {
        return g;
      }
    }
    return 1;
  }

  /** Builds the normalization layer for {@code channels} features. */
  @FunctionalInterface
  public interface Factory {
    /**
     * A new layer over {@code channels} features of a (N, C, H, W) input when {@code spatial}, else
     * (N, C); null for no layer.
     */
    Module create(int channels, boolean spatial);
  }

  private final String id;
  private final String prefix;
  private final Factory factory;

  Norm(String id, String prefix, Factory factory) {
    this.id = id;
    this.prefix = prefix;
    this.factory = factory;
  }

  /** The name used in run folders ("none", "batch", ...). */
  public String id() {
    return id;
  }

  /** The layer-name prefix ("bn" gives bn1, bn2, ...). */
  public String prefix() {
    return prefix;
  }

  /** A new layer for {@code channels} features, or null for {@link #NONE}. */
  public Module create(int channels, boolean spatial) {
    return factory.create(channels, spatial);
  }

  /** The kind called {@code id}; the error lists the known names. */
  public static Norm parse(String id) {
    for (Norm n : values()) {
      if (n.id.equals(id.toLowerCase(Locale.ROOT))) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        "unknown norm '" + id + "'; known: " + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }
}
