package yarnps.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import yarnps.common.BlockCompressor;
import yarnps.rpc.PsWire;
import yarnps.rpc.net.ClientConnection;
import yarnps.rpc.net.ThriftWire;
import yarnps.thrift.BlockCodec;
import yarnps.thrift.ErrorCode;

/**
 * One push or pull request of one {@link KeyChunk}: encodes itself straight from the caller's
 * arrays into the connection's buffer, and on the reply either counts its part of the call done
 * (a pull's values copied straight into the caller's array) or fails the call naming the server.
 * A KEY_CACHE_MISS is answered by sending the same chunk again with its keys.
 *
 * <p>Recovery (when the client has a {@link LayoutSource}): a call whose connection broke, or
 * that a server refused with STALE_LAYOUT, RECOVERING or NOT_READY, waits for a newer layout and
 * is sent again unchanged (same requestId, part and clock) to the same server index at its
 * address in that layout, until {@code yarnps.recovery.timeout.ms} after its first failure.
 */
final class ChunkCall implements ClientConnection.Call {
  private final ThriftParameterClient client;
  private final ServerChannel server;
  private final boolean push;
  private final String table;
  private final int width;
  private final long[] keys;
  private final KeyChunk chunk;
  private final boolean keepBlock;
  /** Push: the values to send; pull: where the answer goes. */
  private final float[] values;
  private final ThriftParameterClient.Pending<?> pending;
  private final boolean sendKeys;
  private final long requestId;
  /** The chunk's index within its call. */
  private final int part;
  /** The clock the call was made at (not the one current when it is encoded or resent). */
  private final long clock;
  /** The layout version this request carries. */
  private long sentVersion;
  /** When retries stop (System.nanoTime), once the call failed once; else 0. */
  private long retryDeadline;

  ChunkCall(ThriftParameterClient client, ServerChannel server, boolean push, String table, int width, long[] keys,
      KeyChunk chunk, boolean keepBlock, float[] values, ThriftParameterClient.Pending<?> pending, boolean sendKeys,
      long requestId, int part, long clock) {
    this.requestId = requestId;
    this.part = part;
    this.clock = clock;
    this.client = client;
    this.server = server;
    this.push = push;
    this.table = table;
    this.width = width;
    this.keys = keys;
    this.chunk = chunk;
    this.keepBlock = keepBlock;
    this.values = values;
    this.pending = pending;
    this.sendKeys = sendKeys;
  }

  private String op() {
    return push ? "push" : "pull";
  }

  /** Sends this call on one of the server's connections; failures go to the pending call. */
  void send() {
    sentVersion = client.layoutVersion();
    ClientConnection c;
    try {
      c = server.pick();
    } catch (IOException e) {
      if (retry(false, e)) {
        return;
      }
      pending.fail(new ThriftParameterClient.ServerCallException(op() + " " + table + " to " + server + " failed: "
          + e.getMessage(), true, e));
      return;
    }
    c.call(this, client.options().timeoutMs());
  }

  /** This chunk again, to the server of the same index as the client knows it now. */
  private ChunkCall again(boolean withKeys) {
    ServerChannel to = client.server(server.index);
    boolean keysNeeded = withKeys || to != server && client.options().keyCache() && !to.directory.has(chunk.signature);
    ChunkCall c = new ChunkCall(client, to, push, table, width, keys, chunk, keepBlock, values, pending,
        sendKeys || keysNeeded, requestId, part, clock);
    c.retryDeadline = retryDeadline;
    return c;
  }

  /**
   * Waits for a newer layout and resends, if the client can (sameVersionToo: STALE_LAYOUT or
   * NOT_READY, where the server may be the one behind, so the source's current version will do) (it has a layout source and the
   * deadline has not passed); returns false when it cannot, and the caller fails the call.
   */
  private boolean retry(boolean sameVersionToo, Throwable cause) {
    if (!client.recovers()) {
      return false;
    }
    if (retryDeadline == 0) {
      retryDeadline = System.nanoTime() + client.recoveryTimeoutNanos();
    }
    client.afterNewerLayout(sentVersion, sameVersionToo, retryDeadline, () -> again(false).send(),
        e -> pending.fail(new ThriftParameterClient.ServerCallException(op() + " " + table + " to " + server
            + " failed and no newer layout came: " + e.getMessage(), false, cause)));
    return true;
  }

  private KeyChunk.Block block;
  private BlockCompressor keyCompressor;
  private BlockCompressor valueCompressor;

  @Override
  public int maxBytes() {
    long n = PsWire.FIXED_OVERHEAD + ThriftWire.stringSize(table);
    keyCompressor = null;
    valueCompressor = null;
    if (sendKeys) {
      block = chunk.keyBlock(keys, keepBlock);
      keyCompressor = client.compressorFor(block.length());
      n += keyCompressor == null ? block.length() : keyCompressor.maxCompressedLength(block.length());
    }
    if (push) {
      int raw = chunk.count * width * 4;
      valueCompressor = client.compressorFor(raw);
      n += valueCompressor == null ? raw : valueCompressor.maxCompressedLength(raw);
    }
    if (n > client.options().maxFrameBytes()) {
      throw new IllegalStateException(op() + " " + table + " of " + chunk.count + " keys needs " + n
          + " bytes, over the frame limit " + client.options().maxFrameBytes());
    }
    return (int) n;
  }

