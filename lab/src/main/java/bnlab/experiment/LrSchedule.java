package bnlab.experiment;

import java.io.Serializable;
import java.util.List;

/**
 * A step learning-rate schedule, PyTorch's {@code MultiStepLR} counted in mini-batches: the rate is
 * {@code lr · gamma^k} where k is the number of milestones already passed, so step s (from 1) uses
 * {@code lr · gamma^(number of milestones < s)}. He et al. 2016 (§4.2) train the CIFAR-10 ResNets
 * with lr 0.1 divided by 10 at 32k and 48k iterations: {@code new LrSchedule(List.of(32000L,
 * 48000L), 0.1)}. (PyTorch's MultiStepLR counts {@code scheduler.step()} calls, usually epochs;
 * here the unit is the mini-batch, as the paper counts iterations.) Being a function of the step
 * alone, the rate of a resumed run is the rate an uninterrupted run would have had.
 *
 * @param milestones steps after which the rate is multiplied by gamma, increasing, each at least 1
 * @param gamma the factor, in (0, 1]
 */
public record LrSchedule(List<Long> milestones, double gamma) implements Serializable {
  /** Checks the values. */
  public LrSchedule {
    milestones = List.copyOf(milestones);
    long prev = 0;
    for (long m : milestones) {
      if (m <= prev) {
        throw new UserError(
            "--lr-milestones must be increasing step numbers of at least 1, got " + milestones);
      }
      prev = m;
    }
    if (!(gamma > 0 && gamma <= 1)) {
      throw new UserError("--lr-gamma must be in (0, 1], got " + gamma);
    }
  }

  /** The rate of step {@code step} (from 1) when the run starts at {@code lr}. */
  public double lrAt(double lr, long step) {
    double out = lr;
    for (long m : milestones) {
      if (step > m) {
        out *= gamma;
      }
    }
    return out;
  }
}
