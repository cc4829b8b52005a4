package bnlab.train;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.function.DoubleConsumer;

/**
 * At the end of a run, the test accuracy in <em>training</em> mode: every test batch is normalized
 * with its own statistics instead of the running ones (Ioffe &amp; Szegedy 2015, §3.1: the
 * train/inference discrepancy that small batches make visible; Wu &amp; He 2018, Fig. 1). The test
 * loader should batch like training (same batch size, full batches only), since in training mode a
 * batch-dependent normalization gives different answers for other batch sizes.
 *
 * <p>It runs in {@link #onEpoch} of the trainer's last epoch ({@link EpochResult#last()}), so add
 * it before a listener that saves checkpoints. Training-mode forwards move BN's running statistics
 * and counters; they are saved before and restored after (see {@link ModelState}), so the model and
 * its checkpoint stay exactly as training left them.
 */
public final class TrainModeTest implements TrainListener {
  private final Module model;
  private final DataLoader test;
  private final DoubleConsumer result;
  private final ModelState state;

  /**
   * Measures {@code model} on {@code test}'s epoch 0 at the end of the run and hands the accuracy
   * in [0, 1] (NaN without a single full test batch) to {@code result}.
   */
  public TrainModeTest(Module model, DataLoader test, DoubleConsumer result) {
    this.model = model;
    this.test = test;
    this.result = result;
    this.state = new ModelState(model);
  }

  @Override
  public void onEpoch(EpochResult r) {
    if (!r.last()) {
      return;
    }
    state.save();
    try {
      result.accept(accuracy(model, test));
    } finally {
      state.restore();
      model.train();
    }
  }

  // accuracy over the loader's epoch 0 with the model in training mode
  private static double accuracy(Module model, DataLoader loader) {
    model.train();
    long correct = 0;
    long count = 0;
    try (DataLoader.Epoch it = loader.epoch(0)) {
      while (it.hasNext()) {
        Batch b = it.next();
        Tensor logits = model.forward(b.x());
        for (int i = 0; i < b.size(); i++) {
          correct += Trainer.argmax(logits, i) == b.labels()[i] ? 1 : 0;
        }
        count += b.size();
      }
    }
    return (double) correct / count;
  }
}
