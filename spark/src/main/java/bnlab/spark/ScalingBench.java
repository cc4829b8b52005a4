package bnlab.spark;

import bnlab.experiment.ModelZoo;
import bnlab.experiment.OptimizerConfig;
import bnlab.experiment.Optimizers;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import bnlab.runtime.Compute;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Steady-state training throughput of data-parallel replicas as Spark's local[K] runs them (one
 * thread each, a TCP ring between them, {@link RingReplicas} after every backward) against one
 * process: per model and per-worker batch b, one replica with 1 thread (batch b), K = 1 and K = 2
 * replicas with plain BN and with SyncBN (batch b each), and one process with 2 threads (batch 2b).
 * Synthetic CIFAR-10-shaped data, SGD; {@code warm} untimed steps, then {@code steps} timed; rounds
 * alternate the order of the set-ups. A benchmark, not a test: one line per measurement.
 *
 * <p>Usage: {@code java -cp ... bnlab.spark.ScalingBench [rounds] [netSteps] [vggSteps]}
 */
final class ScalingBench {
  private ScalingBench() {}

  private record Setup(String name, int replicas, boolean syncBn, int threads, int batchFactor) {}

  private static final List<Setup> SETUPS =
      List.of(
          new Setup("1 process, 1 thread, batch b", 0, false, 1, 1),
          new Setup("K=1 worker", 1, false, 1, 1),
          new Setup("K=2 workers, BN", 2, false, 1, 1),
          new Setup("K=2 workers, SyncBN", 2, true, 1, 1),
          new Setup("1 process, 2 threads, batch 2b", 0, false, 2, 2));

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int netSteps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int vggSteps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    System.out.printf(
        Locale.ROOT,
        "%s, %d cores, kernels %s, JDK %s, load %s%n",
        cpu(),
        Runtime.getRuntime().availableProcessors(),
        Compute.kernels(),
        Runtime.version(),
        load());
    for (int round = 1; round <= rounds; round++) {
      for (String model : List.of("net-bn", "vgg-bn")) {
        int steps = model.equals("net-bn") ? netSteps : vggSteps;
        for (int b : new int[] {64, 128}) {
          List<Setup> order = new ArrayList<>(SETUPS);
          if (round % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (Setup s : order) {
            double ips = run(model, b, s, Math.max(2, steps / 2), steps);
            System.out.printf(
                Locale.ROOT,
                "round %d  %-7s b=%-4d %-32s %9.1f img/s  (load %s)%n",
                round,
                model,
                b,
                s.name(),
                ips,
                load());
          }
        }
      }
    }
  }

  private static double run(String model, int b, Setup s, int warm, int steps) throws Exception {
    Compute.setThreads(s.threads());
    int k = Math.max(1, s.replicas());
    int batch = b * s.batchFactor();
    TcpRing[] rings = s.replicas() == 0 ? null : rings(k);
    double[] seconds = new double[1];
    CountDownLatch done = new CountDownLatch(k);
    Throwable[] failed = new Throwable[1];
    for (int r = 0; r < k; r++) {
      int rank = r;
      Thread t =
          new Thread(
              () -> {
                try {
                  RingReplicas rep =
                      rings == null ? null : new RingReplicas(rings[rank], s.syncBn());
                  double sec = train(model, batch, rep, warm, steps, rank);
                  if (rank == 0) {
                    seconds[0] = sec;
                  }
                } catch (Throwable e) {
                  failed[0] = e;
                } finally {
                  done.countDown();
                }
              });
      t.start();
    }
    done.await();
    if (rings != null) {
      for (TcpRing ring : rings) {
        ring.close();
      }
    }
    if (failed[0] != null) {
      throw new IllegalStateException(failed[0]);
    }
    return (double) k * batch * steps / seconds[0];
  }

  // seconds of `steps` timed steps after `warm` untimed ones
  private static double train(
      String name, int batch, RingReplicas rep, int warm, int steps, int rank) {
    Module model = ModelZoo.get(name).factory().build(new int[] {3, 32, 32}, 10, 44);
    if (rep != null) {
      model = rep.prepare(model);
    }
    model.train();
    model.requiresInputGrad(false);
    Optimizer optim = Optimizers.create(model, OptimizerConfig.of("sgd", 1e-3));
    CrossEntropyLoss ce = new CrossEntropyLoss();
    Rng rng = new Rng(100 + rank);
    float[] x = new float[batch * 3 * 32 * 32];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextFloat();
    }
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = rng.nextInt(10);
    }
    Tensor input = Tensor.wrap(x, batch, 3, 32, 32);
    long t0 = 0;
    for (int i = 0; i < warm + steps; i++) {
      if (i == warm) {
        t0 = System.nanoTime();
      }
      model.zeroGrad();
      float loss = ce.forward(model.forward(input), labels);
      model.backward(ce.backward());
      if (rep != null) {
        rep.synchronize(model, loss);
      }
      optim.step();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static TcpRing[] rings(int k) throws Exception {
    ServerSocketChannel[] servers = new ServerSocketChannel[k];
    String[] addresses = new String[k];
    for (int r = 0; r < k; r++) {
      servers[r] = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      addresses[r] = "127.0.0.1:" + servers[r].socket().getLocalPort();
    }
    TcpRing[] rings = new TcpRing[k];
    Thread[] ts = new Thread[k];
    for (int r = 0; r < k; r++) {
      int rank = r;
      ts[r] =
          new Thread(() -> rings[rank] = TcpRing.connect(rank, addresses, servers[rank], 60_000));
      ts[r].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    return rings;
  }

  private static String cpu() {
    try {
      return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .orElse("CPU unknown");
    } catch (java.io.IOException e) {
      return "CPU unknown";
    }
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
