package bnlab.nn;

import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Named layers applied in order, as PyTorch's {@code nn.Sequential(OrderedDict(...))}: the names
 * become the checkpoint prefixes ({@code "conv1.weight"}, {@code "bn1.running_var"}).
 *
 * <p>Forward runs the layers first to last, backward last to first. A {@link Listener} sees every
 * layer's output and input gradient, which is how the lab's probes read activations without the
 * training loop knowing about them.
 */
public final class Sequential extends Module {
  /** Observes the layers' outputs in forward and their output gradients in backward. */
  public interface Listener {
    /** Called after layer {@code name} produced {@code output}. */
    default void onForward(String name, Module layer, Tensor output) {}

    /** Called before layer {@code name} receives {@code dOutput} in backward. */
    default void onBackward(String name, Module layer, Tensor dOutput) {}
  }

  private final List<String> names = new ArrayList<>();
  private final List<Module> layers = new ArrayList<>();
  private Listener listener;

  /** An empty model; add layers with {@link #add}. */
  public Sequential() {}

  /** Appends {@code layer} under {@code name}; returns this for chaining. */
  public Sequential add(String name, Module layer) {
    registerModule(name, layer);
    if (layers.isEmpty() && !requiresInputGrad()) {
      layer.requiresInputGrad(false);
    }
    names.add(name);
    layers.add(layer);
    return this;
  }

  /** Also tells the first layer (now or when added) whether its dX is needed. */
  @Override
  public Sequential requiresInputGrad(boolean required) {
    super.requiresInputGrad(required);
    if (!layers.isEmpty()) {
      layers.get(0).requiresInputGrad(required);
    }
    return this;
  }

  /**
   * Replaces layer {@code name} by {@code replacement} at the same position, under the same name.
   */
  @Override
  protected void replaceChild(String name, Module replacement) {
    setChild(name, replacement);
    layers.set(names.indexOf(name), replacement);
  }

  /** The layer registered as {@code name}. */
  public Module get(String name) {
    Module m = children().get(name);
    if (m == null) {
      throw new IllegalArgumentException("no layer named '" + name + "'; layers: " + names);
    }
    return m;
  }

  /** Number of layers. */
  public int size() {
    return layers.size();
  }

  /** Installs (or with null removes) the listener. */
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor h = x;
    for (int i = 0; i < layers.size(); i++) {
      h = forwardNamed(i, h);
      if (listener != null) {
        listener.onForward(names.get(i), layers.get(i), h);
      }
    }
    return h;
  }

  // Prefixes a layer's input error with its name, so the message reads "conv2: Conv2d(...): ...".
  private Tensor forwardNamed(int i, Tensor h) {
    try {
      return layers.get(i).forward(h);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(names.get(i) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    Tensor g = dY;
    for (int i = layers.size() - 1; i >= 0; i--) {
      if (listener != null) {
        listener.onBackward(names.get(i), layers.get(i), g);
      }
      g = layers.get(i).backward(g);
    }
    return g;
  }
}
