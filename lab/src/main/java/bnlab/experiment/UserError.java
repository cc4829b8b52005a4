package bnlab.experiment;

/**
 * A mistake in a configuration or its environment that the user can fix (an unknown model, an
 * impossible value, an occupied run folder): the message says what is wrong and how to fix it, in
 * one line. The command line prints it without a stack trace and exits with code 2.
 */
public final class UserError extends RuntimeException {
  /** An error whose message says what is wrong and how to fix it. */
  public UserError(String message) {
    super(message);
  }
}
