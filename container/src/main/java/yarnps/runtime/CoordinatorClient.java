package yarnps.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import yarnps.rpc.Rpc;
import yarnps.thrift.Coordinator;
import yarnps.thrift.FinishRequest;
import yarnps.thrift.Heartbeat;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.MetricsReport;
import yarnps.thrift.PsError;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.RegisterResponse;

/**
 * A container's connection to the AM's Coordinator service. Calls are serialized on one
 * connection; {@link #barrier} blocks and so opens its own. A broken connection is reopened once
 * per call.
 */
public final class CoordinatorClient implements Closeable {
  private final String host;
  private final int port;
  private final int timeoutMs;
  private TProtocol protocol;
  private Coordinator.Client client;

  public CoordinatorClient(String host, int port, int timeoutMs) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  private interface Call<T> {
    T run(Coordinator.Client c) throws TException;
  }

  private synchronized <T> T call(String what, Call<T> call) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (client == null) {
          protocol = Rpc.connect(host, port, 64 << 20, timeoutMs);
          client = new Coordinator.Client(protocol);
        }
        return call.run(client);
      } catch (PsError e) {
        throw new IOException("AM " + host + ":" + port + " refused " + what + ": " + e.getMessage(), e);
      } catch (TException e) {
        closeConnection();
        if (attempt >= 1) {
          throw new IOException("AM " + host + ":" + port + " unreachable for " + what + ": " + e, e);
        }
      }
    }
  }

  public RegisterResponse register(RegisterRequest request) throws IOException {
    return call("register", c -> c.registerContainer(request));
  }

  public HeartbeatResponse heartbeat(Heartbeat hb) throws IOException {
    return call("heartbeat", c -> c.heartbeat(hb));
  }

  public Layout layout() throws IOException {
    return call("getLayout", Coordinator.Client::getLayout);
  }

  public List<InputSplit> splits(int worker, String input) throws IOException {
    return call("getSplits", c -> c.getSplits(worker, input));
  }

  public void report(MetricsReport report) throws IOException {
    call("report", c -> {
      c.report(report);
      return null;
    });
  }

  public void finish(FinishRequest request) throws IOException {
    call("finish", c -> {
      c.finish(request);
      return null;
    });
  }

  /** Blocks (on a connection of its own, without a read timeout) until every worker arrived. */
  public void barrier(int worker, String name) throws IOException {
    TProtocol p = null;
    try {
      p = Rpc.connect(host, port, 1 << 20, 0);
      new Coordinator.Client(p).barrier(worker, name);
    } catch (TException e) {
      throw new IOException("barrier '" + name + "' at AM " + host + ":" + port + " failed: " + e.getMessage(), e);
    } finally {
      if (p != null) {
        p.getTransport().close();
      }
    }
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
}
