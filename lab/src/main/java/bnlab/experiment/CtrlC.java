package bnlab.experiment;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a grid: a shutdown hook requests the stop and waits (up to 30 s) until the engine
 * has written its files, so the metrics, summaries and last checkpoints stay usable.
 */
final class CtrlC {
  private final StopRequest stop;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook = new Thread(this::onSignal, "bnlab-shutdown");

  /** Installs the hook for {@code stop}. */
  CtrlC(StopRequest stop) {
    this.stop = stop;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void onSignal() {
    stop.request();
    try {
      finished.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The engine has written everything: lets the JVM exit. */
  void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is waiting for the latch we just released
    }
  }
}
