package yarnps.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.thrift.TException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.BlockCompressor;
import yarnps.rpc.Errors;
import yarnps.rpc.PsWire;
import yarnps.rpc.net.NioServer;
import yarnps.rpc.net.ThriftWire;
import yarnps.thrift.BlockCodec;
import yarnps.thrift.PsError;

/**
 * Serves ParameterService on a {@link NioServer}: {@code push} and {@code pull} are decoded by
 * {@link PsWire} and run on the selector thread through the {@link DataPlane}; every other method
 * (stats, save) runs on a worker pool through the generated processor, since it may block.
 *
 * <p>A request that cannot be decoded, or that the data plane refuses, is answered with a PsError
 * (BAD_REQUEST names what was wrong and the peer); only a frame that is not a Thrift message at
 * all closes the connection.
 */
public final class ParameterEndpoint implements NioServer.FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterEndpoint.class);

  private final DataPlane plane;
  private final TProcessor processor;
  private final ExecutorService pool;
  private final int compressMinBytes;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final LongAdder wireBytesIn = new LongAdder();
  private final LongAdder rawBytesIn = new LongAdder();
  private final LongAdder wireBytesOut = new LongAdder();
  private final LongAdder rawBytesOut = new LongAdder();
  private final LongAdder compressedBlocks = new LongAdder();
  private final LongAdder badRequests = new LongAdder();

  /** Per selector thread. */
  private static final class Scratch {
    final ThriftWire.MessageHeader header = new ThriftWire.MessageHeader();
    final PsWire.Request request = new PsWire.Request();
    ByteBuffer keys = ByteBuffer.allocateDirect(64 << 10);
    ByteBuffer values = ByteBuffer.allocateDirect(64 << 10);

    static ByteBuffer ensure(ByteBuffer b, int n) {
      if (b.capacity() < n) {
        b = ByteBuffer.allocateDirect((int) Math.max(n, Math.min(Integer.MAX_VALUE - 8, 2L * b.capacity())));
      }
      b.clear();
      return b;
    }
  }

  /**
   * @param plane push and pull
   * @param processor the generated processor for every other method
   * @param pool where blocking methods run
   * @param compressMinBytes pull replies are compressed (when the request asks) only from this size
   */
  public ParameterEndpoint(DataPlane plane, TProcessor processor, ExecutorService pool, int compressMinBytes) {
    this.plane = plane;
    this.processor = processor;
    this.pool = pool;
    this.compressMinBytes = compressMinBytes;
  }

  @Override
  public void onFrame(NioServer.Connection conn, ByteBuffer frame) throws IOException {
    int start = frame.position();
    Scratch s = scratch.get();
    ThriftWire.MessageHeader h = s.header;
    try {
      ThriftWire.readMessageBegin(frame, h);
    } catch (ThriftWire.WireException e) {
      throw new IOException("garbage frame from " + conn.peer() + ": " + e.getMessage(), e);
    }
    if (h.type != ThriftWire.CALL) {
      throw new IOException(conn.peer() + " sent message type " + h.type + " (" + h.name + "), not a call");
    }
    switch (h.name) {
      case PsWire.PUSH -> push(conn, frame, h.seqid, s);
      case PsWire.PULL -> pull(conn, frame, h.seqid, s);
      default -> {
        frame.position(start);
        byte[] message = new byte[frame.remaining()];
        frame.get(message);
        try {
          pool.execute(() -> generic(conn, message));
        } catch (RejectedExecutionException e) {
          throw new IOException("server is shutting down", e);
        }
      }
    }
  }

  private void push(NioServer.Connection conn, ByteBuffer frame, int seqid, Scratch s) {
    PsWire.Request req = s.request;
    PsError error;
    try {
      wireBytesIn.add(frame.remaining());
      PsWire.readRequest(frame, true, req);
      decompressBlocks(req, s, true);
      if (plane.push(req, new PushAck(conn, seqid))) {
        pushOk(conn, seqid);
      }
      return;
    } catch (ThriftWire.WireException | IllegalArgumentException e) {
      badRequests.increment();
      error = Errors.badRequest("malformed push from " + conn.peer() + ": " + e.getMessage());
    } catch (PsError e) {
      error = e;
    } catch (RuntimeException e) {
      LOG.error("push from {} failed", conn.peer(), e);
      error = Errors.internal("push", e);
    }
    replyError(conn, true, seqid, error);
  }

  private static void pushOk(NioServer.Connection conn, int seqid) {
    ByteBuffer b = conn.replyBuffer(64);
    PsWire.writePushOk(b, seqid);
    conn.reply(b);
  }

  /** The later answer of a push the data plane acknowledges once its replicas stored it. */
  private record PushAck(NioServer.Connection conn, int seqid) implements DataPlane.PushReply {
    @Override
    public void finishDeferred() {
      pushOk(conn, seqid);
    }

    @Override
    public void failDeferred(PsError error) {
      replyError(conn, true, seqid, error);
    }
  }

  private void pull(NioServer.Connection conn, ByteBuffer frame, int seqid, Scratch s) {
    PsWire.Request req = s.request;
    PsError error;
    Reply reply = null;
    try {
      wireBytesIn.add(frame.remaining());
      PsWire.readRequest(frame, false, req);
      decompressBlocks(req, s, false);
      reply = new Reply(conn, seqid, req.replyCodec);
      if (plane.pull(req, reply)) {
        reply.finish();
      }
      return;
    } catch (ThriftWire.WireException | IllegalArgumentException e) {
      badRequests.increment();
      error = Errors.badRequest("malformed pull from " + conn.peer() + ": " + e.getMessage());
    } catch (PsError e) {
      error = e;
    } catch (RuntimeException e) {
      LOG.error("pull from {} failed", conn.peer(), e);
      error = Errors.internal("pull", e);
    }
    if (reply != null) {
      reply.abandon();
    }
    replyError(conn, false, seqid, error);
  }

  private static void replyError(NioServer.Connection conn, boolean push, int seqid, PsError error) {
    ByteBuffer b = conn.replyBuffer(PsWire.errorSize(error));
    PsWire.writeError(b, push, seqid, error);
    conn.reply(b);
  }

  /** Replaces compressed blocks of req by views of their decompressed bytes in scratch buffers. */
  private void decompressBlocks(PsWire.Request req, Scratch s, boolean push) {
    if (req.keyCodec != BlockCodec.NONE && req.keys.hasRemaining()) {
      if (req.rawKeyBytes < 0) {
        throw new IllegalArgumentException("compressed key block without rawKeyBytes");
      }
      s.keys = Scratch.ensure(s.keys, req.rawKeyBytes);
      BlockCompressor.forThisThread(req.keyCodec).decompress(req.keys, req.keys.remaining(), s.keys, req.rawKeyBytes);
      s.keys.flip();
      compressedBlocks.increment();
      rawBytesIn.add(req.rawKeyBytes);
      req.keys = s.keys.duplicate();
    } else {
      rawBytesIn.add(req.keys.remaining());
    }
    if (push && req.valueCodec != BlockCodec.NONE) {
      long raw = 4L * req.numKeys * tableWidthHint(req);
      if (raw < 0 || raw > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("value block of " + req.numKeys + " keys is too large");
      }
      s.values = Scratch.ensure(s.values, (int) raw);
      BlockCompressor.forThisThread(req.valueCodec).decompress(req.values, req.values.remaining(), s.values, (int) raw);
      s.values.flip();
      compressedBlocks.increment();
      rawBytesIn.add(raw);
      req.values = s.values.duplicate();
    } else if (push) {
      rawBytesIn.add(req.values.remaining());
    }
  }

  private int tableWidthHint(PsWire.Request req) {
    return plane instanceof WidthSource w ? w.width(req.table) : 1;
  }

  /** Tells the endpoint a table's width, so a compressed value block's raw size is known. */
  public interface WidthSource {
    /** Width of the named table; throws IllegalArgumentException for an unknown table. */
    int width(String table);
  }

  /** The answer to one pull, written into a pooled reply buffer (compressed if asked and worth it). */
  private final class Reply implements DataPlane.PullReply {
    private final NioServer.Connection conn;
    private final int seqid;
    private final BlockCodec codec;
    private ByteBuffer buf;
    private int lengthAt;
    private int bytes = -1;
    private boolean compress;

    Reply(NioServer.Connection conn, int seqid, BlockCodec codec) {
      this.conn = conn;
      this.seqid = seqid;
      this.codec = codec;
    }

    @Override
    public ByteBuffer valueBlock(int numKeys, int bytes) {
      if (this.bytes >= 0) {
        throw new IllegalStateException("valueBlock called twice");
      }
      this.bytes = bytes;
      compress = codec != BlockCodec.NONE && bytes >= compressMinBytes;
      if (compress) {
        BlockCompressor c = BlockCompressor.forThisThread(codec);
        buf = conn.replyBuffer(PsWire.FIXED_OVERHEAD + c.maxCompressedLength(bytes));
        lengthAt = PsWire.beginPullOk(buf, seqid, numKeys);
        Scratch s = scratch.get();
        s.values = Scratch.ensure(s.values, bytes);
        ByteBuffer v = s.values.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        v.limit(bytes);
        return v;
      }
      buf = conn.replyBuffer(PsWire.FIXED_OVERHEAD + bytes);
      lengthAt = PsWire.beginPullOk(buf, seqid, numKeys);
      ByteBuffer v = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      v.limit(buf.position() + bytes);
      return v;
    }

    void finish() {
      if (bytes < 0) {
        throw new IllegalStateException("the data plane answered a pull without a value block");
      }
      rawBytesOut.add(bytes);
      BlockCodec used = BlockCodec.NONE;
      if (compress) {
        ByteBuffer src = scratch.get().values.duplicate();
        src.position(0).limit(bytes);
        if (BlockCompressor.forThisThread(codec).compressIfSmaller(src, buf)) {
          compressedBlocks.increment();
          used = codec;
        } else {
          buf.put(src);
        }
      } else {
        buf.position(buf.position() + bytes);
      }
      PsWire.endPullOk(buf, lengthAt, used);
      wireBytesOut.add(buf.position());
      conn.reply(buf);
      buf = null;
    }

    @Override
    public void finishDeferred() {
      try {
        finish();
      } catch (RuntimeException e) {
        LOG.error("deferred pull for {} failed", conn.peer(), e);
        abandon();
        replyError(conn, false, seqid, Errors.internal("pull", e));
      }
    }

    @Override
    public void failDeferred(PsError error) {
      abandon();
      replyError(conn, false, seqid, error);
    }

    void abandon() {
      if (buf != null) {
        conn.discard(buf);
        buf = null;
      }
    }
  }

  private void generic(NioServer.Connection conn, byte[] message) {
    try {
      TMemoryInputTransport in = new TMemoryInputTransport(message);
      TMemoryBuffer out = new TMemoryBuffer(256);
      processor.process(new TBinaryProtocol(in), new TBinaryProtocol(out));
      ByteBuffer b = conn.replyBuffer(out.length());
      b.put(out.getArray(), 0, out.length());
      conn.reply(b);
    } catch (TException | RuntimeException e) {
      LOG.warn("closing connection from {}: cannot process its call: {}", conn.peer(), e.toString());
      conn.close(e);
    }
  }

  /** Transport counters: bytes as received and after decompression, compressed blocks, bad requests. */
  public Map<String, Long> counters() {
    Map<String, Long> m = new TreeMap<>(plane.counters());
    m.put("wire_bytes_in", wireBytesIn.sum());
    m.put("raw_bytes_in", rawBytesIn.sum());
    m.put("wire_bytes_out", wireBytesOut.sum());
    m.put("raw_bytes_out", rawBytesOut.sum());
    m.put("compressed_blocks", compressedBlocks.sum());
    m.put("bad_requests", badRequests.sum());
    return m;
  }
}
