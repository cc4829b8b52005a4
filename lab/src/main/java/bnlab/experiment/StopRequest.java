package bnlab.experiment;

import bnlab.train.RunStopped;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks running cells to stop at their next mini-batch (they end with status {@code interrupted},
 * keeping everything written so far and their last epoch's checkpoint for a resume) and a grid not
 * to start further cells. {@link Engine} requests it on Ctrl-C; a study or a test may request it
 * from a listener.
 */
public final class StopRequest implements TrainListener {
  private final AtomicBoolean requested = new AtomicBoolean();

  /** A request that nothing has made yet. */
  public StopRequest() {}

  /** Requests the stop (from any thread). */
  public void request() {
    requested.set(true);
  }

  /** Whether a stop was requested. */
  public boolean requested() {
    return requested.get();
  }

  @Override
  public void beforeBatch(Step s) {
    if (requested.get()) {
      throw new RunStopped(
          "interrupted", "interrupted at epoch " + s.epoch() + ", step " + s.step());
    }
  }
}