  @Override
  public void encode(ByteBuffer b, int seqid) {
    long signature = client.options().keyCache() ? chunk.signature : 0;
    PsWire.beginRequest(b, push, seqid, table, sentVersion, chunk.count, client.worker(), clock,
        signature, requestId);
    if (push) {
      PsWire.pushChain(b, part, false);
    }
    BlockCodec keyCodec = BlockCodec.NONE;
    int at = PsWire.beginBinary(b, PsWire.KEYS_FIELD);
    if (sendKeys) {
      client.counters.keysSent.add(chunk.count);
      client.counters.rawKeyBytes.add(block.length());
      ByteBuffer src = ByteBuffer.wrap(block.bytes(), 0, block.length());
      if (keyCompressor != null && keyCompressor.compressIfSmaller(src, b)) {
        keyCodec = keyCompressor.codec();
      } else {
        b.put(src);
      }
    } else {
      client.counters.keysNotSent.add(chunk.count);
    }
    PsWire.endBinary(b, at);
    client.counters.wireKeyBytes.add(b.position() - at - 4);
    BlockCodec valueCodec = BlockCodec.NONE;
    if (push) {
      at = PsWire.beginBinary(b, PsWire.VALUES_FIELD);
      int raw = chunk.count * width * 4;
      if (valueCompressor == null) {
        putValues(b);
      } else {
        ByteBuffer tmp = client.encodeScratch(raw);
        putValues(tmp);
        tmp.flip();
        if (valueCompressor.compressIfSmaller(tmp, b)) {
          valueCodec = valueCompressor.codec();
        } else {
          b.put(tmp);
        }
      }
      PsWire.endBinary(b, at);
      client.counters.rawValueBytes.add(raw);
      client.counters.wireValueBytes.add(b.position() - at - 4);
    }
    PsWire.requestCodecs(b, push, keyCodec, sendKeys ? block.length() : 0, push ? valueCodec : client.replyCodec());
    PsWire.endRequest(b);
  }

  /** Writes the chunk's values, little-endian, at b's position and advances it. */
  private void putValues(ByteBuffer b) {
    FloatBuffer f = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int i = 0; i < chunk.parts; i++) {
      f.put(values, chunk.from[i] * width, (chunk.to[i] - chunk.from[i]) * width);
    }
    b.position(b.position() + chunk.count * width * 4);
  }

  @Override
  public void onReply(ByteBuffer frame, ThriftWire.MessageHeader h) {
    PsWire.Reply r = PsWire.readReply(frame, h.type, push);
    if (r.error != null) {
      ErrorCode code = r.error.getCode();
      if (code == ErrorCode.KEY_CACHE_MISS && !sendKeys) {
        client.counters.keyCacheMisses.increment();
        server.directory.forget(chunk.signature);
        again(true).send();
        return;
      }
      if ((code == ErrorCode.STALE_LAYOUT || code == ErrorCode.RECOVERING || code == ErrorCode.NOT_READY)
          && retry(code != ErrorCode.RECOVERING, new PsErrorException(r.error))) {
        return;
      }
      pending.fail(new ThriftParameterClient.ServerCallException(op() + " " + table + " refused by " + server + ": "
          + r.error.getCode() + ": " + r.error.getMessage(), r.error.isCanRetry(), r.error));
      return;
    }
    if (sendKeys && chunk.signature != 0 && client.options().keyCache()) {
      server.directory.remember(chunk.signature, chunk.count);
    }
    if (!push) {
      scatter(r);
    }
    pending.partDone();
  }

  private void scatter(PsWire.Reply r) {
    int bytes = chunk.count * width * 4;
    ByteBuffer v = r.values;
    if (r.valueCodec != BlockCodec.NONE) {
      ByteBuffer raw = client.decodeScratch(bytes);
      BlockCompressor.forThisThread(r.valueCodec).decompress(v, v.remaining(), raw, bytes);
      raw.flip();
      v = raw;
    }
    if (r.numKeys != chunk.count || v.remaining() != bytes) {
      throw new IllegalStateException(server + " answered pull " + table + " of " + chunk.count + " keys with "
          + r.numKeys + " keys / " + v.remaining() + " bytes");
    }
    FloatBuffer f = v.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int i = 0; i < chunk.parts; i++) {
      f.get(values, chunk.from[i] * width, (chunk.to[i] - chunk.from[i]) * width);
    }
  }

  @Override
  public void onFailure(Throwable cause) {
    // Lost connections and timeouts are retried; an encoding failure is the caller's.
    if (cause instanceof IOException && retry(false, cause)) {
      return;
    }
    pending.fail(new ThriftParameterClient.ServerCallException(op() + " " + table + " to " + server + " failed: "
        + cause.getMessage(), true, cause));
  }

  /** A server's refusal as the cause of a retry. */
  private static final class PsErrorException extends Exception {
    private static final long serialVersionUID = 1L;

    PsErrorException(yarnps.thrift.PsError e) {
      super(e.getCode() + ": " + e.getMessage(), e);
    }
  }
}
