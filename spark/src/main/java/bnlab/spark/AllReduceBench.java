package bnlab.spark;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Latency and bandwidth of {@link TcpRing}'s all-reduce between K replicas on threads of one JVM
 * over loopback TCP (each replica one thread, as data-parallel tasks under local[K]): the median of
 * {@code reps} calls per size, after a warm-up. A benchmark, not a test: run it on a quiet machine.
 *
 * <p>Usage: {@code java -cp ... bnlab.spark.AllReduceBench [K] [reps]}
 */
final class AllReduceBench {
  private AllReduceBench() {}

  public static void main(String[] args) throws Exception {
    int k = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
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
          new Thread(() -> rings[rank] = TcpRing.connect(rank, addresses, servers[rank], 10_000));
      ts[r].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    System.out.printf(
        Locale.ROOT,
        "all-reduce, K = %d replicas (threads, loopback TCP), median of %d%n",
        k,
        reps);
    System.out.println("floats      bytes      median us   p10 us   p90 us   algbw MB/s");
    for (int n : new int[] {1, 16, 1024, 16_384, 62_006, 262_144, 1_048_576, 4_194_304}) {
      double[] us = time(rings, n, reps);
      double med = us[us.length / 2];
      System.out.printf(
          Locale.ROOT,
          "%9d %10d %12.1f %8.1f %8.1f %11.1f%n",
          n,
          4L * n,
          med,
          us[us.length / 10],
          us[us.length * 9 / 10],
          4.0 * n / med);
    }
    for (TcpRing r : rings) {
      r.close();
    }
  }

  // per-call wall time in µs of rank 0, sorted; every rank runs the same calls
  private static double[] time(TcpRing[] rings, int n, int reps) throws Exception {
    int k = rings.length;
    int warm = Math.max(5, reps / 10);
    double[] us = new double[reps];
    CountDownLatch done = new CountDownLatch(k);
    Thread[] ts = new Thread[k];
    for (int r = 0; r < k; r++) {
      int rank = r;
      ts[r] =
          new Thread(
              () -> {
                float[] v = new float[n];
                for (int i = 0; i < warm + reps; i++) {
                  Arrays.fill(v, 1f);
                  long t0 = System.nanoTime();
                  rings[rank].allReduce(v);
                  if (rank == 0 && i >= warm) {
                    us[i - warm] = (System.nanoTime() - t0) / 1e3;
                  }
                }
                done.countDown();
              });
      ts[r].start();
    }
    done.await();
    Arrays.sort(us);
    return us;
  }
}
