package yarnps.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Reads and checks one shard of {@link CheckpointFormat} from a stream: the constructor reads and
 * checks the header, {@link #readRows} streams the rows and then checks the record total, the CRC
 * and that nothing follows the trailer. Every failed check is a {@link CorruptCheckpointException}
 * naming the shard and what is wrong. Does not close the stream. Most callers want
 * {@link Checkpoint#readShard}, which also checks the shard against the manifest.
 */
public final class ShardReader {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int CHUNK_BYTES = 1 << 16;

  /** Receives the rows of a shard. */
  @FunctionalInterface
  public interface RowSink {
    /**
     * One row: {@code row} holds the key's stride floats (weights, then updater state) and is
     * reused for the next row. Rows are handed over before the shard's checksum is verified at its
     * end, so a sink must treat them as provisional until the read returns normally.
     */
    void row(long key, float[] row) throws IOException;
  }

  /** What a whole read found: records, bytes of the file, and the CRC in (and of) it. */
  public record Stats(long rows, long bytes, long crc) {}

  private final InputStream in;
  private final String name;
  private final CRC32 crc = new CRC32();
  private final ShardHeader header;
  private byte[] buf = new byte[CHUNK_BYTES];
  private long bytes;
  private boolean read;

  /**
   * Reads and checks the header.
   *
   * @param name the shard's name for messages, usually its path relative to the checkpoint
   */
  public ShardReader(InputStream in, String name) throws IOException {
    this.in = in;
    this.name = name;
    readFully(CheckpointFormat.FIXED_HEADER_BYTES, true, "header");
    if (!Arrays.equals(buf, 0, 8, CheckpointFormat.MAGIC, 0, 8)) {
      throw corrupt("not a yarn-ps checkpoint shard (bad magic)");
    }
    int version = (int) INT.get(buf, 8);
    if (version != CheckpointFormat.VERSION) {
      throw corrupt("checkpoint format version " + version + ", this reader knows version " + CheckpointFormat.VERSION);
    }
    String fixedProblem = ShardHeader.fixedProblem(buf);
    if (fixedProblem != null) {
      throw corrupt("bad header: " + fixedProblem);
    }
    byte[] fixed = Arrays.copyOf(buf, CheckpointFormat.FIXED_HEADER_BYTES);
    int tableLen = (int) INT.get(buf, 48);
    if (tableLen < 1 || tableLen > CheckpointFormat.MAX_TABLE_NAME_BYTES) {
      throw corrupt("bad table name length " + tableLen);
    }
    readFully(tableLen + 4, true, "header");
    String table = new String(buf, 0, tableLen, StandardCharsets.UTF_8);
    int updaterLen = (int) INT.get(buf, tableLen);
    if (updaterLen < 1 || updaterLen > CheckpointFormat.MAX_UPDATER_NAME_BYTES) {
      throw corrupt("bad updater name length " + updaterLen);
    }
    readFully(updaterLen, true, "header");
    String updater = new String(buf, 0, updaterLen, StandardCharsets.UTF_8);
    try {
      header = ShardHeader.decode(fixed, table, updater);
    } catch (IllegalArgumentException e) {
      throw corrupt("bad header: " + e.getMessage());
    }
  }

  public ShardHeader header() {
    return header;
  }

  /**
   * Hands every row to {@code sink}, then checks the trailer. Callable once.
   *
   * @throws CorruptCheckpointException on a bad block count, a key outside the header's range, a
   *     file that ends early, a wrong record total or CRC, or bytes after the trailer
   */
  public Stats readRows(RowSink sink) throws IOException {
    if (read) {
      throw new IllegalStateException(name + ": rows already read");
    }
    read = true;
    int stride = header.stride();
    int recordBytes = CheckpointFormat.recordBytes(stride);
    int chunkRecords = Math.max(1, CHUNK_BYTES / recordBytes);
    if (buf.length < chunkRecords * recordBytes) {
      buf = new byte[chunkRecords * recordBytes];
    }
    float[] row = new float[stride];
    long rows = 0;
    while (true) {
      readFully(4, true, "block count after " + rows + " records");
      int count = (int) INT.get(buf, 0);
      if (count == 0) {
        break;
      }
      if (count < 0 || count > CheckpointFormat.MAX_BLOCK_RECORDS) {
        throw corrupt("bad block record count " + count + " after " + rows + " records");
      }
      for (int done = 0; done < count; ) {
        int k = Math.min(chunkRecords, count - done);
        readFully(k * recordBytes, true, "record " + (rows + done));
        byte[] b = buf;
        for (int r = 0, p = 0; r < k; r++) {
          long key = (long) LONG.get(b, p);
          if (!header.holds(key)) {
            throw corrupt("key " + Long.toUnsignedString(key) + " (record " + (rows + done + r)
                + ") is outside the shard's range " + CheckpointFormat.rangeString(header.rangeStart(), header.rangeLimit()));
          }
          p += 8;
          for (int j = 0; j < stride; j++, p += 4) {
            row[j] = Float.intBitsToFloat((int) INT.get(b, p));
          }
          sink.row(key, row);
        }
        done += k;
      }
      rows += count;
    }
    long computed = crc.getValue();
    readFully(CheckpointFormat.TRAILER_BYTES, false, "trailer");
    long total = (long) LONG.get(buf, 0);
    long stored = (long) LONG.get(buf, 8);
    if (stored != computed) {
      throw corrupt("checksum mismatch, the shard is corrupt (stored CRC32 " + Long.toHexString(stored)
          + ", computed " + Long.toHexString(computed) + ")");
    }
    if (total != rows) {
      throw corrupt("trailer says " + total + " records, the blocks hold " + rows);
    }
    if (in.read() != -1) {
      throw corrupt("unexpected bytes after the trailer");
    }
    return new Stats(rows, bytes, computed);
  }

  private void readFully(int len, boolean checksummed, String what) throws IOException {
    int off = 0;
    while (off < len) {
      int r = in.read(buf, off, len - off);
      if (r < 0) {
        throw corrupt("truncated shard (file ends in the " + what + ", after " + (bytes + off) + " bytes)");
      }
      off += r;
    }
    bytes += len;
    if (checksummed) {
      crc.update(buf, 0, len);
    }
  }

  private CorruptCheckpointException corrupt(String reason) {
    return new CorruptCheckpointException(name, reason);
  }
}
