package bnlab.spark;

import bnlab.nn.ReplicaGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The replicas of a data-parallel job connected in a ring over TCP: replica r sends to r + 1 and
 * receives from r − 1 (mod K), each over its own connection. Collectives:
 *
 * <ul>
 *   <li>{@link #allReduce(float[])} (gradients): ring reduce-scatter then ring all-gather, 2(K − 1)
 *       steps moving n/K values each, so every replica sends and receives 2(K − 1)/K · n values
 *       whatever K. Chunk c is summed along the ring starting at rank c, ((v_c + v_{c+1}) + …), an
 *       order fixed by the ranks, and the all-gather hands the same bits to every replica; for K =
 *       2 this is v₀ + v₁ exactly.
 *   <li>{@link #allGather(double[], double[])} (SyncBatchNorm's statistics): ring all-gather.
 *   <li>{@link #allReduce(double[])}: all-gather, then every replica adds in rank order 0, 1, …, as
 *       {@link ReplicaGroup} requires; meant for short arrays (2C values per BN layer).
 * </ul>
 *
 * <p>Each step sends and receives at once through one non-blocking {@link Selector} (a blocking
 * send of a large chunk could wait on a peer that is itself still sending). A peer that sends
 * nothing for {@code timeoutMillis}, closes its connection or fails makes the call throw {@link
 * ReplicaFailure} naming that peer's rank and address; the ring is then closed. Buffers are sized
 * on the first call of each size; later calls allocate nothing. Not thread-safe: one replica, one
 * thread.
 */
final class TcpRing implements ReplicaGroup, AutoCloseable {
  private final int rank;
  private final int size;
  private final String[] addresses;
  private final long timeoutMillis;
  private final SocketChannel next;
  private final SocketChannel prev;
  private final Selector selector;
  private final SelectionKey sendKey;
  private final SelectionKey recvKey;
  private final Consumer<SelectionKey> onReady = this::onReady;
  private ByteBuffer send = ByteBuffer.allocateDirect(0);
  private ByteBuffer recv = ByteBuffer.allocateDirect(0);
  private FloatBuffer sendF;
  private FloatBuffer recvF;
  private DoubleBuffer sendD;
  private DoubleBuffer recvD;
  private double[] gathered = new double[0];
  private ReplicaFailure failure;

  private TcpRing(
      int rank, String[] addresses, long timeoutMillis, SocketChannel next, SocketChannel prev)
      throws IOException {
    this.rank = rank;
    this.size = addresses.length;
    this.addresses = addresses.clone();
    this.timeoutMillis = timeoutMillis;
    this.next = next;
    this.prev = prev;
    if (next != null) {
      selector = Selector.open();
      next.configureBlocking(false);
      prev.configureBlocking(false);
      sendKey = next.register(selector, 0);
      recvKey = prev.register(selector, 0);
    } else {
      selector = null;
      sendKey = null;
      recvKey = null;
    }
    grow(0);
  }

  /**
   * Joins the ring as replica {@code rank} of {@code addresses.length}: connects to the next
   * replica's address ("host:port") and accepts the previous one on {@code server} (already
   * listening at {@code addresses[rank]}), which is closed afterwards.
   */
  static TcpRing connect(
      int rank, String[] addresses, ServerSocketChannel server, long timeoutMillis) {
    int k = addresses.length;
    if (rank < 0 || rank >= k) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + k + ")");
    }
    try (server) {
      if (k == 1) {
        return new TcpRing(rank, addresses, timeoutMillis, null, null);
      }
      int to = (rank + 1) % k;
      SocketChannel next = SocketChannel.open();
      try {
        next.socket().connect(address(addresses[to]), (int) timeoutMillis);
        next.socket().setTcpNoDelay(true);
        next.write(ByteBuffer.allocate(4).putInt(0, rank));
      } catch (IOException e) {
        next.close();
        throw new ReplicaFailure(
            "replica " + rank + " could not connect to " + peer(to, addresses) + ": " + e, e);
      }
      SocketChannel prev = accept(rank, addresses, server, timeoutMillis);
      return new TcpRing(rank, addresses, timeoutMillis, next, prev);
    } catch (IOException e) {
      throw new ReplicaFailure("replica " + rank + ": " + e, e);
    }
  }

  private static SocketChannel accept(
      int rank, String[] addresses, ServerSocketChannel server, long timeoutMillis)
      throws IOException {
    int from = (rank + addresses.length - 1) % addresses.length;
    server.socket().setSoTimeout((int) timeoutMillis);
    SocketChannel prev;
    try {
      // a channel's own accept ignores SO_TIMEOUT; its socket adaptor honours it
      prev = server.socket().accept().getChannel();
    } catch (SocketTimeoutException e) {
      throw new ReplicaFailure(
          "replica "
              + rank
              + ": "
              + peer(from, addresses)
              + " did not connect within "
              + timeoutMillis
              + " ms",
          e);
    }
    prev.socket().setTcpNoDelay(true);
    prev.socket().setSoTimeout((int) timeoutMillis);
    ByteBuffer hello = ByteBuffer.allocate(4);
    var in = prev.socket().getInputStream();
    for (int i = 0; i < 4; i++) {
      int b = in.read();
      if (b < 0) {
        throw new ReplicaFailure(
            "replica " + rank + ": " + peer(from, addresses) + " closed before saying hello");
      }
      hello.put((byte) b);
    }
    int said = hello.getInt(0);
    if (said != from) {
      prev.close();
      throw new ReplicaFailure(
          "replica " + rank + " expected " + peer(from, addresses) + " but rank " + said + " came");
    }
    return prev;
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String peer(int r, String[] addresses) {
    return "replica " + r + " (" + addresses[r] + ")";
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  /** Element-wise sum over the replicas, in place; see the class comment for the order. */
  void allReduce(float[] v) {
    int k = size;
    if (k == 1) {
      return;
    }
    grow(4 * (v.length / k + 1));
    for (int s = 0; s < k - 1; s++) {
      int out = Math.floorMod(rank - s, k);
      int in = Math.floorMod(rank - s - 1, k);
      exchange(v, out, in);
      int from = lo(v.length, in);
      int len = lo(v.length, in + 1) - from;
      for (int i = 0; i < len; i++) {
        v[from + i] += recvF.get(i);
      }
    }
    for (int s = 0; s < k - 1; s++) {
      int out = Math.floorMod(rank + 1 - s, k);
      int in = Math.floorMod(rank - s, k);
      exchange(v, out, in);
      int from = lo(v.length, in);
      recvF.get(0, v, from, lo(v.length, in + 1) - from);
    }
  }

  private int lo(int n, int chunk) {
    return (int) ((long) n * chunk / size);
  }

  // sends chunk `out` of v to the next replica while receiving chunk `in` from the previous one
  private void exchange(float[] v, int out, int in) {
    int from = lo(v.length, out);
    int len = lo(v.length, out + 1) - from;
    sendF.clear();
    sendF.put(v, from, len);
    send.clear().limit(4 * len);
    recv.clear().limit(4 * (lo(v.length, in + 1) - lo(v.length, in)));
    transfer();
  }

  @Override
  public void allGather(double[] local, double[] out) {
    int n = local.length;
    if (out.length != size * n) {
      throw new IllegalArgumentException(
          "allGather: out holds " + out.length + " values, need " + size + " × " + n);
    }
    System.arraycopy(local, 0, out, rank * n, n);
    grow(8 * n);
    for (int s = 0; s < size - 1; s++) {
      int block = Math.floorMod(rank - s, size);
      int in = Math.floorMod(rank - s - 1, size);
      sendD.clear();
      sendD.put(out, block * n, n);
      send.clear().limit(8 * n);
      recv.clear().limit(8 * n);
      transfer();
      recvD.get(0, out, in * n, n);
    }
  }

  @Override
  public void allReduce(double[] values) {
    int n = values.length;
    if (gathered.length != size * n) {
      gathered = new double[size * n];
    }
    allGather(values, gathered);
    for (int k = 0; k < n; k++) {
      double sum = gathered[k];
      for (int r = 1; r < size; r++) {
        sum += gathered[r * n + k];
      }
      values[k] = sum;
    }
  }

  private void grow(int bytes) {
    if (send.capacity() >= bytes && sendF != null) {
      return;
    }
    send = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    recv = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    sendF = send.asFloatBuffer();
    recvF = recv.asFloatBuffer();
    sendD = send.asDoubleBuffer();
    recvD = recv.asDoubleBuffer();
  }

  // moves send's remaining bytes to next and recv's remaining bytes from prev, both at once
  private void transfer() {
    try {
      sendKey.interestOps(send.hasRemaining() ? SelectionKey.OP_WRITE : 0);
      recvKey.interestOps(recv.hasRemaining() ? SelectionKey.OP_READ : 0);
      while (send.hasRemaining() || recv.hasRemaining()) {
        if (selector.select(onReady, timeoutMillis) == 0 && failure == null) {
          throw new ReplicaFailure(
              Thread.currentThread().isInterrupted()
                  ? "replica " + rank + ": interrupted (the task was killed)"
                  : stuck());
        }
        if (failure != null) {
          throw failure;
        }
      }
    } catch (ReplicaFailure e) {
      close();
      throw e;
    } catch (IOException e) {
      close();
      throw new ReplicaFailure(
          "replica " + rank + ": connection with " + culprit() + " failed: " + e, e);
    }
  }

  private void onReady(SelectionKey key) {
    try {
      if (key == sendKey && key.isWritable()) {
        next.write(send);
        if (!send.hasRemaining()) {
          key.interestOps(0);
        }
      }
      if (key == recvKey && key.isReadable()) {
        if (prev.read(recv) < 0) {
          failure =
              new ReplicaFailure(
                  "replica "
                      + rank
                      + ": "
                      + peer(Math.floorMod(rank - 1, size), addresses)
                      + " closed the connection (it failed or was killed)");
        } else if (!recv.hasRemaining()) {
          key.interestOps(0);
        }
      }
    } catch (IOException e) {
      failure =
          new ReplicaFailure(
              "replica " + rank + ": connection with " + culprit() + " failed: " + e, e);
    }
  }

  private String stuck() {
    return "replica "
        + rank
        + ": "
        + culprit()
        + " has not "
        + (recv.hasRemaining() ? "sent" : "received")
        + " its data within "
        + timeoutMillis
        + " ms (hung or dead)";
  }

  // the replica a stuck step waits on: the one it receives from, else the one it sends to
  private String culprit() {
    int r = recv.hasRemaining() ? Math.floorMod(rank - 1, size) : (rank + 1) % size;
    return peer(r, addresses);
  }

  @Override
  public void close() {
    try {
      if (selector != null) {
        selector.close();
        next.close();
        prev.close();
      }
    } catch (IOException e) {
      // closing after a failure: the failure is what the caller needs to hear about
    }
  }

  /** A collective failed: a peer is dead, hung or unreachable; the message names it. */
  static final class ReplicaFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReplicaFailure(String message) {
      super(message);
    }

    ReplicaFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
