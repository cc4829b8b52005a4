package bnlab.models;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
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
      (channels, spatial) -> spatial ? new BatchNorm2d(channels) : new BatchNorm1d(channels));

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
