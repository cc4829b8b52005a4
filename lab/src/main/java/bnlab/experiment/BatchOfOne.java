package bnlab.experiment;

import bnlab.data.Dataset;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Training mini-batches of one sample, decided before training. BatchNorm normalizes with the
 * batch's statistics and needs more than one value per channel (PyTorch: "Expected more than 1
 * value per channel when training"): a {@code BatchNorm1d} after a linear layer sees one value per
 * channel in a batch of one, a {@code BatchNorm2d} sees H·W and is fine. Whether a model trains on
 * one sample is therefore asked of the model itself: a new instance runs one training-mode forward
 * of a zero image, and the layer that refuses names itself.
 *
 * <ul>
 *   <li>{@code --batch-size 1} with such a model is refused up front, naming the layer;
 *   <li>a last batch of one (the training set's size is 1 more than a multiple of the batch size,
 *       e.g. {@code --subset 491 --batch-size 10}) is skipped for such a model, as PyTorch's {@code
 *       drop_last} would, with a note; the epoch is never lost. Other models keep it.
 * </ul>
 */
final class BatchOfOne {
  private static final Map<String, String> REFUSALS = new ConcurrentHashMap<>();

  private BatchOfOne() {}

  /**
   * Whether {@code config}'s run on {@code train} drops its last batch: when the configuration says
   * so, or when that batch would hold one sample that the model cannot train on.
   *
   * @throws UserError if every batch holds one sample ({@code --batch-size 1}) and the model cannot
   *     train on one
   */
  static boolean dropLast(RunConfig config, Dataset train) {
    int b = config.batchSize();
    boolean dropLast = config.batching().dropLast();
    boolean lastOfOne = !dropLast && train.size() > b && train.size() % b == 1;
    if (b > 1 && !lastOfOne) {
      return dropLast;
    }
    String refusal = refusal(config.model(), train);
    if (refusal == null) {
      return dropLast;
    }
    if (b == 1) {
      throw new UserError(
          "--batch-size 1: model '"
              + config.model()
              + "' cannot train on one sample at a time ("
              + refusal
              + "); use --batch-size 2 or more, or a model without batch statistics (e.g. net,"
              + " net-gn, net-ln)");
    }
    return true;
  }

  /**
   * The note a run prints when {@link #dropLast} skips its last batch of one although the
   * configuration keeps last batches.
   */
  static String note(RunConfig config, Dataset train) {
    return "the last mini-batch of each epoch would hold 1 of the "
        + train.size()
        + " training images, and "
        + config.model()
        + " cannot train on one sample ("
        + refusal(config.model(), train)
        + "): it is skipped, "
        + (train.size() - 1)
        + " images per epoch; --drop-last drops every model's last partial batch, keeping a"
        + " comparison even";
  }

  /** The refusing layer's message if {@code model} cannot train on a batch of one, else null. */
  private static String refusal(String model, Dataset train) {
    int[] shape = Datasets.itemShape(train);
    String key = model + " " + shape[0] + "x" + shape[1] + "x" + shape[2] + " " + train.classes();
    return REFUSALS
        .computeIfAbsent(key, k -> probe(model, shape, train.classes().size()))
        .transform(s -> s.isEmpty() ? null : s);
  }

  private static String probe(String model, int[] shape, int classes) {
    Module m = ModelZoo.get(model).factory().build(shape, classes, 0);
    m.train();
    try {
      m.forward(Tensor.zeros(1, shape[0], shape[1], shape[2]));
      return "";
    } catch (IllegalArgumentException e) {
      return String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }
}
