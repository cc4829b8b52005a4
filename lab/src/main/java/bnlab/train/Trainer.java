package bnlab.train;

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
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optim;
  private final BatchLoader train;
  private final BatchLoader test;
  private final CrossEntropy criterion = new CrossEntropy();
  private final List<TrainListener> listeners = new ArrayList<>();
  private final Step s = new Step();
  private final Batch batch = new Batch();
  private long step;

  /**
   * A trainer of {@code model} with {@code optim} on {@code train}, tested on {@code test}. The
   * gradient of the images is never used, so the model is told it need not compute it ({@link
   * Module#requiresInputGrad(boolean)}).
   */
  public Trainer(Module model, Optimizer optim, BatchLoader train, BatchLoader test) {
    this.model = model;
    model.requiresInputGrad(false);
    this.optim = optim;
    this.train = train;
    this.test = test;
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

  /** Trains epochs {@code first} to {@code last} inclusive (from 1). */
  public void fit(int first, int last) {
    for (int epoch = first; epoch <= last; epoch++) {
      for (TrainListener l : listeners) {
        l.onEpochStart(epoch, train.batchesPerEpoch());
      }
      runEpoch(epoch);
    }
  }

  private void runEpoch(int epoch) {
    long t0 = System.nanoTime();
    model.train();
    train.startEpoch(epoch);
    s.epoch = epoch;
    s.batchesPerEpoch = train.batchesPerEpoch();
    s.batch = batch;
    s.batchInEpoch = 0;
    double lossSum = 0;
    int images = 0;
    while (train.next(batch)) {
      s.step = ++step;
      s.batchInEpoch++;
      for (TrainListener l : listeners) {
        l.beforeBatch(s);
      }
      model.zeroGrad();
      Tensor logits = model.forward(batch.x);
      s.loss = criterion.forward(logits, batch.labels, batch.n);
      model.backward(criterion.backward());
      optim.step();
      lossSum += s.loss;
      images += batch.n;
      for (TrainListener l : listeners) {
        l.onBatch(s);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Evaluation ev = evaluate(test);
    EpochResult r =
        new EpochResult(
            epoch, step, lossSum / s.batchInEpoch, ev.loss(), ev.accuracy(), seconds, images);
    for (TrainListener l : listeners) {
      l.onEpoch(r);
    }
  }

  /** Mean loss and accuracy of {@code model} in eval mode over {@code loader}'s data. */
  public static Evaluation evaluate(Module model, BatchLoader loader) {
    boolean wasTraining = model.isTraining();
    model.eval();
    CrossEntropy ce = new CrossEntropy();
    Batch b = new Batch();
    loader.startEpoch(1);
    double lossSum = 0;
    long correct = 0;
    long count = 0;
    while (loader.next(b)) {
      Tensor logits = model.forward(b.x);
      lossSum += (double) ce.forward(logits, b.labels, b.n) * b.n;
      for (int i = 0; i < b.n; i++) {
        correct += CrossEntropy.argmax(logits, i) == b.labels[i] ? 1 : 0;
      }
      count += b.n;
    }
    model.train(wasTraining);
    return new Evaluation(lossSum / count, (double) correct / count);
  }

  private Evaluation evaluate(BatchLoader loader) {
    return evaluate(model, loader);
  }

  /** Test-set loss (mean over examples) and accuracy in [0, 1]. */
  public record Evaluation(double loss, double accuracy) {}
}
