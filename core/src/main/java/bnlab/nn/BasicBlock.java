package bnlab.nn;

import bnlab.kernel.KernelProvider;
import bnlab.kernel.PoolActivationKernels;
import bnlab.tensor.Tensor;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The residual "basic block" of He et al. 2016 (two 3×3 convolutions), as torchvision's {@code
 * BasicBlock} and the CIFAR-10 ResNets of the paper's §4.2:
 *
 * <pre>
 * out = relu(bn1(conv1(x)))          conv1 3×3, stride s, padding 1: inPlanes → planes
 * out = bn2(conv2(out))              conv2 3×3, stride 1, padding 1: planes → planes
 * y   = relu(out + shortcut(x))
 * </pre>
 *
 * <p>Shapes: x (N, inPlanes, H, W) → y (N, planes, ⌈H/s⌉, ⌈W/s⌉). The shortcut is the identity when
 * s = 1 and inPlanes = planes; otherwise, by the paper's options, {@link Shortcut#A} a {@link
 * ZeroPadShortcut} (strided, zero-padded channels, no parameters) or {@link Shortcut#B} a
 * projection {@code shortcut.0} Conv2d 1×1 with stride s followed by the norm layer {@code
 * shortcut.1}. Backward adds the gradients of the two paths: dX = dX_residual + dX_shortcut.
 *
 * <p>The normalization layers come from {@code normLayer} (channels → module), as torchvision's
 * {@code norm_layer} argument, and are named {@code bn1} and {@code bn2} whatever they are;
 * BatchNorm2d by default. With {@code normLayer} null there is no normalization and every
 * convolution gets a bias (the usual way to remove BN: the bias takes over BN's shift β); with a
 * norm layer the convolutions have none. State names follow torchvision: {@code conv1.weight},
 * {@code bn1.running_mean}, {@code conv2.weight}, {@code bn2.weight}, {@code shortcut.0.weight},
 * {@code shortcut.1.running_var}. The ReLUs hold no state and are not registered (as {@code F.relu}
 * in the PyTorch model); another non-linearity can replace them. Train/eval reach every registered
 * sub-module; {@code requiresInputGrad(false)} reaches conv1 and the shortcut, and backward then
 * returns null. Initialisation: each layer's PyTorch default; {@link #zeroInitResidual()} sets
 * bn2's γ to 0 (Goyal et al. 2017), so that the block starts as relu(shortcut(x)).
 */
public final class BasicBlock extends Module {
  private static final PoolActivationKernels ACT = KernelProvider.get().poolActivation();

  /** How the shortcut changes shape (He et al. 2016, §3.3 and §4.1). */
  public enum Shortcut {
    /** Zero-padded channels, subsampled by the stride; no parameters (the paper's CIFAR choice). */
    A,
    /** A 1×1 convolution with the stride, followed by the norm layer (projection). */
    B
  }

  private final String repr;
  private final Conv2d conv1;
  private final Module bn1;
  private final Module act1;
  private final Conv2d conv2;
  private final Module bn2;
  private final Module shortcut;
  private final Module act2;

  /** bn1 and act1 are a BatchNorm and a ReLU: one pass for both ({@link BatchNorm#forwardRelu}). */
  private final boolean bnRelu;

  private Tensor sum;
  private Tensor dX;

  /** A block with BatchNorm2d (eps 1e-5, momentum 0.1) as its norm layer. */
  public BasicBlock(int inPlanes, int planes, int stride, Shortcut shortcut) {
    this(inPlanes, planes, stride, shortcut, BatchNorm2d::new);
  }

  /**
   * A block whose norm layers come from {@code normLayer} (called with the channel count), or
   * without normalization (convolutions with bias) if it is null.
   */
  public BasicBlock(
      int inPlanes,
      int planes,
      int stride,
      Shortcut shortcut,
      IntFunction<? extends Module> normLayer) {
    this(inPlanes, planes, stride, shortcut, normLayer, ReLU::new);
  }

  /**
   * A block as above whose two non-linearities come from {@code activation} (a new module per call)
   * instead of ReLU, e.g. a smooth one, so that finite differences can check train-mode BatchNorm
   * inside the block.
   */
  public BasicBlock(
      int inPlanes,
      int planes,
      int stride,
      Shortcut shortcut,
      IntFunction<? extends Module> normLayer,
      Supplier<? extends Module> activation) {
    if (inPlanes <= 0 || planes <= 0 || stride <= 0 || shortcut == null || activation == null) {
      throw new IllegalArgumentException(
          String.format(
              "BasicBlock: need positive in_planes, planes and stride, a shortcut option and an"
                  + " activation, got in_planes=%d, planes=%d, stride=%d, shortcut=%s,"
                  + " activation=%s",
              inPlanes, planes, stride, shortcut, activation));
    }
    boolean bias = normLayer == null;
    act1 = activation.get();
    act2 = activation.get();
    conv1 = registerModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias));
    bn1 = bias ? null : registerModule("bn1", norm(normLayer, planes));
    conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias));
    bn2 = bias ? null : registerModule("bn2", norm(normLayer, planes));
    this.shortcut =
        stride == 1 && inPlanes == planes
            ? null
            : registerModule("shortcut", shortcut(inPlanes, planes, stride, shortcut, normLayer));
    bnRelu = bn1 instanceof BatchNorm && act1 instanceof ReLU;
    repr =
        String.format(
            "BasicBlock(%d, %d, stride=%d, shortcut=%s, norm=%s)",
            inPlanes,
            planes,
            stride,
            this.shortcut == null ? "identity" : shortcut.name(),
            bn1 == null ? "none" : bn1.getClass().getSimpleName());
  }

  private static Module norm(IntFunction<? extends Module> normLayer, int channels) {
    Module m = normLayer.apply(channels);
    if (m == null) {
      throw new IllegalArgumentException(
          "BasicBlock: the norm layer factory returned null; pass null instead of the factory for"
              + " a block without normalization");
    }
    return m;
  }

  private static Module shortcut(
      int inPlanes, int planes, int stride, Shortcut option, IntFunction<? extends Module> norm) {
    if (option == Shortcut.A) {
      return new ZeroPadShortcut(inPlanes, planes, stride);
    }
    Sequential projection =
        new Sequential().add("0", new Conv2d(inPlanes, planes, 1, stride, 0, norm == null));
    return norm == null ? projection : projection.add("1", norm(norm, planes));
  }

  /** The block's non-linearity (ReLU unless built with another); it holds no state. */
  public Module activation() {
    return act1;
  }

  /** The shortcut module, or null for the identity. */
  public Module shortcut() {
    return shortcut;
  }

  /**
   * Sets γ (the {@code weight}) of bn2 to 0, so the residual branch starts at 0 (Goyal et al. 2017,
   * §5.1); {@link Module#resetParameters} restores PyTorch's γ = 1. Returns this.
   */
  public BasicBlock zeroInitResidual() {
    Parameter gamma = bn2 == null ? null : bn2.namedParameters().get("weight");
    if (gamma == null) {
      throw new IllegalStateException(
          repr + ": zero-initialising the residual needs a norm layer with a weight (γ)");
    }
    gamma.data().fill(0f);
    return this;
  }

  /** Also tells conv1 and the shortcut whether dX is needed. */
  @Override
  public BasicBlock requiresInputGrad(boolean required) {
    super.requiresInputGrad(required);
    conv1.requiresInputGrad(required);
    if (shortcut != null) {
      shortcut.requiresInputGrad(required);
    }
    return this;
  }

  @Override
  public Tensor forward(Tensor x) {
    // A BatchNorm after a convolution runs in its pass in eval mode (BatchNorm.forwardAfter), a
    // ReLU right after one in either mode (ReLU.forwardAfter).
    Tensor out;
    if (bnRelu) {
      out = ((BatchNorm) bn1).forwardAfter(conv1, x, true);
    } else if (bn1 == null && act1 instanceof ReLU relu) {
      out = relu.forwardAfter(conv1, x);
    } else {
      out = conv1.forward(x);
      out = act1.forward(bn1 == null ? out : bn1.forward(out));
    }
    if (bn2 instanceof BatchNorm bn) {
      out = bn.forwardAfter(conv2, out, false);
    } else {
      out = conv2.forward(out);
      out = bn2 == null ? out : bn2.forward(out);
    }
    Tensor identity = shortcut == null ? x : shortcut.forward(x);
    if (act2 instanceof ReLU relu) {
      // One pass instead of two over the block's largest tensors (and no sum tensor).
      return relu.forwardSum(out, identity);
    }
    sum = Tensor.ensureLike(sum, out);
    add(out, identity, sum);
    return act2.forward(sum);
  }

  @Override
  public Tensor backward(Tensor dY) {
    // d(out + shortcut) flows unchanged into both paths.
    Tensor dSum = act2.backward(dY);
    Tensor d = bn2 == null ? dSum : bn2.backward(dSum);
    d = conv2.backward(d);
    if (!bnRelu) {
      d = act1.backward(d);
    }
    d = conv1.backward(bn1 == null ? d : bn1.backward(d));
    Tensor dShortcut = shortcut == null ? dSum : shortcut.backward(dSum);
    if (!requiresInputGrad()) {
      return null;
    }
    dX = Tensor.ensureLike(dX, d);
    add(d, dShortcut, dX);
    return dX;
  }

  // Split across the kernel threads: at batch 128 this pass ran on one thread while the other
  // waited, 4% of a resnet20 step.
  private static void add(Tensor a, Tensor b, Tensor into) {
    ACT.add(a.data(), b.data(), into.data(), into.size());
  }

  @Override
  public String toString() {
    return repr;
  }
}
