package yarnps.server;

import java.nio.ByteBuffer;
import java.util.Map;
import yarnps.rpc.PsWire;
import yarnps.thrift.PsError;

/**
 * What a server does with the data plane's two hot calls. The {@link ParameterEndpoint} decodes
 * the message and decompresses its blocks; the data plane resolves the key list (decoding the key
 * block or finding it by signature in its key cache), then applies or reads the values.
 *
 * <p>Calls run on the server's selector threads, concurrently for different connections: an
 * implementation must be thread-safe and must not block on I/O.
 */
public interface DataPlane {

  /**
   * Applies a push. {@code req.keys} and {@code req.values} are raw (uncompressed) blocks, views
   * valid during the call only; the key block is empty when {@code req.keySignature} names a
   * cached key list. Throws to refuse; a refused push changes nothing.
   */
  void push(PsWire.Request req) throws PsError;

  /**
   * Applies a push and acknowledges it through reply: returns true when it is acknowledged now
   * (the caller answers), or false when the answer comes later from another thread, by
   * {@link PushReply#finishDeferred} or {@link PushReply#failDeferred} (replication: once the
   * rest of the chain stored it). Throws to refuse now. By default the push is applied and
   * acknowledged at once.
   */
  default boolean push(PsWire.Request req, PushReply reply) throws PsError {
    push(req);
    return true;
  }

  /**
   * Answers a pull: calls {@link PullReply#valueBlock} once with the key count and fills the
   * returned buffer, and returns true. Or, when the pull must wait (consistency), keeps what it
   * needs of req (whose buffers are valid during this call only), returns false, and answers later
   * from another thread with valueBlock and then {@link PullReply#finishDeferred}, or
   * {@link PullReply#failDeferred}. Throws to refuse now.
   */
  boolean pull(PsWire.Request req, PullReply reply) throws PsError;

  /** Counters for stats and heartbeats (key cache hits and misses, ...). */
  Map<String, Long> counters();

  /** Where a deferred push's answer goes; exactly one of the two is called, once. */
  interface PushReply {
    /** Acknowledges the push. */
    void finishDeferred();

    /** Refuses the push (it may have been applied here: see the error). */
    void failDeferred(PsError error);
  }

  /** Where a pull's answer goes. */
  interface PullReply {
    /**
     * A little-endian buffer of exactly {@code bytes} bytes, to be filled completely with the
     * value block of {@code numKeys} keys before the call returns.
     */
    ByteBuffer valueBlock(int numKeys, int bytes);

    /** Sends a deferred answer, written through {@link #valueBlock}. */
    void finishDeferred();

    /** Refuses a deferred pull. */
    void failDeferred(PsError error);
  }
}
