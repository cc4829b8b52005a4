package bnlab.data;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A producer thread filling a ring of reused batch buffers ahead of the consumer. The consumer
 * holds one buffer at a time and gives it back when it asks for the next, so at most {@code
 * ring.size() - 1} batches are prepared ahead and memory never grows.
 */
final class Prefetcher {
  /** Fills a buffer with batch {@code b}. */
  interface Filler {
    void fill(Batch out, int b);
  }

  private final BlockingQueue<Batch> free;
  private final BlockingQueue<Object> ready;
  private final Thread thread;
  private Batch held;
  private volatile boolean closed;

  Prefetcher(List<Batch> ring, int start, int end, Filler filler) {
    free = new ArrayBlockingQueue<>(ring.size(), false, ring);
    ready = new ArrayBlockingQueue<>(ring.size() + 1);
    thread = new Thread(() -> run(start, end, filler), "bnlab-prefetch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(int start, int end, Filler filler) {
    try {
      for (int b = start; b < end && !closed; b++) {
        Batch slot = free.take();
        filler.fill(slot, b);
        ready.put(slot);
      }
    } catch (InterruptedException e) {
      // closed by the consumer
    } catch (RuntimeException | Error e) {
      ready.offer(e);
    }
  }

  /** The next prepared batch (expected to be number {@code b}); rethrows a producer failure. */
  Batch take(int b) {
    if (held != null) {
      free.offer(held);
      held = null;
    }
    Object o;
    try {
      o = ready.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for batch " + b, e);
    }
    if (o instanceof Throwable t) {
      close();
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) t;
    }
    held = (Batch) o;
    if (held.index() != b) {
      throw new IllegalStateException(
          "prefetcher out of step: got batch " + held.index() + ", expected " + b);
    }
    return held;
  }

  void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
