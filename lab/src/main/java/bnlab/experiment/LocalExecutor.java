package bnlab.experiment;

import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Cells on this machine: on the calling thread, or on a pool of {@code threads} threads. */
final class LocalExecutor implements GridExecutor {
  static final LocalExecutor SEQUENTIAL = new LocalExecutor(1);

  private record Finished(GridCell cell, RunResult result) {}

  private final int threads;

  LocalExecutor(int threads) {
    RunConfig.positive("--parallel", threads);
    this.threads = threads;
  }

  @Override
  public int parallelism() {
    return threads;
  }

  @Override
  public void execute(
      RunFolder root,
      List<GridCell> cells,
      Function<GridCell, RunResult> run,
      BiConsumer<GridCell, RunResult> done)
      throws InterruptedException {
    if (threads == 1) {
      for (GridCell c : cells) {
        report(new Finished(c, run.apply(c)), done);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CompletionService<Finished> results = new ExecutorCompletionService<>(pool);
      for (GridCell c : cells) {
        results.submit(() -> new Finished(c, run.apply(c)));
      }
      for (int i = 0; i < cells.size(); i++) {
        report(get(results.take()), done);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(Finished f, BiConsumer<GridCell, RunResult> done) {
    if (f.result() != null) {
      done.accept(f.cell(), f.result());
    }
  }

  private static Finished get(Future<Finished> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
