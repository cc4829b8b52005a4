package bnlab.spark;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The ring all-reduce of {@link TcpRing#allReduce(float[])} (same chunks, same order of sums) over
 * Netty instead of a Selector on the training thread: for {@link AllReduceBench}'s comparison only,
 * not part of bnlab. Each replica has one event-loop thread; the training thread hands every chunk
 * to it ({@code writeAndFlush} of a pooled direct buffer) and waits on a monitor until the event
 * loop has collected the previous replica's chunk in the inbox — the hand-off Netty's threading
 * model implies for a synchronous collective.
 */
final class NettyRing implements AutoCloseable {
  private final int rank;
  private final int size;
  private final EventLoopGroup group;
  private final Channel server;
  private final Inbox inbox = new Inbox();
  private Channel next;
  private float[] chunk = new float[0];

  /** Opens replica {@code rank}'s listening side on 127.0.0.1 (an ephemeral port). */
  @SuppressWarnings("deprecation") // RCVBUF_ALLOCATOR: this Netty has no replacement yet
  NettyRing(int rank, int size) throws InterruptedException {
    this.rank = rank;
    this.size = size;
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // reads of up to 1 MB (Netty starts at 2 KB and grows): fewer hand-offs for large
            // chunks
            .childOption(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(64, 65_536, 1 << 20))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(inbox);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** The port the previous replica connects to. */
  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  /** Connects to the next replica's port. */
  void connect(int nextPort) throws InterruptedException {
    next =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInboundHandlerAdapter())
            .connect("127.0.0.1", nextPort)
            .sync()
            .channel();
  }

  /** Element-wise sum over the replicas, in place, as {@link TcpRing#allReduce(float[])}. */
  void allReduce(float[] v) throws InterruptedException {
    int k = size;
    if (chunk.length < v.length / k + 1) {
      chunk = new float[v.length / k + 1];
    }
    for (int s = 0; s < k - 1; s++) {
      int in = Math.floorMod(rank - s - 1, k);
      send(v, Math.floorMod(rank - s, k));
      int from = lo(v.length, in);
      int len = lo(v.length, in + 1) - from;
      inbox.take(chunk, len);
      for (int i = 0; i < len; i++) {
        v[from + i] += chunk[i];
      }
    }
    for (int s = 0; s < k - 1; s++) {
      int in = Math.floorMod(rank - s, k);
      send(v, Math.floorMod(rank + 1 - s, k));
      int from = lo(v.length, in);
      int len = lo(v.length, in + 1) - from;
      inbox.take(chunk, len);
      System.arraycopy(chunk, 0, v, from, len);
    }
  }

  private int lo(int n, int c) {
    return (int) ((long) n * c / size);
  }

  private void send(float[] v, int c) {
    int from = lo(v.length, c);
    int len = lo(v.length, c + 1) - from;
    ByteBuf b = next.alloc().directBuffer(4 * len);
    b.nioBuffer(0, 4 * len).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v, from, len);
    b.writerIndex(4 * len);
    next.writeAndFlush(b);
  }

  @Override
  public void close() {
    if (next != null) {
      next.close().syncUninterruptibly();
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What the previous replica sent, collected by the event loop, taken by the training thread. */
  @ChannelHandler.Sharable
  private static final class Inbox extends ChannelInboundHandlerAdapter {
    private final ByteBuf bytes = Unpooled.directBuffer(1 << 16);
    private int needed = Integer.MAX_VALUE;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        synchronized (this) {
          bytes.writeBytes(in);
          if (bytes.readableBytes() >= needed) {
            notifyAll(); // wake the training thread once, when its chunk is complete
          }
        }
      } finally {
        in.release();
      }
    }

    /** Waits for {@code n} floats and moves them into {@code out}. */
    synchronized void take(float[] out, int n) throws InterruptedException {
      needed = 4 * n;
      while (bytes.readableBytes() < 4 * n) {
        wait();
      }
      needed = Integer.MAX_VALUE;
      bytes
          .nioBuffer(bytes.readerIndex(), 4 * n)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(out, 0, n);
      bytes.skipBytes(4 * n);
      bytes.discardReadBytes();
    }
  }
}
