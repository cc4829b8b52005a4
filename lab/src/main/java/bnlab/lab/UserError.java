package bnlab.lab;

/**
 * A mistake in the command line or the environment that the user can fix: printed as one line
 * without a stack trace, exit code 2.
 */
public final class UserError extends RuntimeException {
  /** An error whose message says what is wrong and how to fix it. */
  public UserError(String message) {
    super(message);
  }
}
