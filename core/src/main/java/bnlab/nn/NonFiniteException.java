package bnlab.nn;

/**
 * Thrown when a layer or loss meets NaN or infinite input and refuses to corrupt its state (for
 * example {@link CrossEntropyLoss} on non-finite logits, or batch normalization on a training batch
 * whose statistics are not finite, before its running statistics change). A training loop can catch
 * it to stop a diverged run cleanly instead of matching message words.
 */
public final class NonFiniteException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  /** An exception whose {@code message} names the layer, the bad value and the likely fix. */
  public NonFiniteException(String message) {
    super(message);
  }
}
