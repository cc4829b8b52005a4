package bnlab.experiment;

import bnlab.data.DataLoader;
import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.nn.Sigmoid;
import bnlab.tensor.Tensor;
import bnlab.train.CsvFile;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import bnlab.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The measurements of Ioffe &amp; Szegedy 2015, Figure 1, taken at step 0 (the initial weights),
 * every {@code every} steps and at the last step, after the optimizer step:
 *
 * <ul>
 *   <li>{@value #ACCURACY}: {@code model,seed,step,test_loss,test_accuracy} on the whole test set
 *       (Figure 1a);
 *   <li>{@value #SIGMOID}: {@code model,seed,step,layer,unit,p15,p50,p85}: for every unit of the
 *       last sigmoid layer, the 15th, 50th and 85th percentiles of its input (the output of the
 *       layer before it: the linear layer, or BN with BN) over the first {@code images} test images
 *       (Figure 1b, c show one such unit).
 * </ul>
 *
 * Percentiles are numpy's linear interpolation. A resumed run drops the rows it is about to write
 * again before its first step.
 */
final class SigmoidInputProbe implements TrainListener {
  /** Test loss and accuracy against steps. */
  static final String ACCURACY = "probes/ioffe-accuracy.csv";

  /** Percentiles of the input of each unit of the last sigmoid layer against steps. */
  static final String SIGMOID = "probes/ioffe-sigmoid.csv";

  static final String ACCURACY_HEADER = "model,seed,step,test_loss,test_accuracy";
  static final String SIGMOID_HEADER = "model,seed,step,layer,unit,p15,p50,p85";

  private final RunFolder folder;
  private final String model;
  private final long seed;
  private final Sequential net;
  private final String layer;
  private final int every;
  private final long lastStep;
  private final Tensor probe;
  private final DataLoader test;
  private boolean started;
  private float[] captured;
  private int units;

  private SigmoidInputProbe(Hook.Context c, int every, int images) {
    RunConfig config = c.config();
    if (!(c.model() instanceof Sequential seq) || feedingLastSigmoid(seq) == null) {
      throw new UserError(
          "study ioffe-fig1 measures the input of a sigmoid layer: model '"
              + config.model()
              + "' has none in a Sequential; use mlp-sigmoid, mlp-bn-sigmoid or a vgg-*-sigmoid");
    }
    this.folder = c.folder();
    this.model = config.model();
    this.seed = config.seed();
    this.net = seq;
    this.layer = feedingLastSigmoid(seq);
    this.every = every;
    this.lastStep = config.budget().maxSteps(config.batchSize());
    int n = Math.min(images, c.data().test().size());
    try (DataLoader.Epoch it = Datasets.loader(c.data().test(), n).prefetch(0).epoch(0)) {
      this.probe = it.next().x().copy();
    }
    this.test = Datasets.loader(c.data().test(), config.evaluation().testBatchSize());
  }

  /** The hook: one probe per cell, measuring every {@code every} steps on {@code images}. */
  static Hook hook(int every, int images) {
    return c -> List.of(new SigmoidInputProbe(c, every, images));
  }

  /** The name of the layer whose output enters the last Sigmoid of {@code seq}, or null. */
  static String feedingLastSigmoid(Sequential seq) {
    String prev = null;
    String found = null;
    for (Map.Entry<String, Module> e : seq.children().entrySet()) {
      if (e.getValue() instanceof Sigmoid && prev != null) {
        found = prev;
      }
      prev = e.getKey();
    }
    return found;
  }

  @Override
  public void beforeBatch(Step s) {
    if (started) {
      return;
    }
    started = true;
    long from = s.step() == 1 ? 0 : s.step();
    // A resumed cell measures these steps again; torn rows from a crash go too (one notice each).
    String[][] files = {{ACCURACY, ACCURACY_HEADER}, {SIGMOID, SIGMOID_HEADER}};
    for (String[] f : files) {
      folder.keepRows(
          f[0],
          f[1],
          r -> !(r[0].equals(model) && r[1].equals(Long.toString(seed)) && ours(r, from)),
          m -> System.err.println("bnlab: " + m));
    }
    if (s.step() == 1) {
      measure(0);
    }
  }

  private static boolean ours(String[] row, long from) {
    return Long.parseLong(row[2]) >= from;
  }

  @Override
  public void onBatch(Step s) {
    if (s.step() % every == 0 || s.step() == lastStep) {
      measure(s.step());
    }
  }

  private void measure(long step) {
    boolean training = net.isTraining();
    List<float[]> buffers = new ArrayList<>();
    net.namedBuffers().values().forEach(t -> buffers.add(Arrays.copyOf(t.data(), t.size())));
    List<Long> counts = new ArrayList<>();
    net.namedCounters().values().forEach(c -> counts.add(c.get()));
    net.train();
    net.setListener(
        new Sequential.Listener() {
          @Override
          public void onForward(String name, Module m, Tensor out) {
            if (name.equals(layer)) {
              if (out.rank() != 2) {
                throw new UserError(
                    "study ioffe-fig1: the input of the last sigmoid ("
                        + layer
                        + ") must be (N, units), got rank "
                        + out.rank());
              }
              captured = Arrays.copyOf(out.data(), out.size());
              units = out.dim(1);
            }
          }
        });
    try {
      net.forward(probe);
    } finally {
      net.setListener(null);
      net.train(training);
      restore(buffers, counts);
    }
    Trainer.Evaluation ev = Trainer.evaluate(net, test);
    try (CsvFile acc = folder.append(ACCURACY, ACCURACY_HEADER)) {
      acc.row(model, seed, step, ev.loss(), ev.accuracy());
    }
    try (CsvFile sig = folder.append(SIGMOID, SIGMOID_HEADER)) {
      int n = captured.length / units;
      float[] v = new float[n];
      for (int u = 0; u < units; u++) {
        for (int i = 0; i < n; i++) {
          v[i] = captured[i * units + u];
        }
        Arrays.sort(v);
        sig.row(
            model, seed, step, layer, u, quantile(v, 0.15), quantile(v, 0.5), quantile(v, 0.85));
      }
    }
  }

  private void restore(List<float[]> buffers, List<Long> counts) {
    int i = 0;
    for (Tensor t : net.namedBuffers().values()) {
      float[] b = buffers.get(i++);
      System.arraycopy(b, 0, t.data(), 0, b.length);
    }
    i = 0;
    for (Counter c : net.namedCounters().values()) {
      c.set(counts.get(i++));
    }
  }

  /** numpy's default (linear) quantile of sorted values. */
  static double quantile(float[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
