package bnlab.reference.bench;

import ai.djl.pytorch.engine.PtNDArray;

/**
 * One layer of the libtorch twin models: a forward through DJL's PyTorch engine. Autograd records
 * it when run inside a gradient collector, so there is no hand-written backward.
 */
@FunctionalInterface
interface TorchModule {
  /** y = layer(x); {@code training} selects BatchNorm's batch statistics (and their update). */
  PtNDArray forward(PtNDArray x, boolean training);
}
