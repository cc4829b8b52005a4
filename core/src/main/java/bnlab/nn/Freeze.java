package bnlab.nn;

/**
 * Freezing Batch Normalization for fine-tuning in one call. See {@link BatchNorm#freeze()}: γ and β
 * stop learning and the running statistics are used, and kept, even in training mode.
 */
public final class Freeze {
  private Freeze() {}

  /**
   * Freezes every {@link BatchNorm} (BatchNorm1d/2d/3d, SyncBatchNorm) in {@code model} (at any
   * depth); returns how many.
   *
   * @throws IllegalArgumentException if the model holds no such layer (nothing would be frozen)
   * @throws IllegalStateException if one of them has no running statistics
   */
  public static int batchNorm(Module model) {
    int count = 0;
    for (Module m : model.namedModules().values()) {
      if (m instanceof BatchNorm bn) {
        bn.freeze();
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException(
          "Freeze.batchNorm: the model has no BatchNorm1d/2d/3d layer to freeze");
    }
    return count;
  }
}
