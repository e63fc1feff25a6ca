package yarnps.server;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import yarnps.rpc.Errors;
import yarnps.rpc.PsWire;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;

/**
 * A {@link DataPlane}'s push and pull as blocking calls, for the generated interface: in-process
 * callers and stock Thrift clients routed through the processor. The server's endpoint decodes
 * these calls itself and never blocks; here a deferred answer is awaited on the caller's thread.
 */
final class BlockingDataCalls {
  private BlockingDataCalls() {}

  /** Applies a push and returns once it is acknowledged (with replicas: once the chain stored it). */
  static void push(DataPlane plane, PsWire.Request req) throws PsError {
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean now = plane.push(req, new DataPlane.PushReply() {
      @Override
      public void finishDeferred() {
        done.complete(null);
      }

      @Override
      public void failDeferred(PsError error) {
        done.completeExceptionally(error);
      }
    });
    if (!now) {
      awaitChain(done);
    }
  }

  private static void awaitChain(CompletableFuture<Void> done) throws PsError {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("push", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof PsError pe ? pe : Errors.internal("push", e.getCause());
    }
  }

  /** The generated interface's push: as {@link #push(DataPlane, PsWire.Request)}, uncompressed blocks only. */
  static void push(DataPlane plane, PushRequest r) throws PsError {
    PsWire.Request req = request(r.getTable(), r.getLayoutVersion(), r.getNumKeys(), r.keys, r.getWorker(),
        r.getClock(), r.getKeySignature(), r.values, r.isSetKeyCodec() || r.isSetValueCodec());
    req.requestId = r.isSetRequestId() ? r.getRequestId() : -1;
    req.part = r.isSetPart() ? r.getPart() : -1;
    req.replica = r.isReplica();
    plane.push(req);
  }

  /** The generated interface's pull: answered now, or once the plane answers a deferred pull. */
  static PullResponse pull(DataPlane plane, PullRequest r) throws PsError {
    PsWire.Request req = request(r.getTable(), r.getLayoutVersion(), r.getNumKeys(), r.keys, r.getWorker(),
        r.getClock(), r.getKeySignature(), null, r.isSetKeyCodec());
    CompletableFuture<ByteBuffer> done = new CompletableFuture<>();
    ByteBuffer[] out = new ByteBuffer[1];
    DataPlane.PullReply sink = new DataPlane.PullReply() {
      @Override
      public ByteBuffer valueBlock(int numKeys, int bytes) {
        out[0] = ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return out[0].duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
      }

      @Override
      public void finishDeferred() {
        done.complete(out[0]);
      }

      @Override
      public void failDeferred(PsError error) {
        done.completeExceptionally(error);
      }
    };
    if (plane.pull(req, sink)) {
      return new PullResponse(r.getNumKeys(), out[0]);
    }
    // A waiting pull from a plain Thrift caller holds its pool thread; the data plane never does.
    try {
      return new PullResponse(r.getNumKeys(), done.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("pull", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof PsError pe ? pe : Errors.internal("pull", e.getCause());
    }
  }

  private static PsWire.Request request(String table, long version, int numKeys, ByteBuffer keys, int worker,
      long clock, long signature, ByteBuffer values, boolean compressed) throws PsError {
    if (compressed) {
      throw Errors.badRequest("compressed blocks are accepted on the data-plane endpoint only");
    }
    PsWire.Request req = new PsWire.Request();
    req.table = table;
    req.layoutVersion = version;
    req.numKeys = numKeys;
    req.keys = keys.duplicate();
    req.values = values == null ? null : values.duplicate();
    req.worker = worker;
    req.clock = clock;
    req.keySignature = signature;
    return req;
  }
}
