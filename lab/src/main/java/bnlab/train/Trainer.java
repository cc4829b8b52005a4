package bnlab.train;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop, PyTorch style: for each mini-batch zero the gradients, forward, loss,
 * backward, optimizer step. Everything else (metrics, console, probes, checkpoints, divergence
 * checks) hangs off {@link TrainListener}s. After each epoch the model is evaluated on the test set
 * in eval mode (running statistics for BN) and switched back to train mode.
 *
 * <p>The loss is the core {@link CrossEntropyLoss}; when it (or a BN layer) meets non-finite values
 * it throws {@link bnlab.nn.NonFiniteException}, which propagates out of {@link #fit} so the caller
 * can record the run as diverged.
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optim;
  private final DataLoader train;
  private final DataLoader test;
  private final CrossEntropyLoss criterion = new CrossEntropyLoss();
  private final List<TrainListener> listeners = new ArrayList<>();
  private final Step s = new Step();
  private long step;
  private long maxSteps = Long.MAX_VALUE;
  private int firstLoaderEpoch = 1;
  private boolean testEveryEpoch = true;
  private AfterBackward afterBackward = loss -> loss;

  /**
   * Called on every mini-batch between backward and the optimizer step: a data-parallel replica
   * averages its gradients with the other replicas' there (as DistributedDataParallel does during
   * backward) and returns the loss the listeners report (the mean over the replicas' parts of the
   * global batch).
   */
  @FunctionalInterface
  public interface AfterBackward {
    /** Synchronizes the gradients; returns the loss to report in place of {@code localLoss}. */
    float apply(float localLoss);
  }

  /**
   * A trainer of {@code model} with {@code optim} on {@code train}, tested on {@code test}. Epoch e
   * of the run (from 1) is {@code train.epoch(e)} (see {@link #firstLoaderEpoch}), so a shuffling
   * loader's order depends only on its seed and e, and a resumed run sees the order an
   * uninterrupted one would have seen. The gradient of the images is never used, so the model is
   * told it need not compute it ({@link Module#requiresInputGrad(boolean)}).
   */
  public Trainer(Module model, Optimizer optim, DataLoader train, DataLoader test) {
    this.model = model;
    model.requiresInputGrad(false);
    this.optim = optim;
    this.train = train;
    this.test = test;
  }

  /** Sets the {@link AfterBackward} hook (default: none). Returns this. */
  public Trainer afterBackward(AfterBackward hook) {
    this.afterBackward = hook;
    return this;
  }

  /** Adds a listener; listeners are called in the order added. Returns this. */
  public Trainer listen(TrainListener l) {
    listeners.add(l);
    return this;
  }

  /** Mini-batches done so far over the whole run (restored on resume). */
  public long step() {
    return step;
  }

  /** Sets the step counter when resuming from a checkpoint. */
  public void setStep(long step) {
    this.step = step;
  }

  /**
   * Ends the run after {@code steps} mini-batches in total, in the middle of an epoch if need be (a
   * budget of samples rather than epochs); that last, partial epoch is evaluated and reported like
   * a full one. Default: no limit. Returns this.
   */
  public Trainer stopAfter(long steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("stopAfter needs at least 1 step, got " + steps);
    }
    this.maxSteps = steps;
    return this;
  }

  /**
   * The loader epoch whose order the run's first epoch uses: run epoch e reads {@code train.epoch(e
   * - 1 + first)}. Default 1 (run epoch e reads loader epoch e). Returns this.
   */
  public Trainer firstLoaderEpoch(int first) {
    this.firstLoaderEpoch = first;
    return this;
  }

  /**
   * Whether every epoch ends with the test (default), or only the last one of a {@link #fit} call;
   * untested epochs report NaN test loss and accuracy. Returns this.
   */
  public Trainer testEveryEpoch(boolean every) {
    this.testEveryEpoch = every;
    return this;
  }

  /**
   * Trains epochs {@code first} to {@code last} inclusive (from 1), or fewer when {@link
   * #stopAfter} ends the run first.
   */
  public void fit(int first, int last) {
    for (int epoch = first; epoch <= last && step < maxSteps; epoch++) {
      for (TrainListener l : listeners) {
        l.onEpochStart(epoch, train.numBatches());
      }
      runEpoch(epoch, last);
    }
  }

  private void runEpoch(int epoch, int lastEpoch) {
    long t0 = System.nanoTime();
    model.train();
    s.epoch = epoch;
    s.batchesPerEpoch = train.numBatches();
    s.batchInEpoch = 0;
    double lossSum = 0;
    int images = 0;
    try (DataLoader.Epoch it = train.epoch(epoch - 1 + firstLoaderEpoch)) {
      while (it.hasNext() && step < maxSteps) {
        Batch batch = it.next(); // valid until the next one is requested
        s.batch = batch;
        s.step = ++step;
        s.batchInEpoch++;
        for (TrainListener l : listeners) {
          l.beforeBatch(s);
        }
        model.zeroGrad();
        Tensor logits = model.forward(batch.x());
        s.loss = criterion.forward(logits, batch.labels());
        model.backward(criterion.backward());
        s.loss = afterBackward.apply(s.loss);
        optim.step();
        lossSum += s.loss;
        images += batch.size();
        for (TrainListener l : listeners) {
          l.onBatch(s);
        }
      }
    }
    s.batch = null;
    double seconds = (System.nanoTime() - t0) / 1e9;
    boolean last = epoch == lastEpoch || step >= maxSteps;
    Evaluation ev = testEveryEpoch || last ? evaluate(test) : NOT_TESTED;
    EpochResult r =
        new EpochResult(
            epoch, step, lossSum / s.batchInEpoch, ev.loss(), ev.accuracy(), seconds, images, last);
    for (TrainListener l : listeners) {
      l.onEpoch(r);
    }
  }

  /** Mean loss and accuracy of {@code model} in eval mode over {@code loader}'s epoch 0. */
  public static Evaluation evaluate(Module model, DataLoader loader) {
    boolean wasTraining = model.isTraining();
    model.eval();
    CrossEntropyLoss ce = new CrossEntropyLoss();
    double lossSum = 0;
    long correct = 0;
    long count = 0;
    try (DataLoader.Epoch it = loader.epoch(0)) {
      while (it.hasNext()) {
        Batch b = it.next();
        Tensor logits = model.forward(b.x());
        int[] labels = b.labels();
        lossSum += (double) ce.forward(logits, labels) * b.size();
        for (int i = 0; i < b.size(); i++) {
          correct += argmax(logits, i) == labels[i] ? 1 : 0;
        }
        count += b.size();
      }
    } finally {
      model.train(wasTraining);
    }
    return new Evaluation(lossSum / count, (double) correct / count);
  }

  private Evaluation evaluate(DataLoader loader) {
    return evaluate(model, loader);
  }

  // index of the largest logit of row i
  static int argmax(Tensor logits, int i) {
    int k = logits.dim(1);
    float[] z = logits.data();
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (z[i * k + j] > z[i * k + best]) {
        best = j;
      }
    }
    return best;
  }

  /** Test-set loss (mean over examples) and accuracy in [0, 1]. */
  public record Evaluation(double loss, double accuracy) {}

  private static final Evaluation NOT_TESTED = new Evaluation(Double.NaN, Double.NaN);
}
