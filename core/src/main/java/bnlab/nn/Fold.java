package bnlab.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Folds eval-mode Batch Normalization into the preceding convolution or linear layer for inference
 * (as PyTorch's {@code torch.fx} / {@code fuse_conv_bn_eval} does). With s = γ/√(running_var + eps)
 * per output channel:
 *
 * <pre>
 * w' = w·s      b' = (b − running_mean)·s + β      (b = 0 when the layer has no bias)
 * </pre>
 *
 * so Conv2d → BatchNorm2d and Linear → BatchNorm1d (on (N, F) input) become one Conv2d / Linear
 * with a bias, and the BN layer disappears; a {@link SyncBatchNorm} in their place (eval mode is
 * BatchNorm's) folds the same way. Only eval mode can be folded: in training BN uses batch
 * statistics, which no fixed affine map reproduces.
 */
public final class Fold {
  private Fold() {}

  /**
   * A new model equal to {@code model} in eval mode with every Conv2d+BatchNorm2d and
   * Linear+BatchNorm1d pair of consecutive layers (in any nested Sequential) replaced by one folded
   * layer named after the conv/linear layer. Other layers are <em>shared</em> with {@code model},
   * not copied; the original keeps its parameters. The result is in eval mode and meant for
   * inference only.
   *
   * @throws IllegalStateException if the model or one of its layers is in training mode, or a BN to
   *     fold has no running statistics
   */
  public static Sequential convBn(Sequential model) {
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      if (e.getValue().isTraining()) {
        String where = e.getKey().isEmpty() ? "the model" : "layer '" + e.getKey() + "'";
        throw new IllegalStateException(
            "Fold.convBn: "
                + where
                + " is in training mode; folding uses the running statistics of eval mode, call"
                + " model.eval() first");
      }
    }
    Sequential out = fold(model);
    out.eval();
    return out;
  }

  private static Sequential fold(Sequential model) {
    List<String> names = new ArrayList<>(model.children().keySet());
    Sequential out = new Sequential();
    for (int i = 0; i < names.size(); i++) {
      Module layer = model.get(names.get(i));
      Module next = i + 1 < names.size() ? model.get(names.get(i + 1)) : null;
      Module folded = foldPair(layer, next, names.get(i + 1 < names.size() ? i + 1 : i));
      if (folded != null) {
        out.add(names.get(i), folded);
        i++;
      } else if (layer instanceof Sequential inner) {
        out.add(names.get(i), fold(inner));
      } else {
        out.add(names.get(i), layer);
      }
    }
    return out;
  }

  private static Module foldPair(Module layer, Module next, String bnName) {
    if (layer instanceof Conv2d conv
        && (next instanceof BatchNorm2d || next instanceof SyncBatchNorm)) {
      BatchNorm bn = (BatchNorm) next;
      Conv2d f =
          new Conv2d(
              conv.inChannels(),
              conv.outChannels(),
              conv.kernelSize(),
              conv.stride(),
              conv.padding(),
              true);
      foldInto(conv.weight(), conv.bias(), f.weight(), f.bias(), bn.namedBuffers(), bn, bnName);
      return f;
    }
    if (layer instanceof Linear lin
        && (next instanceof BatchNorm1d || next instanceof SyncBatchNorm)) {
      BatchNorm bn = (BatchNorm) next;
      Linear f = new Linear(lin.inFeatures(), lin.outFeatures(), true);
      foldInto(lin.weight(), lin.bias(), f.weight(), f.bias(), bn.namedBuffers(), bn, bnName);
      return f;
    }
    return null;
  }

  // w (K, *) and b (K) of the layer, BN over K channels -> w', b' of the folded layer.
  private static void foldInto(
      Parameter w,
      Parameter b,
      Parameter wOut,
      Parameter bOut,
      Map<String, bnlab.tensor.Tensor> buffers,
      BatchNorm bn,
      String bnName) {
    if (!buffers.containsKey("running_mean")) {
      throw new IllegalStateException(
          "Fold.convBn: '"
              + bnName
              + "' has no running statistics (trackRunningStats = false), so eval mode still"
              + " uses batch statistics and cannot be folded");
    }
    float[] mean = buffers.get("running_mean").data();
    float[] var = buffers.get("running_var").data();
    int k = bOut.size();
    if (mean.length != k) {
      throw new IllegalStateException(
          "Fold.convBn: '" + bnName + "' has " + mean.length + " features but follows " + k);
    }
    double eps = bn.eps();
    Map<String, Parameter> p = bn.namedParameters();
    float[] gamma = p.containsKey("weight") ? p.get("weight").data().data() : null;
    float[] beta = p.containsKey("bias") ? p.get("bias").data().data() : null;
    float[] wIn = w.data().data();
    float[] wo = wOut.data().data();
    float[] bo = bOut.data().data();
    int per = wIn.length / k;
    for (int j = 0; j < k; j++) {
      double s = (gamma == null ? 1.0 : gamma[j]) / Math.sqrt(var[j] + eps);
      for (int i = 0; i < per; i++) {
        wo[j * per + i] = (float) (wIn[j * per + i] * s);
      }
      double bias = b == null ? 0.0 : b.data().data()[j];
      bo[j] = (float) ((bias - mean[j]) * s + (beta == null ? 0.0 : beta[j]));
    }
  }
}
