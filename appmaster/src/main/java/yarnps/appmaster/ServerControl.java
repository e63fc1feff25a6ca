package yarnps.appmaster;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import yarnps.rpc.Rpc;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.Layout;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.ServerStats;
import yarnps.thrift.ShardInfo;

/**
 * The AM's control connection to one parameter server, for the calls of checkpoints and recovery
 * (installLayout, checkpointPrepare/checkpoint/checkpointAbort, restore, recoverFromPeers, stats).
 * Blocking, one call at a time; a broken connection is opened again once per call. Failures are
 * IOExceptions naming the server and the call.
 */
final class ServerControl implements Closeable {
  private final int index;
  private final String host;
  private final int port;
  private final int timeoutMs;
  private TProtocol protocol;
  private ParameterService.Client client;

  ServerControl(int index, String host, int port, int timeoutMs) {
    this.index = index;
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  private interface Call<T> {
    T run(ParameterService.Client c) throws TException;
  }

  private synchronized <T> T call(String what, Call<T> call) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (client == null) {
          protocol = Rpc.connect(host, port, 64 << 20, timeoutMs);
          client = new ParameterService.Client(protocol);
        }
        return call.run(client);
      } catch (PsError e) {
        throw new IOException(this + " refused " + what + ": " + e.getCode() + ": " + e.getMessage(), e);
      } catch (TException e) {
        closeConnection();
        if (attempt >= 1) {
          throw new IOException(this + " unreachable for " + what + ": " + e, e);
        }
      }
    }
  }

  void installLayout(Layout layout) throws IOException {
    call("installLayout", c -> {
      c.installLayout(layout);
      return null;
    });
  }

  long checkpointPrepare(long id) throws IOException {
    return call("checkpointPrepare", c -> c.checkpointPrepare(id));
  }

  List<ShardInfo> checkpoint(long id, long clock, String dir) throws IOException {
    return call("checkpoint", c -> c.checkpoint(id, clock, dir));
  }

  void checkpointAbort(long id) throws IOException {
    call("checkpointAbort", c -> {
      c.checkpointAbort(id);
      return null;
    });
  }

  long restore(String dir, Layout layout) throws IOException {
    return call("restore", c -> c.restore(dir, layout));
  }

  long recoverFromPeers() throws IOException {
    return call("recoverFromPeers", ParameterService.Client::recoverFromPeers);
  }

  /** Sends a worker's clock update (the AM lets a finished worker leave the clock group after a restore). */
  void clock(ClockUpdate update) throws IOException {
    call("clock", c -> {
      c.clock(update);
      return null;
    });
  }

  ServerStats stats() throws IOException {
    return call("stats", ParameterService.Client::stats);
  }

  int index() {
    return index;
  }

  private void closeConnection() {
    if (protocol != null) {
      protocol.getTransport().close();
    }
    protocol = null;
    client = null;
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }

  @Override
  public String toString() {
    return "server " + index + " (" + host + ":" + port + ")";
  }
}
