package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a composition of layers, with PyTorch's module contract.
 *
 * <ul>
 *   <li>{@link #forward} computes the output and caches what {@link #backward} needs. The returned
 *       tensor belongs to the module and is overwritten by the next forward call: copy it to keep
 *       it.
 *   <li>{@link #backward} takes dL/dY of the most recent forward, returns dL/dX (also owned by the
 *       module) and <em>adds</em> the parameters' gradients into {@link Parameter#grad()}.
 *   <li>{@link #train()} and {@link #eval()} switch the mode of this module and every sub-module.
 *   <li>Parameters, float buffers (e.g. {@code running_mean}) and counters (e.g. {@code
 *       num_batches_tracked}) are registered under PyTorch's names; {@link #namedParameters()} and
 *       friends prefix them with the sub-module path ({@code "bn1.running_var"}), which is also the
 *       checkpoint name.
 * </ul>
 */
public abstract class Module {
  private boolean training = true;
  private boolean inputGrad = true;
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Map<String, Counter> counters = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();

  // Array copies of the parameters and children, so the per-step zeroGrad walks the tree without
  // building maps or iterators.
  private Parameter[] ownParameters = new Parameter[0];
  private Module[] childArray = new Module[0];

  /** Computes the output for {@code x} and caches what backward needs. */
  public abstract Tensor forward(Tensor x);

  /**
   * Returns dL/dX for the last forward and accumulates parameter gradients. If {@link
   * #requiresInputGrad()} is false, a layer that honours it may skip dX and return null.
   */
  public abstract Tensor backward(Tensor dY);

  /**
   * Declares whether backward must compute dL/dX (default true). A model's first layer can say
   * false, since nobody reads the gradient of the data: layers that honour it (Conv1d, Conv2d,
   * Linear, and Sequential for its first layer) then skip the input-gradient products, and their
   * backward returns null; parameter gradients are unchanged. Other layers compute dX anyway (like
   * PyTorch, where an input without requires_grad gets no gradient). Returns this.
   */
  public Module requiresInputGrad(boolean required) {
    inputGrad = required;
    return this;
  }

  /** Whether backward must compute dL/dX; see {@link #requiresInputGrad(boolean)}. */
  public final boolean requiresInputGrad() {
    return inputGrad;
  }

  /**
   * Re-initialises this module's own parameters from {@code rng} (PyTorch's defaults). Modules
   * without parameters keep the default, which does nothing.
   */
  protected void initParameters(Rng rng) {}

  /** Re-initialises all parameters, depth-first in registration order, from one generator. */
  public final void resetParameters(Rng rng) {
    initParameters(rng);
    for (Module child : children.values()) {
      child.resetParameters(rng);
    }
  }

  /** Registers a parameter under {@code name}; returns it. */
  protected final Parameter registerParameter(String name, Parameter p) {
    checkFree(name);
    parameters.put(name, p);
    ownParameters = parameters.values().toArray(new Parameter[0]);
    return p;
  }

  /** Registers a float buffer (saved in checkpoints, not learned) under {@code name}. */
  protected final Tensor registerBuffer(String name, Tensor t) {
    checkFree(name);
    buffers.put(name, t);
    return t;
  }

  /** Registers an integer buffer under {@code name}. */
  protected final Counter registerCounter(String name, Counter c) {
    checkFree(name);
    counters.put(name, c);
    return c;
  }

  /** Registers a sub-module under {@code name}; returns it. */
  protected final <M extends Module> M registerModule(String name, M m) {
    checkFree(name);
    if (name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException("module name must be non-empty without '.': " + name);
    }
    children.put(name, m);
    childArray = children.values().toArray(new Module[0]);
    return m;
  }

  /**
   * Replaces the sub-module registered as {@code name} by {@code replacement}, which takes its name
   * (so its state keeps the same dotted names), as PyTorch's {@code setattr(module, name, child)}:
   * what {@link SyncBatchNorm#convert} does to every BatchNorm. Replacing a child is safe only if
   * the module reads its children through the registry, so the default refuses: a module that also
   * keeps a child in a field must override this to update the field too and call {@link #setChild}.
   *
   * @throws UnsupportedOperationException if this module does not support it
   */
  protected void replaceChild(String name, Module replacement) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName()
            + " cannot replace its sub-module '"
            + name
            + "': it does not override Module.replaceChild to update the field that holds it");
  }

  /** Points the registered child {@code name} at {@code replacement} (for replaceChild). */
  protected final void setChild(String name, Module replacement) {
    if (!children.containsKey(name)) {
      throw new IllegalArgumentException("no sub-module named '" + name + "' to replace");
    }
    children.put(name, java.util.Objects.requireNonNull(replacement, "replacement"));
    childArray = children.values().toArray(new Module[0]);
  }

  private void checkFree(String name) {
    if (parameters.containsKey(name)
        || buffers.containsKey(name)
        || counters.containsKey(name)
        || children.containsKey(name)) {
      throw new IllegalArgumentException("name already in use: " + name);
    }
  }

  /** Sets training mode on this module and all sub-modules; returns this. */
  public Module train(boolean mode) {
    training = mode;
    for (Module child : children.values()) {
      child.train(mode);
    }
    return this;
  }

  /** Training mode (batch statistics, dropout active). */
  public final Module train() {
    return train(true);
  }

  /** Evaluation mode (running statistics, dropout off). */
  public final Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode. */
  public final boolean isTraining() {
    return training;
  }

  /** Direct sub-modules by name, in registration order. */
  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /** All modules of the tree with their dotted paths, this one first under "". */
  public final Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    collectModules("", out);
    return out;
  }

  private void collectModules(String prefix, Map<String, Module> out) {
    out.put(prefix, this);
    children.forEach((n, c) -> c.collectModules(prefix.isEmpty() ? n : prefix + "." + n, out));
  }

  /** All parameters with dotted names ({@code "conv1.weight"}), depth-first. */
  public final Map<String, Parameter> namedParameters() {
    return collect(m -> m.parameters);
  }

  /** All float buffers with dotted names ({@code "bn1.running_mean"}). */
  public final Map<String, Tensor> namedBuffers() {
    return collect(m -> m.buffers);
  }

  /** All integer buffers with dotted names ({@code "bn1.num_batches_tracked"}). */
  public final Map<String, Counter> namedCounters() {
    return collect(m -> m.counters);
  }

  /** All parameters, depth-first in registration order. */
  public final List<Parameter> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Total number of learnable elements. */
  public final long parameterCount() {
    long n = 0;
    for (Parameter p : namedParameters().values()) {
      n += p.size();
    }
    return n;
  }

  /** Zeroes every parameter's gradient. */
  public final void zeroGrad() {
    for (Parameter p : ownParameters) {
      p.zeroGrad();
    }
    for (Module c : childArray) {
      c.zeroGrad();
    }
  }

  private <T> Map<String, T> collect(java.util.function.Function<Module, Map<String, T>> own) {
    Map<String, T> out = new LinkedHashMap<>();
    namedModules()
        .forEach(
            (path, m) ->
                own.apply(m).forEach((n, v) -> out.put(path.isEmpty() ? n : path + "." + n, v)));
    return out;
  }
}
