package bnlab.nn;

import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Data parallelism in one module, for tests: replica r (child {@code "r"}) gets samples [from_r,
 * from_r + sizes[r]) of the batch, all replicas run forward (and backward) at the same time on
 * their own threads, and the outputs (input gradients) are concatenated again. Seen from outside it
 * is one module over the whole batch, so it can be compared with a single layer or
 * gradient-checked.
 */
final class Replicated extends Module implements AutoCloseable {
  private final Module[] replicas;
  private final int[] sizes;
  private final ExecutorService threads;

  Replicated(int[] sizes, IntFunction<Module> replica) {
    this.sizes = sizes.clone();
    this.replicas = new Module[sizes.length];
    for (int r = 0; r < sizes.length; r++) {
      replicas[r] = registerModule(Integer.toString(r), replica.apply(r));
    }
    threads = Executors.newFixedThreadPool(sizes.length);
  }

  Module replica(int r) {
    return replicas[r];
  }

  @Override
  public Tensor forward(Tensor x) {
    return run(x, (r, part) -> replicas[r].forward(part));
  }

  @Override
  public Tensor backward(Tensor dY) {
    return run(dY, (r, part) -> replicas[r].backward(part));
  }

  private interface Step {
    Tensor apply(int r, Tensor part);
  }

  private Tensor run(Tensor whole, Step step) {
    int per = whole.size() / whole.dim(0);
    List<Future<Tensor>> results = new ArrayList<>();
    int from = 0;
    for (int r = 0; r < sizes.length; r++) {
      int[] shape = whole.shape();
      shape[0] = sizes[r];
      float[] part =
          java.util.Arrays.copyOfRange(whole.data(), from * per, (from + sizes[r]) * per);
      Tensor t = Tensor.of(part, shape);
      int rank = r;
      results.add(threads.submit(() -> step.apply(rank, t).copy()));
      from += sizes[r];
    }
    Tensor out = Tensor.zeros(whole.shape());
    int at = 0;
    for (Future<Tensor> f : results) {
      Tensor t = get(f);
      System.arraycopy(t.data(), 0, out.data(), at, t.size());
      at += t.size();
    }
    return out;
  }

  private static Tensor get(Future<Tensor> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
