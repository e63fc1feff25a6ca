package yarnps.bench;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import yarnps.rpc.Errors;
import yarnps.rpc.PsWire;
import yarnps.server.DataPlane;
import yarnps.server.ParameterEndpoint;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;
import yarnps.thrift.TableStats;

/**
 * A data plane that only moves bytes, so the benchmark can tell the protocol's own cost from the
 * table's: a push is acknowledged without decoding or applying its blocks, a pull is answered by
 * copying {@code numKeys * 4} bytes of one reused zero buffer into the reply. It keeps the key
 * caching protocol (a signature it has not seen with its keys is a KEY_CACHE_MISS) without
 * decoding any key, and call and byte counters for {@link #stats}; it has nothing to save.
 */
public final class EmptyParameterHandler implements DataPlane, ParameterService.Iface, ParameterEndpoint.WidthSource {
  private final int self;
  private final String table;
  private final int maxValueBytes;
  private final LongAdder pushes = new LongAdder();
  private final LongAdder pulls = new LongAdder();
  private final LongAdder keysPushed = new LongAdder();
  private final LongAdder keysPulled = new LongAdder();
  private final Set<Long> signatures = ConcurrentHashMap.newKeySet();
  /** Only ever read; replaced by a larger one when a pull needs more. */
  private volatile ByteBuffer zeros = ByteBuffer.allocateDirect(0);

  /**
   * @param self server index reported by {@link #stats}
   * @param table the table name reported by {@link #stats}
   * @param maxValueBytes largest pull answer, bounded by the frame size
   */
  public EmptyParameterHandler(int self, String table, int maxValueBytes) {
    this.self = self;
    this.table = table;
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public int width(String name) {
    return 1;
  }

  private void checkKeys(String op, PsWire.Request req) throws PsError {
    if (req.keySignature == 0) {
      return;
    }
    if (req.keys.hasRemaining()) {
      signatures.add(req.keySignature);
    } else if (req.numKeys > 0 && !signatures.contains(req.keySignature)) {
      throw Errors.keyCacheMiss(op + ": unknown key list " + Long.toHexString(req.keySignature));
    }
  }

  @Override
  public void push(PsWire.Request req) throws PsError {
    checkKeys("push", req);
    pushes.increment();
    keysPushed.add(req.numKeys);
  }

  @Override
  public boolean pull(PsWire.Request req, PullReply reply) throws PsError {
    int n = req.numKeys;
    if (n < 0 || (long) n * Float.BYTES > maxValueBytes) {
      throw Errors.badRequest("pull " + req.table + ": key count " + n + " is negative or over "
          + maxValueBytes / Float.BYTES);
    }
    checkKeys("pull", req);
    int len = n * Float.BYTES;
    ByteBuffer z = zeros(len).duplicate();
    z.limit(len);
    reply.valueBlock(n, len).put(z);
    pulls.increment();
    keysPulled.add(n);
    return true;
  }

  @Override
  public void clock(ClockUpdate update) {
    // The empty handler keeps no consistency: pulls never wait.
  }

  private ByteBuffer zeros(int len) {
    ByteBuffer z = zeros;
    if (z.capacity() < len) {
      synchronized (this) {
        z = zeros;
        if (z.capacity() < len) {
          z = ByteBuffer.allocateDirect(Math.max(len, Math.min(maxValueBytes, 2 * z.capacity())));
          zeros = z;
        }
      }
    }
    return z;
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("key_cache_entries", (long) signatures.size());
  }

  @Override
  public void push(PushRequest req) throws PsError {
    throw Errors.badRequest("the empty benchmark handler takes push on its data-plane endpoint only");
  }

  @Override
  public PullResponse pull(PullRequest req) throws PsError {
    throw Errors.badRequest("the empty benchmark handler takes pull on its data-plane endpoint only");
  }

  @Override
  public ServerStats stats() {
    TableStats t = new TableStats(table, 1, 0, zeros.capacity(), pushes.sum(), pulls.sum(), keysPushed.sum(),
        keysPulled.sum());
    return new ServerStats(self, BenchLayout.VERSION, List.of(t), 0, 0);
  }

  @Override
  public SaveResult save(String table, String dir) throws PsError {
    throw Errors.badRequest("the empty benchmark handler stores nothing; cannot save " + table);
  }

  // Recovery and checkpoint control calls: implemented by issue 5's server work.

  @Override
  public void installLayout(yarnps.thrift.Layout layout) throws PsError {
    throw Errors.internal("installLayout", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public long checkpointPrepare(long id) throws PsError {
    throw Errors.internal("checkpointPrepare", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public List<yarnps.thrift.ShardInfo> checkpoint(long id, long clock, String dir) throws PsError {
    throw Errors.internal("checkpoint", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public void checkpointAbort(long id) throws PsError {
    throw Errors.internal("checkpointAbort", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public long restore(String dir, yarnps.thrift.Layout layout) throws PsError {
    throw Errors.internal("restore", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public long recoverFromPeers() throws PsError {
    throw Errors.internal("recoverFromPeers", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public yarnps.thrift.RangeChunk fetchRange(String table, int range, long afterKey, boolean first, int maxRows)
      throws PsError {
    throw Errors.internal("fetchRange", new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public yarnps.thrift.PeerState peerState() throws PsError {
    throw Errors.internal("peerState", new UnsupportedOperationException("not implemented yet"));
  }
}
