package bnlab.reference.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.List;

/**
 * The loop a libtorch user runs, through DJL's PyTorch engine: {@code opt.zero_grad(); loss =
 * F.cross_entropy(model(x), y); loss.backward(); opt.step()}, and {@code model.eval()} with
 * gradients off for inference.
 *
 * <p>Cross-entropy is {@code -log_softmax(logits).gather(y).mean()} (DJL has no {@code nll_loss});
 * autograd runs inside DJL's gradient collector. Adam (lr as given, β = (0.9, 0.999), eps 1e-8, no
 * weight decay) is DJL's native update, one JNI call per parameter running libtorch tensor ops (as
 * {@code torch.optim.Adam}'s single-tensor path does, with eps added before rather than after the
 * bias correction, which does not change the cost). Gradients are zeroed in place ({@code
 * zero_grad(set_to_none=False)}). Every tensor a step creates is freed when the step ends: it lives
 * in a sub-manager closed after the step.
 */
final class TorchTrainer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final TorchModule model;
  private final NDManager base;
  private final PtNDArray[] params;
  private final PtNDArray[] mean;
  private final PtNDArray[] variance;
  private final float lr;
  private int t;
  private int lastStepTensors;

  TorchTrainer(TorchModule model, NDManager base, List<PtNDArray> parameters, float lr) {
    this.model = model;
    this.base = base;
    this.params = parameters.toArray(PtNDArray[]::new);
    this.mean = new PtNDArray[params.length];
    this.variance = new PtNDArray[params.length];
    for (int i = 0; i < params.length; i++) {
      mean[i] = (PtNDArray) base.zeros(params[i].getShape());
      variance[i] = (PtNDArray) base.zeros(params[i].getShape());
    }
    this.lr = lr;
  }

  /** One training step on images x (N, 3, 32, 32) and labels (N, 1) int64; returns the loss. */
  float trainStep(PtNDArray x, PtNDArray labels) {
    try (NDManager step = base.newSubManager()) {
      step.tempAttachAll(x, labels);
      for (PtNDArray p : params) {
        JniUtils.zeroGrad(p);
      }
      float loss;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        PtNDArray logits = model.forward(x, true);
        PtNDArray l = crossEntropy(logits, labels);
        gc.backward(l);
        loss = l.getFloat();
      }
      adam();
      // minus x and the labels, which were only attached
      lastStepTensors = step.getManagedArrays().size() - 2;
      return loss;
    }
  }

  /** Eval-mode forward with gradients off; returns one logit so the work cannot be skipped. */
  float inferStep(PtNDArray x) {
    try (NDManager step = base.newSubManager()) {
      step.tempAttachAll(x);
      PtNDArray logits = model.forward(x, false);
      lastStepTensors = step.getManagedArrays().size() - 1;
      return logits.getFloat(0, 0);
    }
  }

  /**
   * Tensor handles the last step created through DJL (each one JNI call into libtorch), plus for a
   * training step the per-parameter calls: zero_grad, reading the gradient, the Adam update.
   */
  int callsPerStep(boolean training) {
    return lastStepTensors + (training ? 3 * params.length : 0);
  }

  static PtNDArray crossEntropy(PtNDArray logits, PtNDArray labels) {
    PtNDArray logp = JniUtils.logSoftmax(logits, 1, DataType.FLOAT32);
    PtNDArray picked = JniUtils.gather(logp, labels, 1);
    return JniUtils.neg(JniUtils.mean(picked));
  }

  private void adam() {
    t++;
    double correction = Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
    float stepLr = (float) (lr * correction);
    for (int i = 0; i < params.length; i++) {
      try (PtNDArray g = params[i].getGradient()) {
        JniUtils.adamUpdate(
            params[i], g, mean[i], variance[i], lr, stepLr, 0f, 1f, -1f, BETA1, BETA2, EPS, false);
      }
    }
  }
}
