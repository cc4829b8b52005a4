package bnlab.models;

import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sigmoid;
import java.util.function.Supplier;

/**
 * The non-linearity of the model builders: ReLU, or sigmoid as in Ioffe &amp; Szegedy's experiment
 * where BN's effect is large (saturating units drift without BN).
 */
public enum Activation {
  /** max(0, x). */
  RELU("relu", ReLU::new),
  /** 1 / (1 + e^-x). */
  SIGMOID("sigmoid", Sigmoid::new);

  private final String id;
  private final Supplier<Module> factory;

  Activation(String id, Supplier<Module> factory) {
    this.id = id;
    this.factory = factory;
  }

  /** The name used in layer names and model names ("relu", "sigmoid"). */
  public String id() {
    return id;
  }

  /** A new activation layer. */
  public Module create() {
    return factory.get();
  }
}
