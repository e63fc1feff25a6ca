package yarnps.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>With {@linkplain #followAm an AM locator}, a lost AM is not the end: the call looks up where
 * the next AM attempt serves (its {@code am.address} file), registers this container there again,
 * and retries, for up to the recovery timeout.
 */
public final class CoordinatorClient implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorClient.class);

  private volatile String host;
  private volatile int port;
  private final int timeoutMs;
  private TProtocol protocol;
  private Coordinator.Client client;
  private AmLocator locator;
  private long recoveryTimeoutMs;
  private Supplier<RegisterRequest> registration;
  /** How many times this client moved to a new AM attempt. */
  private volatile int amChanges;

  public CoordinatorClient(String host, int port, int timeoutMs) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Follows the job's AM across attempts: when the AM cannot be reached, reads its address from
   * {@code locator} (polling for up to recoveryTimeoutMs until a new attempt wrote one), registers
   * there with {@code registration}'s request (the container's current clock or layout version),
   * and retries the call.
   */
  public synchronized void followAm(AmLocator locator, long recoveryTimeoutMs, Supplier<RegisterRequest> registration) {
    this.locator = locator;
    this.recoveryTimeoutMs = recoveryTimeoutMs;
    this.registration = registration;
  }

  /** Times this client moved to a new AM attempt. */
  public int amChanges() {
    return amChanges;
  }

  private interface Call<T> {
    T run(Coordinator.Client c) throws TException;
  }

  private synchronized <T> T call(String what, Call<T> call) throws IOException {
    long deadline = 0;
    for (int attempt = 0; ; attempt++) {
      try {
        if (client == null) {
          protocol = Rpc.connect(host, port, 64 << 20, timeoutMs);
          client = new Coordinator.Client(protocol);
        }
        return call.run(client);
      } catch (PsError e) {
        if (e.getCode() == yarnps.thrift.ErrorCode.UNKNOWN_PEER && locator != null && registration != null
            && !"register".equals(what) && attempt < 3) {
          // A new AM attempt that has not heard of this container yet: introduce it, then retry.
          LOG.info("AM {}:{} does not know this container ({}): registering again", host, port, e.getMessage());
          reRegister();
          continue;
        }
        throw new IOException("AM " + host + ":" + port + " refused " + what + ": " + e.getMessage(), e);
      } catch (TException e) {
        closeConnection();
        if (attempt >= 1) {
          if (locator == null) {
            throw new IOException("AM " + host + ":" + port + " unreachable for " + what + ": " + e, e);
          }
          if (deadline == 0) {
            deadline = System.currentTimeMillis() + recoveryTimeoutMs;
            LOG.warn("AM {}:{} unreachable for {} ({}); looking for the next AM attempt in {} for up to {} ms", host,
                port, what, e.getMessage(), locator, recoveryTimeoutMs);
          }
          if (!moveToNextAm(deadline)) {
            throw new IOException("AM " + host + ":" + port + " unreachable for " + what + " and no new AM attempt"
                + " wrote " + locator + " within " + recoveryTimeoutMs + " ms: " + e, e);
          }
          if (!"register".equals(what)) {
            reRegister();
          }
        }
      }
    }
  }

  /** Waits until the locator names an AM other than the current one; false at the deadline. */
  private boolean moveToNextAm(long deadline) {
    long sleep = 200;
    while (System.currentTimeMillis() < deadline) {
      try {
        AmLocator.Address a = locator.read();
        if (!a.host().equals(host) || a.port() != port) {
          LOG.info("the AM moved from {}:{} to {} (a new attempt)", host, port, a);
          host = a.host();
          port = a.port();
          amChanges++;
          return true;
        }
      } catch (IOException e) {
        LOG.debug("cannot read the AM address yet: {}", e.getMessage());
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
      sleep = Math.min(2000, sleep * 2);
    }
    return false;
  }

  /** Registers this container with the (new) AM on the current connection. */
  private void reRegister() throws IOException {
    RegisterRequest r = registration.get();
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        if (client == null) {
          protocol = Rpc.connect(host, port, 64 << 20, timeoutMs);
          client = new Coordinator.Client(protocol);
        }
        client.registerContainer(r);
        LOG.info("registered again with the AM at {}:{} as {} {}", host, port, r.getRole(), r.getIndex());
        return;
      } catch (PsError e) {
        throw new IOException("AM " + host + ":" + port + " refused the registration of " + r.getRole() + " "
            + r.getIndex() + ": " + e.getMessage(), e);
      } catch (TException e) {
        closeConnection();
        if (attempt == 1) {
          throw new IOException("AM " + host + ":" + port + " unreachable for register: " + e, e);
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

  /**
   * Blocks (on a connection of its own, without a read timeout) until every worker arrived. When
   * the AM is lost meanwhile and a new attempt takes over, arrives at the barrier there.
   */
  public void barrier(int worker, String name) throws IOException {
    while (true) {
      TProtocol p = null;
      String at = host + ":" + port;
      try {
        p = Rpc.connect(host, port, 1 << 20, 0);
        new Coordinator.Client(p).barrier(worker, name);
        return;
      } catch (PsError e) {
        throw new IOException("barrier '" + name + "' at AM " + at + " failed: " + e.getMessage(), e);
      } catch (TException e) {
        if (locator == null) {
          throw new IOException("barrier '" + name + "' at AM " + at + " failed: " + e.getMessage(), e);
        }
        // Was the AM lost? A heartbeat finds out, following the AM to its next attempt if so.
        layout();
        if (at.equals(host + ":" + port)) {
          throw new IOException("barrier '" + name + "' at AM " + at + " failed: " + e.getMessage(), e);
        }
      } finally {
        if (p != null) {
          p.getTransport().close();
        }
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
