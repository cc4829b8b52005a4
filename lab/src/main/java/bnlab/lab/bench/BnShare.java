package bnlab.lab.bench;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;

/**
 * The share of a training step spent inside BatchNorm layers, from a listener that times every
 * layer of a {@link Sequential} model (the timer itself costs a little, so it is kept out of the
 * throughput runs). Models that are not a {@code Sequential} (graph models such as ResNet) have no
 * such listener, and get no share.
 */
final class BnShare {
  private BnShare() {}

  /** Whether {@link #measure} can time {@code model}: a Sequential with BatchNorm layers. */
  static boolean applies(Module model) {
    return model instanceof Sequential
        && model.namedModules().values().stream().anyMatch(BnShare::isBn);
  }

  /** The median over {@code runs} runs of {@code steps} steps of the BN layers' share. */
  static double measure(Sequential model, int runs, int steps, Runnable step) {
    LayerTimer timer = new LayerTimer();
    model.setListener(timer);
    try {
      double[] shares = new double[runs];
      for (int r = 0; r < runs; r++) {
        timer.bnNanos = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          timer.start();
          step.run();
          timer.finish();
        }
        shares[r] = (double) timer.bnNanos / (System.nanoTime() - t0);
      }
      return Runs.median(shares);
    } finally {
      model.setListener(null);
    }
  }

  private static boolean isBn(Module m) {
    return m instanceof BatchNorm2d || m instanceof BatchNorm1d;
  }

  /**
   * Attributes the time between consecutive listener calls to the layer that ran in between: in
   * forward the layer whose output arrives, in backward the layer that last received its gradient.
   */
  private static final class LayerTimer implements Sequential.Listener {
    long bnNanos;
    private long last;
    private Module backwardLayer;

    void start() {
      last = System.nanoTime();
      backwardLayer = null;
    }

    void finish() {
      // Time from the first layer's backward call to the end of the step (incl. the optimizer) is
      // not attributed to a BN layer unless the first layer is one; the zoo's nets start with a
      // convolution.
      backwardLayer = null;
    }

    @Override
    public void onForward(String name, Module layer, Tensor output) {
      long now = System.nanoTime();
      if (isBn(layer)) {
        bnNanos += now - last;
      }
      last = now;
    }

    @Override
    public void onBackward(String name, Module layer, Tensor dOutput) {
      long now = System.nanoTime();
      if (backwardLayer != null && isBn(backwardLayer)) {
        bnNanos += now - last;
      }
      backwardLayer = layer;
      last = now;
    }
  }
}
