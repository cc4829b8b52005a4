package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The TCP ring on threads of this process: sums, order, gathers, dead and hung peers. */
class TcpRingTest {
  /** K connected rings (one per rank), connected on K threads. */
  static TcpRing[] rings(int k, long timeout) throws Exception {
    ServerSocketChannel[] servers = new ServerSocketChannel[k];
    String[] addresses = new String[k];
    for (int r = 0; r < k; r++) {
      servers[r] = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      addresses[r] = "127.0.0.1:" + servers[r].socket().getLocalPort();
    }
    return onThreads(k, r -> TcpRing.connect(r, addresses, servers[r], timeout))
        .toArray(new TcpRing[0]);
  }

  static <T> List<T> onThreads(int k, Function<Integer, T> f) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(k);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int r = 0; r < k; r++) {
        int rank = r;
        fs.add(pool.submit(() -> f.apply(rank)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> x : fs) {
        out.add(x.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void floatAllReduceSumsEachChunkAlongTheRingAndEveryRankGetsTheSameBits() throws Exception {
    for (int k : new int[] {1, 2, 3}) {
      for (int n : new int[] {1, 2, 13, 1000}) {
        TcpRing[] g = rings(k, 5000);
        float[][] v = new float[k][n];
        Rng rng = new Rng(k * 1000 + n);
        for (float[] row : v) {
          for (int i = 0; i < n; i++) {
            row[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(6) - 3));
          }
        }
        float[] want = new float[n];
        for (int i = 0; i < n; i++) {
          int c = (int) ((long) i * k / n);
          while ((long) n * (c + 1) / k <= i) {
            c++;
          }
          float s = v[c][i];
          for (int j = 1; j < k; j++) {
            s = v[(c + j) % k][i] + s;
          }
          want[i] = s;
        }
        List<float[]> got =
            onThreads(
                k,
                r -> {
                  float[] mine = v[r].clone();
                  g[r].allReduce(mine);
                  return mine;
                });
        for (int r = 0; r < k; r++) {
          assertArrayEquals(want, got.get(r), "K=" + k + " n=" + n + " rank " + r);
          g[r].close();
        }
      }
    }
  }

  @Test
  void doubleCollectivesFollowTheReplicaGroupContract() throws Exception {
    int k = 3;
    TcpRing[] g = rings(k, 5000);
    double[][] v = {{1e16, 1, -3}, {1, -1e16, 0.5}, {1, 1, 0.25}};
    List<double[]> gathered =
        onThreads(
            k,
            r -> {
              double[] out = new double[9];
              g[r].allGather(v[r], out);
              return out;
            });
    List<double[]> sums =
        onThreads(
            k,
            r -> {
              double[] mine = v[r].clone();
              g[r].allReduce(mine);
              return mine;
            });
    // rank order: ((1e16 + 1) + 1) = 1e16 + 2 rounds differently than 1e16 + (1 + 1) would not
    double[] want = {((1e16 + 1) + 1), ((1 + -1e16) + 1), ((-3 + 0.5) + 0.25)};
    for (int r = 0; r < k; r++) {
      assertArrayEquals(
          new double[] {1e16, 1, -3, 1, -1e16, 0.5, 1, 1, 0.25}, gathered.get(r), "rank " + r);
      assertArrayEquals(want, sums.get(r), "rank " + r);
      g[r].close();
    }
  }

  @Test
  void aHungPeerTimesOutWithAMessageNamingIt() throws Exception {
    TcpRing[] g = rings(2, 300);
    long t0 = System.nanoTime();
    TcpRing.ReplicaFailure e =
        assertThrows(TcpRing.ReplicaFailure.class, () -> g[0].allReduce(new float[10_000]));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(e.getMessage().contains("replica 1 (127.0.0.1:"), e.getMessage());
    assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
    assertTrue(seconds < 30, "gave up after " + seconds + " s");
    g[1].close();
  }

  @Test
  void aDeadPeerIsNamed() throws Exception {
    TcpRing[] g = rings(2, 10_000);
    g[1].close();
    TcpRing.ReplicaFailure e =
        assertThrows(TcpRing.ReplicaFailure.class, () -> g[0].allReduce(new float[100]));
    assertTrue(e.getMessage().contains("replica 1 (127.0.0.1:"), e.getMessage());
    assertEquals(0, g[0].rank());
  }
}
