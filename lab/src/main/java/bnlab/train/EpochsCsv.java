package bnlab.train;

/** Writes epochs.csv: model,seed,epoch,train_loss,test_loss,test_accuracy,seconds. */
public final class EpochsCsv implements TrainListener {
  /** The header of epochs.csv. */
  public static final String HEADER = "model,seed,epoch,train_loss,test_loss,test_accuracy,seconds";

  private final CsvFile csv;
  private final String model;
  private final long seed;

  /** A writer of {@code model}/{@code seed}'s rows into {@code csv}. */
  public EpochsCsv(CsvFile csv, String model, long seed) {
    this.csv = csv;
    this.model = model;
    this.seed = seed;
  }

  @Override
  public void onEpoch(EpochResult r) {
    csv.row(model, seed, r.epoch(), r.trainLoss(), r.testLoss(), r.testAccuracy(), r.seconds());
  }
}
