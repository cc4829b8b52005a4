package bnlab.experiment;

import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** Optimizers by name ({@link OptimizerConfig#name()}, the command line's {@code --optimizer}). */
public final class Optimizers {
  /** Builds an optimizer over a model's parameters from its configuration. */
  @FunctionalInterface
  public interface Factory {
    /**
     * A new optimizer for {@code model} with {@code config}'s learning rate (and momentum, for
     * optimizers that have one); a setting the optimizer does not have is a {@link UserError}.
     */
    Optimizer create(Module model, OptimizerConfig config);
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

  /** A new optimizer over {@code model} as {@code config} describes it. */
  public static synchronized Optimizer create(Module model, OptimizerConfig config) {
    check(config.name());
    return FACTORIES.get(config.name()).create(model, config);
  }
}
