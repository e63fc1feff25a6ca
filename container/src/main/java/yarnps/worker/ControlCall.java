package yarnps.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import yarnps.rpc.net.ClientConnection;
import yarnps.rpc.net.ThriftWire;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;

/**
 * A ParameterService call off the data plane (stats, save) on a multiplexed connection, encoded
 * and decoded by the generated classes: small messages, where clarity beats copies.
 *
 * @param <R> the result type
 */
final class ControlCall<R> implements ClientConnection.Call {
  private final ServerChannel server;
  private final String method;
  private final byte[] args;
  @SuppressWarnings("rawtypes")
  private final TBase result;
  final CompletableFuture<R> future = new CompletableFuture<>();
  /** The method returns void: success has no value field. */
  private boolean voidResult;

  @SuppressWarnings("rawtypes")
  private ControlCall(ServerChannel server, String method, TBase argsStruct, TBase result) {
    this.server = server;
    this.method = method;
    this.result = result;
    try {
      TMemoryBuffer buf = new TMemoryBuffer(256);
      argsStruct.write(new TBinaryProtocol(buf));
      this.args = java.util.Arrays.copyOf(buf.getArray(), buf.length());
    } catch (TException e) {
      throw new IllegalArgumentException("cannot encode " + method + " arguments", e);
    }
  }

  /** Saves a table on one server; no timeout, as a save's duration grows with the server's data. */
  static CompletableFuture<SaveResult> save(ServerChannel server, String table, String dir) {
    ControlCall<SaveResult> c = new ControlCall<>(server, "save",
        new ParameterService.save_args(table, dir), new ParameterService.save_result());
    return c.send(0);
  }

  static CompletableFuture<Void> clock(ServerChannel server, int worker, long clock, boolean leaving, int timeoutMs) {
    ControlCall<Object> c = new ControlCall<>(server, "clock",
        new ParameterService.clock_args(new yarnps.thrift.ClockUpdate(worker, clock, leaving)),
        new ParameterService.clock_result());
    c.voidResult = true;
    return c.send(timeoutMs).thenApply(v -> null);
  }

  static CompletableFuture<ServerStats> stats(ServerChannel server, int timeoutMs) {
    ControlCall<ServerStats> c = new ControlCall<>(server, "stats", new ParameterService.stats_args(),
        new ParameterService.stats_result());
    return c.send(timeoutMs);
  }

  private CompletableFuture<R> send(long timeoutMs) {
    try {
      server.pick().call(this, timeoutMs);
    } catch (IOException e) {
      onFailure(e);
    }
    return future;
  }

  @Override
  public int maxBytes() {
    return 16 + ThriftWire.stringSize(method) + args.length;
  }

  @Override
  public void encode(ByteBuffer buf, int seqid) {
    ThriftWire.messageBegin(buf, method, ThriftWire.CALL, seqid);
    buf.put(args);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void onReply(ByteBuffer frame, ThriftWire.MessageHeader h) throws TException {
    byte[] bytes = new byte[frame.remaining()];
    frame.get(bytes);
    TBinaryProtocol in = new TBinaryProtocol(new TMemoryInputTransport(bytes));
    if (h.type == TMessageType.EXCEPTION) {
      TApplicationException e = TApplicationException.readFrom(in);
      throw new BadReplyException(method + " to " + server + " raised " + e.getMessage());
    }
    result.read(in);
    TFieldIdEnum errorField = result.fieldForId(1);
    Object error = result.getFieldValue(errorField);
    if (error instanceof PsError e) {
      future.completeExceptionally(new ThriftParameterClient.ServerCallException(method + " refused by " + server
          + ": " + e.getCode() + ": " + e.getMessage(), e.isCanRetry(), e));
      return;
    }
    if (voidResult) {
      future.complete(null);
      return;
    }
    Object value = result.getFieldValue(result.fieldForId(0));
    if (value == null) {
      throw new BadReplyException(method + " to " + server + " returned no result");
    }
    future.complete((R) value);
  }

  @Override
  public void onFailure(Throwable cause) {
    future.completeExceptionally(cause instanceof ThriftParameterClient.ServerCallException ? cause
        : new ThriftParameterClient.ServerCallException(method + " to " + server + " failed: " + cause.getMessage(),
            true, cause));
  }

  /** A reply that is not what the call expects. */
  private static final class BadReplyException extends TException {
    private static final long serialVersionUID = 1L;

    BadReplyException(String message) {
      super(message);
    }
  }
}
