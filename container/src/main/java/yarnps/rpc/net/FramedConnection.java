package yarnps.rpc.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A non-blocking TCP connection carrying Thrift framed messages (a 4-byte big-endian length, then
 * the message), served by one {@link SelectorLoop}.
 *
 * <p>Reading happens on the loop thread into one direct buffer that grows to the largest frame
 * seen; each complete frame is handed to {@link #onFrame} as a view of that buffer, valid only
 * during the call. A frame longer than the limit, or a negative length, closes the connection.
 *
 * <p>Writing: {@link #send} may be called from any thread and never blocks on the network. When
 * nothing is queued it writes at once; what the socket does not take is queued and written by the
 * loop when the socket is writable, several buffers per gathering write. A connection created with
 * {@code pauseReadsOnBacklog} stops reading while replies are queued, so a peer that sends faster
 * than it reads is slowed down instead of growing the queue.
 */
public abstract class FramedConnection {
  private static final int INITIAL_READ_BUFFER = 64 << 10;
  private static final int MAX_GATHER = 64;
  /** Replies queued while a read's frames are handled are written together, at the latest past this. */
  private static final int CORK_FLUSH_BYTES = 1 << 20;

  protected final SocketChannel channel;
  protected final SelectorLoop loop;
  protected final String peer;
  private final int maxFrameBytes;
  private final boolean pauseReadsOnBacklog;
  private volatile SelectionKey key;
  private ByteBuffer in;
  private boolean readsPaused;
  /** Set on the loop thread while it hands over frames: its sends are queued and written together. */
  private boolean corked;
  private long queuedBytes;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final ArrayDeque<Out> queue = new ArrayDeque<>();
  private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
  private volatile boolean closed;

  private record Out(ByteBuffer buf, Runnable release) {}

  protected FramedConnection(SocketChannel channel, SelectorLoop loop, String peer, int maxFrameBytes,
      boolean pauseReadsOnBacklog) throws IOException {
    this.channel = channel;
    this.loop = loop;
    this.peer = peer;
    this.maxFrameBytes = maxFrameBytes;
    this.pauseReadsOnBacklog = pauseReadsOnBacklog;
    this.in = ByteBuffer.allocateDirect(INITIAL_READ_BUFFER);
    channel.configureBlocking(false);
    channel.socket().setTcpNoDelay(true);
  }

  /** Registers with the loop for reading; frames arrive from then on. */
  public void start() {
    loop.execute(() -> {
      try {
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
      } catch (IOException | RuntimeException e) {
        close(e);
      }
    });
  }

  /** A complete frame (position at its first byte, limit after its last); valid during the call only. */
  protected abstract void onFrame(ByteBuffer frame) throws IOException;

  /** Called once when the connection closes; cause is null for an orderly close or end of stream. */
  protected abstract void onClosed(Throwable cause);

  public String peer() {
    return peer;
  }

  public boolean isClosed() {
    return closed;
  }

  // ---- reading (loop thread) ---------------------------------------------------------------

  final void onReadable() throws IOException {
    int n;
    while ((n = channel.read(in)) > 0) {
      if (!in.hasRemaining()) {
        break;
      }
    }
    if (n < 0) {
      close(null);
      return;
    }
    processFrames();
  }

  /**
   * Hands over every complete frame in the buffer, then makes room for the next one. Replies sent
   * meanwhile from this thread are written together afterwards (one gathering write for a batch
   * of pipelined calls); if the socket does not take them all, reading pauses until it has.
   */
  private void processFrames() throws IOException {
    corked = true;
    try {
      handFrames();
    } finally {
      corked = false;
    }
    flushQueued();
    if (pauseReadsOnBacklog && hasBacklog()) {
      pauseReads();
    }
  }

  private void handFrames() throws IOException {
    in.flip();
    while (!closed && !readsPaused && in.remaining() >= 4) {
      int len = in.getInt(in.position());
      if (len < 0 || len > maxFrameBytes) {
        throw new FrameTooLargeException(peer + " sent a frame of " + Integer.toUnsignedString(len)
            + " bytes; the limit is " + maxFrameBytes + " (yarnps.rpc.max.frame.bytes)");
      }
      if (in.remaining() - 4 < len) {
        break;
      }
      int start = in.position() + 4;
      ByteBuffer frame = in.duplicate();
      frame.limit(start + len).position(start);
      in.position(start + len);
      onFrame(frame);
      if (queuedBytes() > CORK_FLUSH_BYTES) {
        flushQueued();
        if (pauseReadsOnBacklog && hasBacklog()) {
          pauseReads();
        }
      }
    }
    if (closed) {
      return;
    }
    if (in.remaining() >= 4) {
      int need = 4 + in.getInt(in.position());
      if (need > in.capacity()) {
        // Grow by doubling as the frame's bytes arrive, not to its announced size at once: a peer
        // that announces a large frame and sends little does not get that memory.
        int cap = (int) Math.min(roundUp(need), Math.max(2L * in.capacity(), 1 << 20));
        ByteBuffer bigger = ByteBuffer.allocateDirect(cap);
        bigger.put(in);
        in = bigger;
        return;
      }
    }
    in.compact();
  }

  private static int roundUp(int n) {
    int p = Integer.highestOneBit(n);
    return p == n || p > (1 << 29) ? n : p << 1;
  }

  private long queuedBytes() {
    writeLock.lock();
    try {
      return queuedBytes;
    } finally {
      writeLock.unlock();
    }
  }

  private boolean hasBacklog() {
    writeLock.lock();
    try {
      return !queue.isEmpty();
    } finally {
      writeLock.unlock();
    }
  }

  private void pauseReads() {
    readsPaused = true;
    SelectionKey k = key;
    if (k != null && k.isValid()) {
      k.interestOpsAnd(~SelectionKey.OP_READ);
    }
  }

  private void resumeReads() throws IOException {
    readsPaused = false;
    SelectionKey k = key;
    if (k != null && k.isValid()) {
      k.interestOpsOr(SelectionKey.OP_READ);
    }
    // Frames that arrived before the pause are still in the buffer.
    processFrames();
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Sends buf's remaining bytes (one or more whole frames). {@code release} runs, on some thread,
   * once they are written or the connection has closed. Returns false if the connection is closed
   * (release has then run).
   */
  public final boolean send(ByteBuffer buf, Runnable release) {
    boolean written = false;
    boolean queued = false;
    boolean open = false;
    Exception failure = null;
    writeLock.lock();
    try {
      open = !closed;
      if (open && corked && loop.inLoop()) {
        queue.add(new Out(buf, release));
        queuedBytes += buf.remaining();
        queued = true;
      } else if (open) {
        if (queue.isEmpty()) {
          channel.write(buf);
          written = !buf.hasRemaining();
        }
        if (!written) {
          boolean first = queue.isEmpty();
          queue.add(new Out(buf, release));
          queuedBytes += buf.remaining();
          queued = true;
          if (first) {
            SelectionKey k = key;
            if (k != null && k.isValid()) {
              k.interestOpsOr(SelectionKey.OP_WRITE);
              if (!loop.inLoop()) {
                loop.selector().wakeup();
              }
            } else {
              // Not registered yet: the loop enables OP_WRITE once it is.
              loop.execute(this::enableWriteIfQueued);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    } finally {
      writeLock.unlock();
    }
    if (failure != null) {
      close(failure);
      if (!queued) {
        release.run();
      }
      return false;
    }
    if (!open) {
      release.run();
      return false;
    }
    if (written) {
      release.run();
    }
    return true;
  }

  private void enableWriteIfQueued() {
    writeLock.lock();
    try {
      SelectionKey k = key;
      if (!queue.isEmpty() && k != null && k.isValid()) {
        k.interestOpsOr(SelectionKey.OP_WRITE);
      }
    } finally {
      writeLock.unlock();
    }
  }

  final void onWritable() throws IOException {
    flushQueued();
    if (readsPaused && !hasBacklog()) {
      resumeReads();
    }
  }

  /** Writes what is queued, several buffers per call; asks for OP_WRITE if the socket is full. */
  private void flushQueued() throws IOException {
    writeLock.lock();
    try {
      while (!queue.isEmpty()) {
        int n = 0;
        for (Out o : queue) {
          gather[n++] = o.buf;
          if (n == MAX_GATHER) {
            break;
          }
        }
        queuedBytes -= channel.write(gather, 0, n);
        java.util.Arrays.fill(gather, 0, n, null);
        while (!queue.isEmpty() && !queue.peek().buf.hasRemaining()) {
          queue.poll().release.run();
        }
        if (!queue.isEmpty() && queue.peek().buf.hasRemaining()) {
          break;
        }
      }
      SelectionKey k = key;
      if (k != null && k.isValid()) {
        if (queue.isEmpty()) {
          k.interestOpsAnd(~SelectionKey.OP_WRITE);
        } else {
          k.interestOpsOr(SelectionKey.OP_WRITE);
        }
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Closes the connection (idempotent); queued buffers are released, then {@link #onClosed} runs. */
  public final void close(Throwable cause) {
    ArrayDeque<Out> dropped;
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      dropped = new ArrayDeque<>(queue);
      queue.clear();
      queuedBytes = 0;
    } finally {
      writeLock.unlock();
    }
    SelectionKey k = key;
    if (k != null) {
      k.cancel();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Closing is best effort; the cause that matters is the one passed in.
    }
    for (Out o : dropped) {
      o.release.run();
    }
    onClosed(cause);
  }

  /** A frame over the limit: the connection is closed, the peer named. */
  public static final class FrameTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    FrameTooLargeException(String message) {
      super(message);
    }
  }
}
