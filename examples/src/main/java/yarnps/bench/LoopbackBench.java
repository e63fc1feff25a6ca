package yarnps.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The physical reference of the push/pull figures: how fast plain Java sockets move bytes over
 * loopback TCP here, one sender thread and one receiver thread, blocking {@link SocketChannel}s
 * with direct buffers (no Thrift, no copies into heap arrays), {@code TCP_NODELAY} on.
 */
final class LoopbackBench {
  private static final int RECEIVE_BUFFER = 1 << 20;

  /** One measurement: bytes moved, writes issued, and the time until the receiver had all bytes. */
  record Run(long bytes, int writes, long elapsedNanos, long[] writeNanos) {
    double mbPerSecond() {
      return bytes / (elapsedNanos / 1e9) / 1e6;
    }

    double writesPerSecond() {
      return writes / (elapsedNanos / 1e9);
    }
  }

  private LoopbackBench() {}

  /** Streams {@code writeSize}-byte writes for {@code millis} ms and waits for the receiver to drain them. */
  static Run run(int writeSize, long millis) throws IOException, InterruptedException {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "loopback-receiver");
      t.setDaemon(true);
      return t;
    });
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Future<long[]> received = pool.submit(() -> receive(server));
      long[] writeNanos = new long[(int) Math.min(4_000_000, millis * 200 + 1_000)];
      ByteBuffer buf = ByteBuffer.allocateDirect(writeSize);
      long sent = 0;
      int writes = 0;
      long start;
      try (SocketChannel ch = SocketChannel.open(server.getLocalAddress())) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        start = System.nanoTime();
        long deadline = start + millis * 1_000_000L;
        long now = start;
        while (now - deadline < 0 && writes < writeNanos.length) {
          buf.clear();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          long t = System.nanoTime();
          writeNanos[writes++] = t - now;
          now = t;
          sent += writeSize;
        }
      }
      long[] got = received.get(30, TimeUnit.SECONDS);
      if (got[0] != sent) {
        throw new IOException("loopback receiver got " + got[0] + " bytes of " + sent);
      }
      return new Run(sent, writes, got[1] - start, java.util.Arrays.copyOf(writeNanos, writes));
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("loopback receiver failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Returns {bytes received, System.nanoTime() at end of stream}. */
  private static long[] receive(ServerSocketChannel server) throws IOException {
    try (SocketChannel ch = server.accept()) {
      ByteBuffer buf = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
      long total = 0;
      while (true) {
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
          return new long[] {total, System.nanoTime()};
        }
        total += n;
      }
    }
  }
}
