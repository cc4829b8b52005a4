package bnlab.models;

import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Fully connected networks (multi-layer perceptrons), among them the network of Ioffe &amp; Szegedy
 * 2015, §4.1 (Figure 1): 3 hidden layers of 100 sigmoid units and 10 outputs, trained on MNIST with
 * and without Batch Normalization.
 *
 * <pre>
 * flatten                              (N, C, H, W) → (N, C·H·W)
 * fc1 Linear(C·H·W, h1), [bn1], sigmoid1
 * ...
 * fcK Linear(h(K−1), hK), [bnK], sigmoidK
 * fc(K+1) Linear(hK, classes)          → (N, classes) logits
 * </pre>
 *
 * With {@link Norm#BATCH} each hidden layer's output is normalized by {@code BatchNorm1d} before
 * its non-linearity, as the paper adds BN "to each hidden layer of the network"; the linear layers
 * keep their bias (BN makes it redundant, and keeping it gives both networks the same linear
 * layers). Names follow {@link Vgg}: {@code fc1}, {@code bn1}, {@code sigmoid1}, ... {@code fc4}.
 *
 * <p><b>Initialisation.</b> {@code resetParameters} gives PyTorch's defaults (Kaiming-uniform with
 * a = √5). The paper initialises "to small random Gaussian values" without giving the scale; {@link
 * #gaussianInit} draws every linear weight from N(0, std²) and sets the biases to 0 (PyTorch's
 * {@code nn.init.normal_(w, 0, std)} and {@code zeros_(b)}), leaving BN's γ = 1, β = 0; call it
 * after {@code resetParameters}. The lab's {@code mlp-sigmoid} and {@code mlp-bn-sigmoid} use
 * {@link #IOFFE_INIT_STD}.
 */
public final class Mlp {
  /** Units of each hidden layer of Ioffe &amp; Szegedy's network. */
  public static final int[] IOFFE_HIDDEN = {100, 100, 100};

  /**
   * The standard deviation of the lab's "small random Gaussian" weights: the paper gives none; 0.1
   * keeps the first layer's inputs to the sigmoids at a standard deviation of about 1 on MNIST-like
   * images (784 pixels in [0, 1]) and those of the later layers at about 0.5, inside the sigmoid's
   * near-linear range.
   */
  public static final double IOFFE_INIT_STD = 0.1;

  private Mlp() {}

  /**
   * The network for (N, C, H, W) inputs of {@code inFeatures} = C·H·W values (or (N, inFeatures)),
   * {@code hidden} units per hidden layer, {@code classes} outputs, with {@code norm} and {@code
   * activation} after each hidden linear layer.
   */
  public static Sequential build(
      int inFeatures, int[] hidden, int classes, Norm norm, Activation activation) {
    if (inFeatures < 1 || classes < 1 || hidden.length == 0) {
      throw new IllegalArgumentException(
          "Mlp: needs at least one input feature, one class and one hidden layer");
    }
    Sequential s = new Sequential().add("flatten", new Flatten());
    int in = inFeatures;
    for (int i = 0; i < hidden.length; i++) {
      if (hidden[i] < 1) {
        throw new IllegalArgumentException("Mlp: hidden layer " + (i + 1) + " has no units");
      }
      s.add("fc" + (i + 1), new Linear(in, hidden[i]));
      Vgg.addNormAndActivation(s, norm, activation, i + 1, hidden[i], false);
      in = hidden[i];
    }
    return s.add("fc" + (hidden.length + 1), new Linear(in, classes));
  }

  /** Ioffe &amp; Szegedy's network: 3 hidden layers of 100 sigmoid units, with or without BN. */
  public static Sequential ioffe(int inFeatures, int classes, Norm norm) {
    return build(inFeatures, IOFFE_HIDDEN, classes, norm, Activation.SIGMOID);
  }

  /**
   * Draws every {@link Linear} weight of {@code model} from N(0, std²) and zeroes every linear
   * bias, in registration order from {@code rng}; other layers are left as they are. Returns the
   * number of linear layers initialised.
   */
  public static int gaussianInit(Module model, Rng rng, double std) {
    if (!(std > 0) || Double.isInfinite(std)) {
      throw new IllegalArgumentException("Mlp.gaussianInit: std must be positive, got " + std);
    }
    int n = 0;
    for (Module m : model.namedModules().values()) {
      if (m instanceof Linear fc) {
        float[] w = fc.weight().data().data();
        for (int i = 0; i < fc.weight().size(); i++) {
          w[i] = (float) (std * rng.nextGaussian());
        }
        if (fc.bias() != null) {
          Tensor b = fc.bias().data();
          b.fill(0f);
        }
        n++;
      }
    }
    return n;
  }
}
