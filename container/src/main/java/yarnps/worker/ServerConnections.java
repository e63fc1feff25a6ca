package yarnps.worker;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import yarnps.rpc.Rpc;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;

/**
 * A small pool of connections to one server. A call borrows a connection, waiting while all are in
 * use, so at most the pool's size of calls are in flight per server; a connection that failed at
 * the transport level is dropped and reopened by the next call.
 */
final class ServerConnections {
  final int index;
  private final String host;
  private final int port;
  private final int maxFrameBytes;
  private final int timeoutMs;
  private final BlockingQueue<Slot> slots;

  /** One pool slot: a connection, or null until first used / after a failure. */
  private static final class Slot {
    TProtocol protocol;
    ParameterService.Client client;
  }

  interface Call<T> {
    T run(ParameterService.Client c) throws TException;
  }

  ServerConnections(int index, String host, int port, int size, int maxFrameBytes, int timeoutMs) {
    this.index = index;
    this.host = host;
    this.port = port;
    this.maxFrameBytes = maxFrameBytes;
    this.timeoutMs = timeoutMs;
    this.slots = new ArrayBlockingQueue<>(size);
    for (int i = 0; i < size; i++) {
      slots.add(new Slot());
    }
  }

  <T> T call(String what, Call<T> call) {
    Slot slot;
    try {
      slot = slots.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ThriftParameterClient.ServerCallException(what + " to " + this + " interrupted", false, e);
    }
    try {
      if (slot.client == null) {
        slot.protocol = Rpc.connect(host, port, maxFrameBytes, timeoutMs);
        slot.client = new ParameterService.Client(slot.protocol);
      }
      return call.run(slot.client);
    } catch (PsError e) {
      throw new ThriftParameterClient.ServerCallException(
          what + " refused by " + this + ": " + e.getCode() + ": " + e.getMessage(), e.isCanRetry(), e);
    } catch (TException e) {
      drop(slot);
      throw new ThriftParameterClient.ServerCallException(what + " to " + this + " failed: " + e, true, e);
    } catch (RuntimeException e) {
      drop(slot);
      throw e;
    } finally {
      slots.add(slot);
    }
  }

  /**
   * Makes one call on a connection of its own without a read timeout, for calls whose duration
   * grows with the server's data (save): they must not time out, nor hold a pooled connection.
   */
  <T> T callUnbounded(String what, Call<T> call) {
    TProtocol protocol = null;
    try {
      protocol = Rpc.connect(host, port, maxFrameBytes, 0);
      return call.run(new ParameterService.Client(protocol));
    } catch (PsError e) {
      throw new ThriftParameterClient.ServerCallException(
          what + " refused by " + this + ": " + e.getCode() + ": " + e.getMessage(), e.isCanRetry(), e);
    } catch (TException e) {
      throw new ThriftParameterClient.ServerCallException(what + " to " + this + " failed: " + e, true, e);
    } finally {
      if (protocol != null) {
        protocol.getTransport().close();
      }
    }
  }

  private static void drop(Slot slot) {
    if (slot.protocol != null) {
      slot.protocol.getTransport().close();
    }
    slot.protocol = null;
    slot.client = null;
  }

  void close() {
    for (Slot s : slots) {
      drop(s);
    }
  }

  @Override
  public String toString() {
    return "server " + index + " (" + host + ":" + port + ")";
  }
}
