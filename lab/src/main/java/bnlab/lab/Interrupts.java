package bnlab.lab;

import bnlab.train.RunStopped;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C handling: a shutdown hook asks the running trainers to stop at the next mini-batch (they
 * throw {@link RunStopped} "interrupted", write their summary and flush) and waits for them, so the
 * metrics and the last checkpoint stay usable.
 */
final class Interrupts implements TrainListener {
  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook = new Thread(this::onSignal, "bnlab-shutdown");

  void install() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Called when the experiment has written everything; lets the JVM exit. */
  void done() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is waiting for the latch we just released
    }
  }

  private void onSignal() {
    requested.set(true);
    try {
      finished.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean requested() {
    return requested.get();
  }

  @Override
  public void beforeBatch(Step s) {
    if (requested.get()) {
      throw new RunStopped(
          "interrupted", "interrupted at epoch " + s.epoch() + ", step " + s.step());
    }
  }
}
