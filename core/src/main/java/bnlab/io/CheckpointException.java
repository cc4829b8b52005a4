package bnlab.io;

import java.io.IOException;

/**
 * A valid safetensors file that does not fit the model or optimizer it is loaded into; the model
 * and optimizer are left unchanged.
 */
public final class CheckpointException extends IOException {
  /** An exception whose message names the tensors that differ and the fix. */
  public CheckpointException(String message) {
    super(message);
  }
}
