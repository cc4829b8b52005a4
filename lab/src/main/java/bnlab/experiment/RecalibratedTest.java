package bnlab.experiment;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.train.EpochResult;
import bnlab.train.PreciseBn;
import bnlab.train.TrainListener;
import bnlab.train.Trainer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * At the end of a run, the eval-mode test accuracy after precise BN ({@link PreciseBn}): the BN
 * layers' running statistics recomputed as the average over {@code batches} training batches with
 * the final weights, then the test set in eval mode (measurement {@value #ACCURACY}). The model's
 * running statistics are put back afterwards, so its checkpoint stays as training left it. Runs of
 * models without a plain BatchNorm layer (GroupNorm, Batch Renorm, none) get no measurement. The
 * recalibration batches are shuffled i.i.d. batches of the training set in a fixed order, also for
 * runs trained on class-clustered batches: the statistics to estimate are the population's, which
 * clustered batches would estimate with a bias.
 */
final class RecalibratedTest implements TrainListener {
  /** The measurement's name: eval-mode test accuracy after recalibration. */
  static final String ACCURACY = "test_accuracy_recalibrated";

  /** Seed of the training batches' fixed order. */
  static final long ORDER_SEED = 2021;

  private final Module model;
  private final DataLoader train;
  private final DataLoader test;
  private final int batches;
  private final Map<String, Double> measurements;

  private RecalibratedTest(Hook.Context c, int batches, int batchSize) {
    this.model = c.model();
    int b = batchSize > 0 ? batchSize : c.config().batchSize();
    this.train =
        Datasets.loader(c.data().train(), Math.min(b, c.data().train().size()))
            .shuffle(ORDER_SEED)
            .dropLast(true);
    this.test = Datasets.loader(c.data().test(), c.config().evaluation().testBatchSize());
    this.batches = batches;
    this.measurements = c.measurements();
  }

  /**
   * The hook: recalibration over {@code batches} batches of {@code batchSize} training images (0 =
   * the run's training batch size) at the end of every cell whose model has a BatchNorm layer.
   */
  static Hook hook(int batches, int batchSize) {
    return c ->
        PreciseBn.layers(c.model()).isEmpty()
            ? List.of()
            : List.of(new RecalibratedTest(c, batches, batchSize));
  }

  @Override
  public void onEpoch(EpochResult r) {
    if (!r.last()) {
      return;
    }
    List<PreciseBn.Layer> layers = PreciseBn.layers(model);
    List<float[]> saved =
        layers.stream()
            .flatMap(l -> List.of(l.runningMean(), l.runningVar()).stream())
            .map(t -> Arrays.copyOf(t.data(), t.size()))
            .toList();
    long[] counts = layers.stream().mapToLong(l -> l.count().get()).toArray();
    boolean training = model.isTraining();
    try {
      PreciseBn.recalibrate(model, train, batches);
      model.eval();
      measurements.put(ACCURACY, Trainer.evaluate(model, test).accuracy());
    } finally {
      for (int i = 0; i < layers.size(); i++) {
        PreciseBn.Layer l = layers.get(i);
        System.arraycopy(saved.get(2 * i), 0, l.runningMean().data(), 0, l.channels());
        System.arraycopy(saved.get(2 * i + 1), 0, l.runningVar().data(), 0, l.channels());
        l.count().set(counts[i]);
      }
      model.train(training);
    }
  }
}
