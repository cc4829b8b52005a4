package bnlab.experiment;

import bnlab.optim.Optimizer;
import bnlab.train.Step;
import bnlab.train.TrainListener;

/**
 * Sets the optimizer's learning rate before every step from the run's {@link LrSchedule}, as
 * PyTorch's scheduler would; a function of the step alone, so resumed runs get the same rates.
 */
final class ScheduledLr implements TrainListener {
  private final Optimizer optimizer;
  private final double base;
  private final LrSchedule schedule;

  ScheduledLr(Optimizer optimizer, double base, LrSchedule schedule) {
    this.optimizer = optimizer;
    this.base = base;
    this.schedule = schedule;
  }

  @Override
  public void beforeBatch(Step s) {
    optimizer.setLr(schedule.lrAt(base, s.step()));
  }
}
