package yarnps.worker;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import yarnps.rpc.net.ClientConnection;
import yarnps.rpc.net.DirectBufferPool;
import yarnps.rpc.net.SelectorLoop;

/**
 * A worker's connections to one server (calls multiplexed on each, spread round-robin) and the
 * directory of key lists that server holds for it. A closed connection is reopened by the next
 * call that picks it.
 */
final class ServerChannel {
  final int index;
  final String host;
  final int port;
  final KeyDirectory directory;
  private final ClientConnection[] connections;
  private final AtomicInteger next = new AtomicInteger();
  private final SelectorLoop loop;
  private final DirectBufferPool pool;
  private final ClientOptions options;
  private volatile boolean closed;

  ServerChannel(int index, String host, int port, SelectorLoop loop, DirectBufferPool pool, ClientOptions options) {
    this.index = index;
    this.host = host;
    this.port = port;
    this.loop = loop;
    this.pool = pool;
    this.options = options;
    this.connections = new ClientConnection[options.connectionsPerServer()];
    this.directory = new KeyDirectory(options.keyCacheKeysPerServer());
  }

  /** A connection to send on, opened if needed. */
  ClientConnection pick() throws IOException {
    int i = Math.floorMod(next.getAndIncrement(), connections.length);
    ClientConnection c = connections[i];
    if (c != null && !c.isClosed()) {
      return c;
    }
    synchronized (this) {
      if (closed) {
        throw new IOException("client to " + this + " is closed");
      }
      c = connections[i];
      if (c == null || c.isClosed()) {
        c = ClientConnection.open(host, port, loop, options.maxFrameBytes(), options.maxInFlight(), pool,
            options.timeoutMs());
        connections[i] = c;
      }
      return c;
    }
  }

  /** Closes connections with a call past its deadline. */
  void expire(long nowNanos) {
    for (ClientConnection c : connections) {
      if (c != null) {
        c.expire(nowNanos);
      }
    }
  }

  synchronized void close() {
    closed = true;
    for (ClientConnection c : connections) {
      if (c != null) {
        c.close(null);
      }
    }
  }

  @Override
  public String toString() {
    return "server " + index + " (" + host + ":" + port + ")";
  }
}
