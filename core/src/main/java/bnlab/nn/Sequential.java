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
 *
 * <p>Without a listener, a {@link BatchNorm} followed by a {@link ReLU} runs as one layer ({@link
 * BatchNorm#forwardRelu}): the same bits with one pass over memory fewer each way, and the ReLU's
 * own output is not kept. With a listener every layer runs on its own, so that it sees every
 * output; a listener installed between a forward and its backward is called from the next forward
 * on.
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

  /** The listener of the last forward, which its backward calls. */
  private Listener active;

  /** fused[i]: the last forward ran layer i (a BatchNorm) and layer i + 1 (a ReLU) as one. */
  private boolean[] fused = new boolean[0];

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
    active = listener;
    if (fused.length != layers.size()) {
      fused = new boolean[layers.size()];
    }
    Tensor h = x;
    for (int i = 0; i < layers.size(); i++) {
      fused[i] = active == null && fusesWithNext(i);
      h = forwardNamed(i, h);
      if (fused[i]) {
        fused[++i] = false;
      } else if (active != null) {
        active.onForward(names.get(i), layers.get(i), h);
      }
    }
    return h;
  }

  private boolean fusesWithNext(int i) {
    return layers.get(i) instanceof BatchNorm
        && i + 1 < layers.size()
        && layers.get(i + 1) instanceof ReLU;
  }

  // Prefixes a layer's input error with its name, so the message reads "conv2: Conv2d(...): ...".
  private Tensor forwardNamed(int i, Tensor h) {
    try {
      Module layer = layers.get(i);
      return fused[i] ? ((BatchNorm) layer).forwardRelu(h) : layer.forward(h);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(names.get(i) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    Tensor g = dY;
    for (int i = layers.size() - 1; i >= 0; i--) {
      if (i > 0 && fused[i - 1]) {
        continue; // the ReLU, whose backward the BatchNorm before it takes
      }
      if (active != null) {
        active.onBackward(names.get(i), layers.get(i), g);
      }
      g = layers.get(i).backward(g);
    }
    return g;
  }
}
