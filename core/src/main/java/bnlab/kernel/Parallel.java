package bnlab.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small fixed pool of daemon worker threads for the kernels, created once.
 *
 * <p>A job is a {@link Body} run for chunks 0..chunks-1; the caller runs chunks too and returns
 * when all are done. Callers split work into a number of chunks that does not depend on the thread
 * count and make every chunk's result independent of which thread runs it, so results are
 * bit-identical for any number of threads. Nothing is allocated per job: the body is a
 * pre-allocated object and chunks are claimed from an atomic counter.
 *
 * <p>The thread count is {@code -Dbnlab.threads=N} (default: available processors) or {@link
 * #setThreads}. With one thread, while another caller holds the pool, or inside a chunk of a job,
 * jobs run on the calling thread.
 */
public final class Parallel {
  /** One job: runs chunk {@code chunk}. */
  public interface Body {
    /** Runs one chunk. */
    void run(int chunk);
  }

  private static volatile Pool pool = new Pool(initialThreads());

  private Parallel() {}

  private static int initialThreads() {
    String p = System.getProperty("bnlab.threads");
    if (p == null || p.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(p.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "-Dbnlab.threads must be a positive integer, got '" + p + "'");
  }

  /** The number of threads a job may use (the caller included). */
  public static int threads() {
    return pool.threads;
  }

  /** Sets the number of threads (the caller included); replaces the pool. Not for hot paths. */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (n != pool.threads) {
      Pool old = pool;
      pool = new Pool(n);
      old.shutdown();
    }
  }

  /** The most chunks a job may have. */
  public static final int MAX_CHUNKS = 0xFFFF;

  /**
   * Into how many ranges of images (at most) the jobs that split a batch by images split it, with
   * range i = [i·n/chunks, (i+1)·n/chunks): the convolution plans and the bias gradient, so that a
   * thread gets the same images in each of them. Fixed, never the thread count, so that the weight
   * gradients' partial sums do not depend on it.
   */
  public static final int BATCH_CHUNKS = 8;

  /**
   * Runs {@code body} for chunks 0..chunks-1, in parallel where threads are available. The caller
   * claims chunks from the front (0, 1, ...) and the workers from the back (chunks−1, chunks−2,
   * ...), so with equal chunks each core gets about the same part of a job at every call and finds
   * the data it touched last time in its own cache. A caller whose chunks differ in cost puts the
   * largest at both ends, so that the small ones in the middle even out the threads' loads.
   */
  public static void forEach(int chunks, Body body) {
    if (chunks > MAX_CHUNKS) {
      throw new IllegalArgumentException(
          "a job has at most " + MAX_CHUNKS + " chunks, got " + chunks + ": use larger chunks");
    }
    Pool p = pool;
    // A job started by a chunk runs on that chunk's thread: the lock is reentrant, and a nested
    // run would overwrite the ticket of the job around it.
    if (chunks <= 1 || p.threads == 1 || p.lock.isHeldByCurrentThread() || !p.lock.tryLock()) {
      for (int c = 0; c < chunks; c++) {
        body.run(c);
      }
      return;
    }
    try {
      p.run(chunks, body);
    } finally {
      p.lock.unlock();
    }
  }

  private static final class Pool {
    private static final int SPINS = 20_000;
    final int threads;
    final ReentrantLock lock = new ReentrantLock();
    private final Thread[] workers;

    /**
     * (generation << 32) | (end << 16) | next: chunks [next, end) are left. The generation keeps a
     * late worker from claiming a chunk of a newer job.
     */
    private final AtomicLong ticket = new AtomicLong();

    private final AtomicInteger done = new AtomicInteger();
    private volatile Body body;
    private volatile int generation;
    private volatile boolean stopped;
    private volatile Throwable failure;

    Pool(int threads) {
      this.threads = threads;
      this.workers = new Thread[threads - 1];
      for (int w = 0; w < workers.length; w++) {
        Thread t = new Thread(this::work, "bnlab-kernel-" + w);
        t.setDaemon(true);
        workers[w] = t;
        t.start();
      }
    }

    void run(int chunks, Body body) {
      failure = null;
      this.body = body;
      done.set(0);
      int g = generation + 1;
      ticket.set((long) g << 32 | (long) chunks << 16);
      generation = g;
      for (Thread t : workers) {
        LockSupport.unpark(t);
      }
      claim(g, body, false);
      while (done.get() < chunks) {
        Thread.onSpinWait();
      }
      // Closed before the next job's body is published, so a late worker claims nothing.
      ticket.set((long) g << 32);
      this.body = null;
      Throwable f = failure;
      if (f != null) {
        if (f instanceof RuntimeException r) {
          throw r;
        }
        if (f instanceof Error e) {
          throw e;
        }
        throw new IllegalStateException("kernel worker failed", f);
      }
    }

    private void claim(int g, Body b, boolean fromBack) {
      while (true) {
        long t = ticket.get();
        int next = (int) t & 0xFFFF;
        int end = (int) (t >>> 16) & 0xFFFF;
        if ((int) (t >>> 32) != g || next >= end) {
          return;
        }
        int c = fromBack ? end - 1 : next;
        if (!ticket.compareAndSet(t, fromBack ? t - (1L << 16) : t + 1)) {
          continue;
        }
        try {
          b.run(c);
        } catch (Throwable e) {
          failure = e;
        } finally {
          done.incrementAndGet();
        }
      }
    }

    private void work() {
      int seen = 0;
      while (!stopped) {
        int spins = 0;
        while (generation == seen && !stopped) {
          if (++spins < SPINS) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
        if (stopped) {
          return;
        }
        seen = generation;
        Body b = body;
        if (b != null) {
          claim(seen, b, true);
        }
      }
    }

    void shutdown() {
      stopped = true;
      for (Thread t : workers) {
        LockSupport.unpark(t);
      }
    }
  }
}
