package bnlab.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The driver's record of why tasks failed. A failed barrier stage is reported to the job as
 * "barrier task ... finished unsuccessfully", without the task's exception; this listener keeps the
 * exceptions (in the order Spark reports them) so that the driver can say which replica died or
 * hung.
 */
final class TaskFailures extends SparkListener {
  private final List<String> messages = new ArrayList<>();

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.reason() instanceof ExceptionFailure f) {
      messages.add(f.className().replaceAll(".*[.$]", "") + ": " + f.description());
      notifyAll();
    }
  }

  /** Forgets what was recorded. */
  synchronized void clear() {
    messages.clear();
  }

  /**
   * The first recorded failure that names a replica (a {@link TcpRing.ReplicaFailure}'s message
   * does), else the first one, waiting up to {@code millis} for the listener bus to deliver one;
   * null if none arrived.
   */
  synchronized String first(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (messages.isEmpty() && System.currentTimeMillis() < deadline) {
      wait(Math.max(1, deadline - System.currentTimeMillis()));
    }
    if (messages.isEmpty()) {
      return null;
    }
    for (String m : messages) {
      if (!m.startsWith("ReplicaFailure")) {
        return m; // the replica that failed first, not the peers that noticed
      }
    }
    return messages.get(0).substring("ReplicaFailure: ".length());
  }
}
