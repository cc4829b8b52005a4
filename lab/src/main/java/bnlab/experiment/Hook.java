package bnlab.experiment;

import bnlab.nn.Module;
import bnlab.train.TrainListener;
import java.util.List;
import java.util.Map;

/**
 * A study's own measurements on every cell it runs: listeners added to the cell's trainer after the
 * built-in ones (metrics, console, probes, totals) and before the listener that saves checkpoints,
 * so whatever they put into {@link Context#measurements()} during an epoch is saved with that
 * epoch's checkpoint, restored on resume, and reported in {@link RunResult#measurements()}. The
 * end-of-run test in training mode of the small-batch study is one ({@link
 * RunConfig.Evaluation#trainModeTest()}).
 */
@FunctionalInterface
public interface Hook {
  /** The listeners for one cell, created for it. */
  List<TrainListener> listeners(Context cell);

  /**
   * One cell as a hook sees it.
   *
   * @param config the cell's configuration
   * @param model the model being trained
   * @param data the training and test sets
   * @param folder the folder the cell writes into (shared with other cells in compare and train: a
   *     hook's own files should name model and seed in their rows, as the probes' files do)
   * @param measurements name → value, filled by the hooks' listeners (thread-confined to the cell)
   */
  record Context(
      RunConfig config,
      Module model,
      Datasets.Pair data,
      RunFolder folder,
      Map<String, Double> measurements) {}
}
