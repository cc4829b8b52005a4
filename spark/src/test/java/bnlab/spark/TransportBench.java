package bnlab.spark;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The ring all-reduce over bnlab's {@link TcpRing} (a Selector on the training thread) against the
 * same algorithm over Netty ({@link NettyRing}), K replicas on threads of one JVM over loopback
 * TCP, as {@link AllReduceBench}: for each size, rounds alternate NIO, Netty, NIO, Netty, ...; each
 * round reports the median of its calls (after a warm-up), and the table the median and range of
 * the rounds' medians. Every result is checked (all ones sum to K). A benchmark in the test
 * sources, not a test.
 *
 * <p>Usage: {@code java -cp spark/target/classes:spark/target/test-classes:$(cat
 * spark/target/classpath.txt) bnlab.spark.TransportBench [K] [rounds]}
 */
final class TransportBench {
  private TransportBench() {}

  interface Ring {
    void allReduce(float[] v) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int k = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Ring[] tcp = tcpRings(k);
    NettyRing[] netty = new NettyRing[k];
    for (int r = 0; r < k; r++) {
      netty[r] = new NettyRing(r, k);
    }
    for (int r = 0; r < k; r++) {
      netty[r].connect(netty[(r + 1) % k].port());
    }
    Ring[] nettyRings = new Ring[k];
    for (int r = 0; r < k; r++) {
      nettyRings[r] = netty[r]::allReduce;
    }
    System.out.printf(
        Locale.ROOT,
        "all-reduce, K = %d (threads, loopback TCP), %d alternating rounds per size; µs per call:"
            + " median of the rounds' medians [min–max]%n",
        k,
        rounds);
    System.out.println("floats        NIO ring (TcpRing)            Netty ring");
    for (int n : new int[] {1, 16, 62_006, 1_048_576}) {
      int reps = n >= 1_000_000 ? 40 : 400;
      double[] a = new double[rounds];
      double[] b = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        a[i] = median(tcp, n, reps);
        b[i] = median(nettyRings, n, reps);
      }
      System.out.printf(Locale.ROOT, "%9d   %s   %s%n", n, summary(a), summary(b));
    }
    for (NettyRing r : netty) {
      r.close();
    }
  }

  private static String summary(double[] m) {
    double[] s = m.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "%9.1f [%.1f–%.1f]", s[s.length / 2], s[0], s[s.length - 1]);
  }

  private static Ring[] tcpRings(int k) throws Exception {
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
    Ring[] out = new Ring[k];
    for (int r = 0; r < k; r++) {
      out[r] = rings[r]::allReduce;
    }
    return out;
  }

  // the median wall time in µs of rank 0's calls; every rank runs the same calls on its thread
  private static double median(Ring[] rings, int n, int reps) throws Exception {
    int k = rings.length;
    int warm = Math.max(5, reps / 10);
    double[] us = new double[reps];
    CountDownLatch done = new CountDownLatch(k);
    Exception[] failed = new Exception[k];
    for (int r = 0; r < k; r++) {
      int rank = r;
      new Thread(
              () -> {
                try {
                  float[] v = new float[n];
                  for (int i = 0; i < warm + reps; i++) {
                    Arrays.fill(v, 1f);
                    long t0 = System.nanoTime();
                    rings[rank].allReduce(v);
                    if (rank == 0 && i >= warm) {
                      us[i - warm] = (System.nanoTime() - t0) / 1e3;
                    }
                    if (v[0] != k || v[n - 1] != k) {
                      throw new IllegalStateException("wrong sum " + v[0] + ", " + v[n - 1]);
                    }
                  }
                } catch (Exception e) {
                  failed[rank] = e;
                }
                done.countDown();
              })
          .start();
    }
    done.await();
    for (Exception e : failed) {
      if (e != null) {
        throw e;
      }
    }
    Arrays.sort(us);
    return us[us.length / 2];
  }
}
