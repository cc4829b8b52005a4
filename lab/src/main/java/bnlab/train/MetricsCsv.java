package bnlab.train;

import java.util.function.DoubleSupplier;

/**
 * Writes metrics.csv (model,seed,epoch,step,train_loss,lr): one row every {@code logEvery}
 * mini-batches of the run, train_loss being the true mean over the mini-batches since the previous
 * row and lr the learning rate of the row's last step (it changes under a schedule). The open
 * window (sum, count) is part of the trainer state saved at checkpoints.
 */
public final class MetricsCsv implements TrainListener {
  /** The header of metrics.csv. */
  public static final String HEADER = "model,seed,epoch,step,train_loss,lr";

  private final CsvFile csv;
  private final String model;
  private final long seed;
  private final int logEvery;
  private final DoubleSupplier lr;
  private double sum;
  private int count;

  /** A writer of {@code model}/{@code seed}'s rows into {@code csv} at a constant {@code lr}. */
  public MetricsCsv(CsvFile csv, String model, long seed, int logEvery, double lr) {
    this(csv, model, seed, logEvery, () -> lr);
  }

  /** A writer whose lr column reads the current rate from {@code lr} (e.g. the optimizer's). */
  public MetricsCsv(CsvFile csv, String model, long seed, int logEvery, DoubleSupplier lr) {
    this.csv = csv;
    this.model = model;
    this.seed = seed;
    this.logEvery = logEvery;
    this.lr = lr;
  }

  @Override
  public void onBatch(Step s) {
    sum += s.loss();
    count++;
    if (s.step() % logEvery == 0) {
      csv.row(model, seed, s.epoch(), s.step(), sum / count, lr.getAsDouble());
      sum = 0;
      count = 0;
    }
  }

  /** The open window: {sum, count}. */
  public double[] window() {
    return new double[] {sum, count};
  }

  /** Restores the open window saved by {@link #window()}. */
  public void restore(double[] window) {
    sum = window[0];
    count = (int) window[1];
  }
}
