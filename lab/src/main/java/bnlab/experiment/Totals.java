package bnlab.experiment;

import bnlab.train.DivergenceGuard;
import bnlab.train.EpochResult;
import bnlab.train.LossWindow;
import bnlab.train.MetricsCsv;
import bnlab.train.TrainListener;
import bnlab.train.Trainer;
import java.util.Map;

/**
 * A run's totals over its epochs and sessions (epochs done, last test accuracy, wall and training
 * time, images), and the trainer state a checkpoint saves and a resume restores with them.
 */
final class Totals implements TrainListener {
  private final DivergenceGuard guard;
  private final long sessionStart = System.nanoTime();
  private boolean trainedThisSession;
  private double wallBefore;
  private double wallAtEpoch;
  int epochsDone;
  double testAccuracy = Double.NaN;
  double trainSeconds;
  long images;

  Totals(DivergenceGuard guard) {
    this.guard = guard;
  }

  @Override
  public void onEpochStart(int epoch, int batchesPerEpoch) {
    trainedThisSession = true;
  }

  @Override
  public void onEpoch(EpochResult r) {
    epochsDone = r.epoch();
    testAccuracy = r.testAccuracy();
    trainSeconds += r.seconds();
    images += r.trainImages();
  }

  /** Wall time over all sessions; a session that trains nothing (a finished run) adds nothing. */
  double wall() {
    return wallBefore + (trainedThisSession ? (System.nanoTime() - sessionStart) / 1e9 : 0);
  }

  /**
   * Wall time up to the last checkpoint (the end of the last finished epoch, hooks included), as
   * that checkpoint records it: the figure of a finished run, the same when it is re-run.
   */
  double wallAtLastEpoch() {
    return wallAtEpoch;
  }

  /** The trainer state after epoch {@code r}, to be saved now. */
  TrainerState state(
      EpochResult r,
      Trainer trainer,
      MetricsCsv metrics,
      LossWindow last,
      Map<String, Double> measurements,
      RunConfig config) {
    wallAtEpoch = wall();
    return new TrainerState(
        r.epoch(),
        trainer.step(),
        metrics.window(),
        last.values(),
        Double.isFinite(testAccuracy) ? testAccuracy : null,
        wallAtEpoch,
        guard.initial(),
        trainSeconds,
        images,
        Map.copyOf(measurements),
        config);
  }

  /** Continues from {@code s}: the trainer's step, the open windows and these totals. */
  void restore(TrainerState s, Trainer trainer, MetricsCsv metrics, LossWindow last) {
    epochsDone = s.epoch();
    trainer.setStep(s.step());
    metrics.restore(s.metricsWindow());
    last.restore(s.lossWindow());
    testAccuracy = s.testAccuracy() == null ? Double.NaN : s.testAccuracy();
    wallBefore = s.wallSeconds();
    wallAtEpoch = wallBefore;
    guard.restoreInitial(s.initialLoss());
    trainSeconds = s.trainSeconds();
    images = s.images();
  }
}
