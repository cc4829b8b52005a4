package bnlab.nn;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The shared module contract for the BatchNorm family. */
class BatchNormContractTest {

  @Test
  void batchNorm1d() {
    LayerContract.of(
            () -> new BatchNorm1d(102), BatchNormReference.gaussian(new Rng(1), 0, 1, 22, 102))
        .outputShape(22, 102)
        .parameters("weight", "bias")
        .buffers("running_mean", "running_var")
        .counters("num_batches_tracked")
        .parameterCount(204)
        .check();
    LayerContract.of(
            () -> new BatchNorm1d(102, 1e-5, 0.1, false, true),
            BatchNormReference.gaussian(new Rng(2), 0, 1, 22, 102))
        .outputShape(22, 102)
        .buffers("running_mean", "running_var")
        .counters("num_batches_tracked")
        .parameterCount(0)
        .check();
  }

  @Test
  void batchNorm2dAnd3d() {
    LayerContract.of(
            () -> new BatchNorm2d(3), BatchNormReference.gaussian(new Rng(3), 1, 2, 2, 3, 4, 4))
        .outputShape(2, 3, 4, 4)
        .parameters("weight", "bias")
        .buffers("running_mean", "running_var")
        .counters("num_batches_tracked")
        .parameterCount(6)
        .check();
    LayerContract.of(
            () -> new BatchNorm3d(2, 1e-5, 0.1, true, false),
            BatchNormReference.gaussian(new Rng(4), 1, 2, 2, 2, 2, 3, 3))
        .outputShape(2, 2, 2, 3, 3)
        .parameters("weight", "bias")
        .parameterCount(4)
        .check();
  }

  @Test
  void kerasBatchNormalization() {
    LayerContract.of(
            () -> new bnlab.nn.keras.BatchNormalization(64),
            BatchNormReference.gaussian(new Rng(5), 0, 1, 2, 126, 64))
        .outputShape(2, 126, 64)
        .parameters("weight", "bias")
        .buffers("running_mean", "running_var")
        .counters("num_batches_tracked")
        .parameterCount(128)
        .check();
  }
}
