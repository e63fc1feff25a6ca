package yarnps.bench;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import yarnps.rpc.Errors;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;
import yarnps.thrift.TableStats;

/**
 * A ParameterService that only moves bytes, so the benchmark can tell the protocol's own cost
 * from the table's: a push is acknowledged without decoding or applying its blocks, a pull is
 * answered with a slice of one shared zero buffer of {@code numKeys * 4} bytes (one float per
 * key). It keeps call and byte counters for {@link #stats}; it has nothing to save.
 */
public final class EmptyParameterHandler implements ParameterService.Iface {
  private final int self;
  private final String table;
  private final int maxValueBytes;
  private final LongAdder pushes = new LongAdder();
  private final LongAdder pulls = new LongAdder();
  private final LongAdder keysPushed = new LongAdder();
  private final LongAdder keysPulled = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  /** Only ever read by the transport; replaced by a larger one when a pull needs more. */
  private volatile byte[] zeros = new byte[0];

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
  public void push(PushRequest req) throws PsError {
    pushes.increment();
    keysPushed.add(req.getNumKeys());
    // The fields, not the getters: the getters copy.
    bytesIn.add(req.keys.remaining() + req.values.remaining());
  }

  @Override
  public PullResponse pull(PullRequest req) throws PsError {
    int n = req.getNumKeys();
    if (n < 0 || (long) n * Float.BYTES > maxValueBytes) {
      throw Errors.badRequest("pull " + req.getTable() + ": key count " + n + " is negative or over "
          + maxValueBytes / Float.BYTES);
    }
    int len = n * Float.BYTES;
    pulls.increment();
    keysPulled.add(n);
    bytesIn.add(req.keys.remaining());
    bytesOut.add(len);
    return new PullResponse(n, ByteBuffer.wrap(zeros(len), 0, len));
  }

  private byte[] zeros(int len) {
    byte[] z = zeros;
    if (z.length < len) {
      synchronized (this) {
        z = zeros;
        if (z.length < len) {
          z = new byte[Math.max(len, Math.min(maxValueBytes, 2 * z.length))];
          zeros = z;
        }
      }
    }
    return z;
  }

  @Override
  public ServerStats stats() {
    TableStats t = new TableStats(table, 1, 0, zeros.length, pushes.sum(), pulls.sum(), keysPushed.sum(),
        keysPulled.sum());
    return new ServerStats(self, BenchLayout.VERSION, List.of(t), bytesIn.sum(), bytesOut.sum());
  }

  @Override
  public SaveResult save(String table, String dir) throws PsError {
    throw Errors.badRequest("the empty benchmark handler stores nothing; cannot save " + table);
  }
}
