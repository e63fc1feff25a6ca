package yarnps.checkpoint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The header of a shard (see {@link CheckpointFormat}): which checkpoint, table and key range it
 * belongs to and how its rows are shaped.
 *
 * @param clock the checkpoint's clock, &gt;= 0
 * @param table the table name
 * @param range the range's index in the checkpoint's layout, &gt;= 0
 * @param rangeStart the range's first key (unsigned)
 * @param rangeLimit the key after the range (unsigned), 0 meaning 2^64
 * @param width weights per key
 * @param stride floats stored per key: the weights, then the updater's state; a multiple of width
 * @param updater the updater's name, as {@link yarnps.server.store.Updater#name()}
 * @throws IllegalArgumentException when a field is outside what the format allows
 */
public record ShardHeader(long clock, String table, int range, long rangeStart, long rangeLimit,
    int width, int stride, String updater) {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  public ShardHeader {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(updater, "updater");
    String problem = problem(clock, table, range, rangeStart, rangeLimit, width, stride, updater);
    if (problem != null) {
      throw new IllegalArgumentException("shard header: " + problem);
    }
  }

  /** What makes these fields unfit for a header, or null when they are fine. */
  private static String problem(long clock, String table, int range, long start, long limit, int width,
      int stride, String updater) {
    if (clock < 0) {
      return "clock must be >= 0, got " + clock;
    }
    try {
      CheckpointFormat.checkTableName(table);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    if (range < 0) {
      return "range index must be >= 0, got " + range;
    }
    if (!CheckpointFormat.isRange(start, limit)) {
      return "empty key range " + CheckpointFormat.rangeString(start, limit);
    }
    if (width < 1 || width > CheckpointFormat.MAX_WIDTH) {
      return "width must be in [1, " + CheckpointFormat.MAX_WIDTH + "], got " + width;
    }
    if (stride < width || stride > CheckpointFormat.MAX_STRIDE || stride % width != 0) {
      return "stride must be a multiple of the width " + width + " in [" + width + ", "
          + CheckpointFormat.MAX_STRIDE + "], got " + stride;
    }
    int u = updater.getBytes(StandardCharsets.UTF_8).length;
    if (u < 1 || u > CheckpointFormat.MAX_UPDATER_NAME_BYTES) {
      return "updater name must have 1 to " + CheckpointFormat.MAX_UPDATER_NAME_BYTES + " UTF-8 bytes, has " + u;
    }
    return null;
  }

  /** Whether {@code key} belongs to this shard's range. */
  public boolean holds(long key) {
    return CheckpointFormat.inRange(key, rangeStart, rangeLimit);
  }

  /** The shard's path relative to the checkpoint directory. */
  public String path() {
    return CheckpointFormat.shardPath(table, range);
  }

  /**
   * The fields in which {@code actual} (read from a file) differs from this header (the
   * expected one), each as "field: file says X, expected Y"; empty when they agree.
   */
  public List<String> differences(ShardHeader actual) {
    List<String> out = new ArrayList<>();
    diff(out, "clock", actual.clock, clock);
    if (!actual.table.equals(table)) {
      out.add("table: file says '" + actual.table + "', expected '" + table + "'");
    }
    diff(out, "range index", actual.range, range);
    if (actual.rangeStart != rangeStart || actual.rangeLimit != rangeLimit) {
      out.add("key range: file says " + CheckpointFormat.rangeString(actual.rangeStart, actual.rangeLimit)
          + ", expected " + CheckpointFormat.rangeString(rangeStart, rangeLimit));
    }
    diff(out, "width", actual.width, width);
    diff(out, "stride", actual.stride, stride);
    if (!actual.updater.equals(updater)) {
      out.add("updater: file says '" + actual.updater + "', expected '" + updater + "'");
    }
    return out;
  }

  private static void diff(List<String> out, String field, long actual, long expected) {
    if (actual != expected) {
      out.add(field + ": file says " + actual + ", expected " + expected);
    }
  }

  /** The header's bytes, as the format lays them out. */
  byte[] encode() {
    byte[] name = table.getBytes(StandardCharsets.UTF_8);
    byte[] upd = updater.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[CheckpointFormat.FIXED_HEADER_BYTES + name.length + 4 + upd.length];
    System.arraycopy(CheckpointFormat.MAGIC, 0, b, 0, 8);
    INT.set(b, 8, CheckpointFormat.VERSION);
    LONG.set(b, 12, clock);
    INT.set(b, 20, range);
    LONG.set(b, 24, rangeStart);
    LONG.set(b, 32, rangeLimit);
    INT.set(b, 40, width);
    INT.set(b, 44, stride);
    INT.set(b, 48, name.length);
    System.arraycopy(name, 0, b, 52, name.length);
    INT.set(b, 52 + name.length, upd.length);
    System.arraycopy(upd, 0, b, 56 + name.length, upd.length);
    return b;
  }

  /** Reads the fixed fields of {@code b[0, 52)} once magic and version were checked. */
  static String fixedProblem(byte[] b) {
    long clock = (long) LONG.get(b, 12);
    int range = (int) INT.get(b, 20);
    long start = (long) LONG.get(b, 24);
    long limit = (long) LONG.get(b, 32);
    int width = (int) INT.get(b, 40);
    int stride = (int) INT.get(b, 44);
    return problem(clock, "t", range, start, limit, width, stride, "u");
  }

  /** The header from its fixed part {@code fixed[0, 52)} and the two names. */
  static ShardHeader decode(byte[] fixed, String table, String updater) {
    return new ShardHeader((long) LONG.get(fixed, 12), table, (int) INT.get(fixed, 20),
        (long) LONG.get(fixed, 24), (long) LONG.get(fixed, 32), (int) INT.get(fixed, 40),
        (int) INT.get(fixed, 44), updater);
  }

  @Override
  public String toString() {
    return "shard{table=" + table + ", range=" + range + " " + CheckpointFormat.rangeString(rangeStart, rangeLimit)
        + ", clock=" + clock + ", width=" + width + ", stride=" + stride + ", updater=" + updater + "}";
  }
}
