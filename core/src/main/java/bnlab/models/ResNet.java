package bnlab.models;

import bnlab.nn.BasicBlock;
import bnlab.nn.BatchNorm;
import bnlab.nn.Conv2d;
import bnlab.nn.GlobalAvgPool2d;
import bnlab.nn.Linear;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The residual network for CIFAR-10 of He et al. 2016, §4.2 ("Deep Residual Learning for Image
 * Recognition"), with depth 6n + 2:
 *
 * <pre>
 * conv1 3×3, C → w, bn1, relu                       (N, C, H, W) → (N, w, H, W)
 * layer1: n × {@link BasicBlock}(w),     stride 1   → (N, w, H, W)
 * layer2: n × BasicBlock(2w), the first stride 2    → (N, 2w, ⌈H/2⌉, ⌈W/2⌉)
 * layer3: n × BasicBlock(4w), the first stride 2    → (N, 4w, ⌈H/4⌉, ⌈W/4⌉)
 * global average pool, fc Linear(4w, classes)       → (N, classes)
 * </pre>
 *
 * with w = 16 in the paper: ResNet-20 (n = 3) has 269,722 parameters, ResNet-56 (n = 9) 853,018
 * (the paper's 0.27M and 0.85M) with option-A shortcuts. The shortcuts that change shape use the
 * paper's option A (zero padding, no parameters) or B (1×1 convolution + norm); all others are
 * identities. With {@link Norm#NONE} the convolutions get biases instead of the norm layers
 * (269,034 and 850,986 parameters); otherwise the norm is applied after every convolution, named
 * {@code bn1}, {@code bn2} whatever its kind, as torchvision's {@code norm_layer}.
 *
 * <p>State names are torchvision's: {@code conv1.weight}, {@code bn1.running_mean}, {@code
 * layer1.0.conv1.weight}, {@code layer1.0.bn1.running_mean}, {@code layer2.0.shortcut.0.weight}
 * (option B), {@code fc.weight}; a PyTorch model written the same way has the same state dict (the
 * common akamaster/pytorch_resnet_cifar10 model does, except that it calls fc {@code linear}).
 * Forward and backward are written out as the PyTorch model's forward; {@code
 * requiresInputGrad(false)} reaches conv1; train/eval reach every block. Initialisation: each
 * layer's PyTorch default (Kaiming-uniform a = √5 for conv and linear weights, γ = 1, β = 0), not
 * the paper's He-normal; {@link #zeroInitResidual()} sets each block's last γ to 0 (Goyal et al.
 * 2017).
 */
public final class ResNet extends Module {
  private final String repr;
  private final int blocksPerStage;
  private final Activation activation;
  private final Conv2d conv1;
  private final Module bn1;
  private final Module act;

  /** bn1 and act are a BatchNorm and a ReLU: one pass for both ({@link BatchNorm#forwardRelu}). */
  private final boolean bnRelu;

  private final Sequential layer1;
  private final Sequential layer2;
  private final Sequential layer3;
  private final GlobalAvgPool2d avgpool = new GlobalAvgPool2d();
  private final Linear fc;

  /**
   * A CIFAR-10 ResNet of {@code depth} = 6n + 2 layers (20, 32, 44, 56, 110) on (N, 3, H, W) images
   * with 10 classes and width 16, as in the paper.
   */
  public static ResNet cifar(int depth, Norm norm, BasicBlock.Shortcut shortcut) {
    if (depth < 8 || (depth - 2) % 6 != 0) {
      throw new IllegalArgumentException(
          "ResNet: CIFAR depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110), got " + depth);
    }
    return new ResNet(3, 10, (depth - 2) / 6, 16, norm, shortcut, Activation.RELU);
  }

  /**
   * A ResNet with {@code blocksPerStage} blocks per stage and widths {@code width}, 2·width and
   * 4·width, on (N, inChannels, H, W) inputs with {@code classes} outputs; {@code activation}
   * replaces every ReLU (the paper's is {@link Activation#RELU}).
   */
  public ResNet(
      int inChannels,
      int classes,
      int blocksPerStage,
      int width,
      Norm norm,
      BasicBlock.Shortcut shortcut,
      Activation activation) {
    if (inChannels <= 0
        || classes <= 0
        || blocksPerStage <= 0
        || width <= 0
        || norm == null
        || activation == null) {
      throw new IllegalArgumentException(
          String.format(
              "ResNet: need positive in_channels, classes, blocks per stage and width, a norm and"
                  + " an activation, got in_channels=%d, classes=%d, blocks=%d, width=%d, norm=%s,"
                  + " activation=%s",
              inChannels, classes, blocksPerStage, width, norm, activation));
    }
    this.activation = activation;
    act = activation.create();
    IntFunction<Module> normLayer = norm == Norm.NONE ? null : c -> norm.create(c, true);
    this.blocksPerStage = blocksPerStage;
    conv1 = registerModule("conv1", new Conv2d(inChannels, width, 3, 1, 1, normLayer == null));
    bn1 = normLayer == null ? null : registerModule("bn1", normLayer.apply(width));
    bnRelu = bn1 instanceof BatchNorm && act instanceof ReLU;
    layer1 = registerModule("layer1", stage(width, width, 1, shortcut, normLayer));
    layer2 = registerModule("layer2", stage(width, 2 * width, 2, shortcut, normLayer));
    layer3 = registerModule("layer3", stage(2 * width, 4 * width, 2, shortcut, normLayer));
    fc = registerModule("fc", new Linear(4 * width, classes));
    repr =
        String.format(
            "ResNet(depth=%d, in_channels=%d, classes=%d, width=%d, norm=%s, shortcut=%s,"
                + " activation=%s)",
            depth(), inChannels, classes, width, norm.id(), shortcut, activation.id());
  }

  private Sequential stage(
      int in, int out, int stride, BasicBlock.Shortcut shortcut, IntFunction<Module> normLayer) {
    Sequential s = new Sequential();
    for (int i = 0; i < blocksPerStage; i++) {
      int blockIn = i == 0 ? in : out;
      int blockStride = i == 0 ? stride : 1;
      s.add(
          String.valueOf(i),
          new BasicBlock(blockIn, out, blockStride, shortcut, normLayer, activation::create));
    }
    return s;
  }

  /** The non-linearity after conv1 and in every block (ReLU in the paper). */
  public Activation activation() {
    return activation;
  }

  /** Weight layers: 6n + 2 (convolutions of the residual branches, conv1 and fc). */
  public int depth() {
    return 6 * blocksPerStage + 2;
  }

  /** The blocks in order, layer1.0 first. */
  public List<BasicBlock> blocks() {
    List<BasicBlock> out = new ArrayList<>();
    for (Sequential stage : new Sequential[] {layer1, layer2, layer3}) {
      stage.children().values().forEach(b -> out.add((BasicBlock) b));
    }
    return out;
  }

  /**
   * Sets γ of every block's last norm layer (bn2) to 0 (Goyal et al. 2017, §5.1): each block then
   * starts as relu(shortcut(x)). {@link Module#resetParameters} restores γ = 1, so call this after
   * it. Needs a norm with γ. Returns this.
   */
  public ResNet zeroInitResidual() {
    blocks().forEach(BasicBlock::zeroInitResidual);
    return this;
  }

  /** Also tells conv1 whether dX is needed. */
  @Override
  public ResNet requiresInputGrad(boolean required) {
    super.requiresInputGrad(required);
    conv1.requiresInputGrad(required);
    return this;
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor h;
    // bn1 and the ReLU run in conv1's pass in eval mode (BatchNorm.forwardAfter), a ReLU without
    // bn1 in either mode (ReLU.forwardAfter); bn1 raises no input error then, so every error here
    // is conv1's.
    boolean joined = bnRelu ? !bn1.isTraining() : bn1 == null && act instanceof ReLU;
    try {
      if (!joined) {
        h = conv1.forward(x);
      } else if (bnRelu) {
        h = ((BatchNorm) bn1).forwardAfter(conv1, x, true);
      } else {
        h = ((ReLU) act).forwardAfter(conv1, x);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(repr + ": conv1: " + e.getMessage(), e);
    }
    if (!joined) {
      h = bnRelu ? ((BatchNorm) bn1).forwardRelu(h) : act.forward(bn1 == null ? h : bn1.forward(h));
    }
    h = layer3.forward(layer2.forward(layer1.forward(h)));
    return fc.forward(avgpool.forward(h));
  }

  @Override
  public Tensor backward(Tensor dY) {
    Tensor d = avgpool.backward(fc.backward(dY));
    d = layer1.backward(layer2.backward(layer3.backward(d)));
    if (!bnRelu) {
      d = act.backward(d);
    }
    return conv1.backward(bn1 == null ? d : bn1.backward(d));
  }

  @Override
  public String toString() {
    return repr;
  }
}
