package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;

/**
 * How long a run trains: a number of epochs (JSON {@code {"epochs": 5}}), or a number of training
 * samples (JSON {@code {"samples": 40000}}), i.e. {@code samples / batch size} mini-batches, so
 * that runs with different batch sizes see the same amount of data; the last epoch is then cut
 * short and evaluated like a full one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
@JsonSubTypes({@JsonSubTypes.Type(Budget.Epochs.class), @JsonSubTypes.Type(Budget.Samples.class)})
public sealed interface Budget extends Serializable {
  /** The last epoch to train (from 1) when an epoch has {@code batchesPerEpoch} mini-batches. */
  int lastEpoch(int batchesPerEpoch, int batchSize);

  /** The limit on mini-batches in total, or {@link Long#MAX_VALUE} for none. */
  long maxSteps(int batchSize);

  /** {@code n} epochs. */
  static Budget epochs(int n) {
    return new Epochs(n);
  }

  /** {@code n} training samples. */
  static Budget samples(long n) {
    return new Samples(n);
  }

  /**
   * Whole epochs; {@code --resume} may raise the number to extend a run.
   *
   * @param epochs at least 1
   */
  record Epochs(@MayGrow int epochs) implements Budget {
    /** Checks the value. */
    public Epochs {
      if (epochs < 1) {
        throw new UserError("--epochs must be at least 1, got " + epochs);
      }
    }

    @Override
    public int lastEpoch(int batchesPerEpoch, int batchSize) {
      return epochs;
    }

    @Override
    public long maxSteps(int batchSize) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * A number of training samples. Not extendable on resume: the run's last epoch was cut short, and
   * continuing would skip the rest of that epoch's batches.
   *
   * @param samples at least the batch size
   */
  record Samples(long samples) implements Budget {
    /** Checks the value. */
    public Samples {
      if (samples < 1) {
        throw new UserError("--samples must be at least 1, got " + samples);
      }
    }

    @Override
    public int lastEpoch(int batchesPerEpoch, int batchSize) {
      long steps = maxSteps(batchSize);
      return (int) ((steps + batchesPerEpoch - 1) / batchesPerEpoch);
    }

    @Override
    public long maxSteps(int batchSize) {
      return samples / batchSize;
    }
  }
}
