package yarnps.rpc.net;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for encoding messages, by power-of-two size class, so that the hot path neither
 * allocates nor zeroes native memory per message. A buffer is taken with {@link #acquire} and
 * given back with {@link #release} once written; at most {@code maxRetainedBytes} are kept idle,
 * the rest are left to the garbage collector.
 */
public final class DirectBufferPool {
  private static final int MIN_CLASS = 12;
  private static final int MAX_CLASS = 31;

  @SuppressWarnings("unchecked")
  private final ConcurrentLinkedQueue<ByteBuffer>[] free = new ConcurrentLinkedQueue[MAX_CLASS + 1];
  private final AtomicLong retained = new AtomicLong();
  private final long maxRetainedBytes;

  public DirectBufferPool(long maxRetainedBytes) {
    this.maxRetainedBytes = maxRetainedBytes;
    for (int c = MIN_CLASS; c <= MAX_CLASS; c++) {
      free[c] = new ConcurrentLinkedQueue<>();
    }
  }

  /** A cleared buffer of at least minBytes, big-endian. */
  public ByteBuffer acquire(int minBytes) {
    int c = sizeClass(minBytes);
    ByteBuffer b = free[c].poll();
    if (b != null) {
      retained.addAndGet(-b.capacity());
      b.clear();
      return b;
    }
    long cap = 1L << c;
    return ByteBuffer.allocateDirect((int) Math.min(cap, Integer.MAX_VALUE - 8));
  }

  /** Gives a buffer from {@link #acquire} back; it must not be used afterwards. */
  public void release(ByteBuffer b) {
    if (!b.isDirect() || Integer.bitCount(b.capacity()) != 1 || b.capacity() < (1 << MIN_CLASS)) {
      return;
    }
    if (retained.addAndGet(b.capacity()) > maxRetainedBytes) {
      retained.addAndGet(-b.capacity());
      return;
    }
    free[Integer.numberOfTrailingZeros(b.capacity())].add(b);
  }

  private static int sizeClass(int n) {
    if (n <= (1 << MIN_CLASS)) {
      return MIN_CLASS;
    }
    int c = 32 - Integer.numberOfLeadingZeros(n - 1);
    return Math.min(c, MAX_CLASS);
  }
}
