package yarnps.rpc.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A non-blocking server of Thrift framed messages: an acceptor thread hands each new connection
 * to one of {@code selectors} {@link SelectorLoop} threads, which read its frames and pass them to
 * the {@link FrameHandler}. The handler answers on the loop thread for calls that never block, or
 * hands the work to a pool of its own and replies from there; replies are queued on the
 * connection and written by the loop when the socket is full. A connection whose replies queue up
 * is not read until they are written (back-pressure). A garbage or oversized frame closes its own
 * connection only, with a warning naming the peer.
 */
public final class NioServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NioServer.class);

  /** What the server does with each frame. */
  public interface FrameHandler {
    /**
     * One request frame (positioned at the message header), a view valid during the call only.
     * Throwing closes the connection; a well-formed request that fails should be answered with an
     * error reply instead.
     */
    void onFrame(Connection connection, ByteBuffer frame) throws IOException;
  }

  private final String name;
  private final ServerSocketChannel server;
  private final SelectorLoop[] loops;
  private final FrameHandler handler;
  private final DirectBufferPool pool;
  private final int maxFrameBytes;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;

  /**
   * Listens on port (0 for any free port) of all local addresses and starts serving.
   *
   * @param pool where reply buffers come from and return to
   */
  public NioServer(String name, int port, int selectors, int maxFrameBytes, FrameHandler handler,
      DirectBufferPool pool) throws IOException {
    this.name = name;
    this.handler = handler;
    this.pool = pool;
    this.maxFrameBytes = maxFrameBytes;
    this.server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(port), 256);
    this.loops = new SelectorLoop[selectors];
    for (int i = 0; i < selectors; i++) {
      loops[i] = new SelectorLoop(name + "-selector-" + i);
    }
    this.acceptor = new Thread(this::accept, name + "-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.socket().getLocalPort();
  }

  private void accept() {
    int next = 0;
    while (running) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (running) {
          // Out of file descriptors and the like: say so, and do not spin.
          LOG.warn("{}: accept failed: {}", name, e.toString());
          try {
            Thread.sleep(100);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        continue;
      }
      try {
        String peer = String.valueOf(ch.getRemoteAddress());
        Connection c = new Connection(ch, loops[next++ % loops.length], peer);
        connections.add(c);
        c.start();
      } catch (IOException e) {
        LOG.warn("{}: cannot set up connection: {}", name, e.toString());
        try {
          ch.close();
        } catch (IOException ignored) {
          // Already failing; nothing more to do for this socket.
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("{}: closing the listening socket", name, e);
    }
    for (Connection c : connections) {
      c.close(null);
    }
    for (SelectorLoop l : loops) {
      l.close();
    }
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A server-side connection: frames in, replies out. */
  public final class Connection extends FramedConnection {
    Connection(SocketChannel ch, SelectorLoop loop, String peer) throws IOException {
      super(ch, loop, peer, maxFrameBytes, true);
    }

    /** A buffer for one reply, with room for the frame length before its position. */
    public ByteBuffer replyBuffer(int maxMessageBytes) {
      ByteBuffer b = pool.acquire(maxMessageBytes + 4);
      b.position(4);
      return b;
    }

    /** Sends the reply written into b (from {@link #replyBuffer}) and gives b back to the pool. */
    public void reply(ByteBuffer b) {
      b.putInt(0, b.position() - 4);
      b.flip();
      send(b, () -> pool.release(b));
    }

    /** Gives back a buffer from {@link #replyBuffer} that will not be sent. */
    public void discard(ByteBuffer b) {
      pool.release(b);
    }

    @Override
    protected void onFrame(ByteBuffer frame) throws IOException {
      handler.onFrame(this, frame);
    }

    @Override
    protected void onClosed(Throwable cause) {
      connections.remove(this);
      if (cause == null || !running) {
        LOG.debug("{}: connection from {} closed", name, peer);
      } else if (cause instanceof IOException && !(cause instanceof FrameTooLargeException)
          && cause.getClass().getName().startsWith("java.")) {
        LOG.info("{}: connection from {} lost: {}", name, peer, cause.toString());
      } else {
        LOG.warn("{}: closed connection from {}: {}", name, peer, cause.getMessage() == null ? cause.toString()
            : cause.getMessage());
      }
    }
  }
}
