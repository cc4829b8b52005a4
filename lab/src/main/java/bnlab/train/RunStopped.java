package bnlab.train;

/** Thrown by a listener to end a run early, e.g. on a NaN loss; the message says why. */
public final class RunStopped extends RuntimeException {
  private final String status;

  /** A stop with a status for summary.json ("diverged", "interrupted") and a message. */
  public RunStopped(String status, String message) {
    super(message);
    this.status = status;
  }

  /** The run's status in summary.json. */
  public String status() {
    return status;
  }
}
