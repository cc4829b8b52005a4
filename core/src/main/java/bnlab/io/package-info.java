/**
 * Checkpoints in the safetensors format: {@link bnlab.io.Checkpoint} saves and loads a model's
 * parameters, buffers and counters under PyTorch's state-dict names, and optionally the optimizer
 * state, atomically and all-or-nothing; {@link bnlab.io.SafeTensors} reads and writes the format
 * itself with a strict validating reader. JDK only.
 */
package bnlab.io;
