package bnlab.lab;

import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** Optimizers by {@code --optimizer} name. */
public final class Optimizers {
  /** Builds an optimizer over a model's parameters with a learning rate. */
  @FunctionalInterface
  public interface Factory {
    /** A new optimizer for {@code model} with learning rate {@code lr}. */
    Optimizer create(Module model, double lr);
  }

  private static final Map<String, Factory> FACTORIES = new LinkedHashMap<>();

  static {
    BuiltinOptimizers.register();
  }

  private Optimizers() {}

  /** Adds (or replaces) an optimizer name. */
  public static synchronized void register(String name, Factory f) {
    FACTORIES.put(name, f);
  }

  /** Checks that {@code name} is known. */
  public static synchronized void check(String name) {
    if (!FACTORIES.containsKey(name)) {
      throw new UserError(
          "unknown optimizer '"
              + name
              + "'; known optimizers: "
              + String.join(", ", new TreeSet<>(FACTORIES.keySet())));
    }
  }

  /** A new optimizer {@code name} over {@code model}. */
  public static synchronized Optimizer create(String name, Module model, double lr) {
    check(name);
    return FACTORIES.get(name).create(model, lr);
  }
}
