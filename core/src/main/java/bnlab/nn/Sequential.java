package bnlab.nn;

import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
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
 * own output is not kept. In eval mode a {@link Conv2d} before such a BatchNorm (with running
 * statistics) joins them ({@link BatchNorm#forwardAfter}): the normalization and the ReLU run on
 * each image's output in the convolution's pass, and the convolution's output is not kept; so does
 * a ReLU right after a Conv2d, in either mode ({@link ReLU#forwardAfter}), and a 2×2 {@link
 * MaxPool2d} after such a ReLU. With a listener every layer runs on its own, so that it sees every
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

  /** span[i]: the last forward ran layers i to i + span[i] − 1 as one (0 inside such a run). */
  private int[] span = new int[0];

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
    if (span.length != layers.size()) {
      span = new int[layers.size()];
    }
    Arrays.fill(span, 0);
    Tensor h = x;
    for (int i = 0; i < layers.size(); i += span[i]) {
      span[i] = active == null ? runFrom(i, h) : 1;
      h = forwardNamed(i, h);
      if (active != null) {
        active.onForward(names.get(i), layers.get(i), h);
      }
    }
    return h;
  }

  /**
   * How many layers from i run as one, on input h: a Conv2d, a BatchNorm in eval mode with running
   * statistics that takes its output, a ReLU and a 2×2 MaxPool2d (4, or fewer of them in that
   * order); a Conv2d, a ReLU and such a pool in either mode (3, or 2 without the pool); a BatchNorm
   * and a ReLU (2); else 1. Only eval mode joins a convolution and a BatchNorm, so a BatchNorm's
   * training errors keep its own name, and a pool joins only input it can pool.
   */
  private int runFrom(int i, Tensor h) {
    Module layer = layers.get(i);
    Module next = at(i + 1);
    Module third = at(i + 2);
    if (next instanceof BatchNorm bn
        && bn.follows(layer)
        && !bn.isTraining()
        && bn.trackRunningStats()) {
      if (!(third instanceof ReLU)) {
        return 2;
      }
      return at(i + 3) instanceof MaxPool2d pool && ((Conv2d) layer).poolsInPass(h, pool) ? 4 : 3;
    }
    if (layer instanceof Conv2d conv && next instanceof ReLU) {
      return third instanceof MaxPool2d pool && conv.poolsInPass(h, pool) ? 3 : 2;
    }
    return layer instanceof BatchNorm && next instanceof ReLU ? 2 : 1;
  }

  private Module at(int i) {
    return i < layers.size() ? layers.get(i) : null;
  }

  // Prefixes a layer's input error with its name, so the message reads "conv2: Conv2d(...): ...".
  private Tensor forwardNamed(int i, Tensor h) {
    try {
      Module layer = layers.get(i);
      if (span[i] == 1) {
        return layer.forward(h);
      }
      if (layer instanceof BatchNorm bn) {
        return bn.forwardRelu(h);
      }
      Conv2d conv = (Conv2d) layer;
      Module next = layers.get(i + 1);
      if (next instanceof ReLU relu) {
        return span[i] == 2 ? relu.forwardAfter(conv, h) : relu.forwardAfter(conv, h, pool(i + 2));
      }
      BatchNorm bn = (BatchNorm) next;
      return switch (span[i]) {
        case 2 -> bn.forwardAfter(conv, h, false);
        case 3 -> bn.forwardAfter(conv, h, true);
        default -> bn.forwardAfter(conv, h, pool(i + 3));
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(names.get(i) + ": " + e.getMessage(), e);
    }
  }

  private MaxPool2d pool(int i) {
    return (MaxPool2d) layers.get(i);
  }

  /** Whether layer i is a ReLU whose forward and backward the BatchNorm before it took. */
  private boolean absorbed(int i) {
    return i < span.length
        && span[i] == 0
        && layers.get(i) instanceof ReLU
        && layers.get(i - 1) instanceof BatchNorm;
  }

  /**
   * Whether layer i is a MaxPool2d that takes the backward of the ReLU before it (a ReLU whose
   * backward no BatchNorm took): only without a listener, which sees every layer's backward.
   */
  private boolean poolsThroughRelu(int i) {
    return active == null
        && i > 0
        && layers.get(i) instanceof MaxPool2d
        && layers.get(i - 1) instanceof ReLU
        && !absorbed(i - 1);
  }

  @Override
  public Tensor backward(Tensor dY) {
    Tensor g = dY;
    for (int i = layers.size() - 1; i >= 0; i--) {
      if (absorbed(i)) {
        continue; // the ReLU, whose backward the BatchNorm before it takes
      }
      if (poolsThroughRelu(i)) {
        g = ((MaxPool2d) layers.get(i)).backwardThroughRelu(g);
        i--; // the ReLU, whose backward the pool took
        continue;
      }
      if (active != null) {
        active.onBackward(names.get(i), layers.get(i), g);
      }
      g = layers.get(i).backward(g);
    }
    return g;
  }
}
