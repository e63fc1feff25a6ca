package yarnps.rpc.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The client end of one connection: many calls in flight, each matched to its reply by sequence
 * id, at most {@code maxInFlight} at a time (a caller past that waits: back-pressure). Requests are
 * encoded by the calling thread into pooled direct buffers and written without blocking; replies
 * are read and handed to their {@link Call} on the loop thread.
 *
 * <p>A call not answered within its timeout closes the connection, failing every call on it (as a
 * synchronous client would after a read timeout): after a lost reply the stream cannot be trusted.
 */
public final class ClientConnection extends FramedConnection {

  /** One request and what to do with its reply. */
  public interface Call {
    /** Bytes the encoded message may take at most, frame header excluded. */
    int maxBytes();

    /** Writes the whole message (header included) with this sequence id at buf's position. */
    void encode(ByteBuffer buf, int seqid);

    /**
     * The reply: frame positioned after the message header h. Runs on the loop thread; it must
     * not block. An exception thrown here fails the call with it.
     */
    void onReply(ByteBuffer frame, ThriftWire.MessageHeader h) throws Exception;

    /** The call failed before a reply: connection lost, timeout, encoding error. */
    void onFailure(Throwable cause);
  }

  private final DirectBufferPool pool;
  private final Semaphore permits;
  private final Call[] calls;
  private final long[] deadlines;
  /** Whether the call of a slot holds a permit (calls from the loop thread may not). */
  private final boolean[] permitted;
  private final int[] freeSlots;
  private int freeCount;
  private final ThriftWire.MessageHeader header = new ThriftWire.MessageHeader();

  private ClientConnection(SocketChannel ch, SelectorLoop loop, String peer, int maxFrameBytes, int maxInFlight,
      DirectBufferPool pool) throws IOException {
    super(ch, loop, peer, maxFrameBytes, false);
    this.pool = pool;
    this.permits = new Semaphore(maxInFlight);
    // Twice the permits: the loop thread may issue calls without a permit.
    int slots = 2 * maxInFlight;
    this.calls = new Call[slots];
    this.deadlines = new long[slots];
    this.permitted = new boolean[slots];
    this.freeSlots = new int[slots];
    for (int i = 0; i < slots; i++) {
      freeSlots[i] = slots - 1 - i;
    }
    this.freeCount = slots;
  }

  /** Connects (blocking, bounded by timeoutMs) and starts serving replies on loop. */
  public static ClientConnection open(String host, int port, SelectorLoop loop, int maxFrameBytes, int maxInFlight,
      DirectBufferPool pool, int timeoutMs) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.socket().connect(new InetSocketAddress(host, port), timeoutMs);
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    ClientConnection c = new ClientConnection(ch, loop, host + ":" + port, maxFrameBytes, maxInFlight, pool);
    c.start();
    return c;
  }

  /**
   * Sends call. Waits while maxInFlight calls are outstanding, except on the loop thread (a reply
   * callback issuing a call), which never waits: there the limit may be exceeded by the calls so
   * issued. timeoutMs 0 means no timeout. Failures are reported to call.onFailure, never thrown.
   */
  public void call(Call call, long timeoutMs) {
    boolean permit = true;
    if (loop.inLoop()) {
      permit = permits.tryAcquire();
    } else {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        call.onFailure(new IOException("interrupted while waiting to send to " + peer, e));
        return;
      }
    }
    int slot;
    synchronized (this) {
      if (isClosed()) {
        slot = -1;
      } else if (freeCount == 0) {
        slot = -2;
      } else {
        slot = freeSlots[--freeCount];
        calls[slot] = call;
        permitted[slot] = permit;
        deadlines[slot] = timeoutMs == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      }
    }
    if (slot < 0) {
      if (permit) {
        permits.release();
      }
      call.onFailure(new IOException(slot == -1 ? "connection to " + peer + " is closed"
          : "too many calls in flight to " + peer + " from a reply callback"));
      return;
    }
    ByteBuffer buf;
    try {
      buf = pool.acquire(call.maxBytes() + 4);
      int start = buf.position();
      buf.position(start + 4);
      call.encode(buf, slot);
      buf.putInt(start, buf.position() - start - 4);
      buf.flip();
    } catch (RuntimeException e) {
      Call c = take(slot);
      if (c != null) {
        c.onFailure(e);
      }
      return;
    }
    ByteBuffer sent = buf;
    send(buf, () -> pool.release(sent));
  }

  /** Removes the call of a slot and frees the slot; null if it was already taken (closed, timed out). */
  private Call take(int slot) {
    Call c;
    boolean permit;
    synchronized (this) {
      c = calls[slot];
      if (c == null) {
        return null;
      }
      calls[slot] = null;
      permit = permitted[slot];
      freeSlots[freeCount++] = slot;
    }
    if (permit) {
      permits.release();
    }
    return c;
  }

  @Override
  protected void onFrame(ByteBuffer frame) throws IOException {
    ThriftWire.readMessageBegin(frame, header);
    int slot = header.seqid;
    if (slot < 0 || slot >= calls.length) {
      throw new IOException(peer + " answered unknown sequence id " + slot);
    }
    Call c = take(slot);
    if (c == null) {
      throw new IOException(peer + " answered sequence id " + slot + " that has no call outstanding");
    }
    try {
      c.onReply(frame, header);
    } catch (Exception e) {
      c.onFailure(e);
    }
  }

  @Override
  protected void onClosed(Throwable cause) {
    IOException failure = new IOException("connection to " + peer + " closed"
        + (cause == null ? " by the peer" : ": " + cause.getMessage()), cause);
    for (int s = 0; s < calls.length; s++) {
      Call c = take(s);
      if (c != null) {
        c.onFailure(failure);
      }
    }
  }

  /** Closes the connection if a call is past its deadline; returns whether it did. */
  public boolean expire(long nowNanos) {
    long oldest = Long.MAX_VALUE;
    synchronized (this) {
      for (int s = 0; s < calls.length; s++) {
        if (calls[s] != null && deadlines[s] - nowNanos < 0) {
          oldest = Math.min(oldest, deadlines[s]);
        }
      }
    }
    if (oldest == Long.MAX_VALUE) {
      return false;
    }
    close(new java.net.SocketTimeoutException("a call to " + peer + " got no reply within its timeout"));
    return true;
  }
}
