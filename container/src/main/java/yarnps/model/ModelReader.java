package yarnps.model;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads and checks models written in {@link ModelFormat}: {@link #read} loads a whole model into
 * memory for lookups; {@link #readPart} streams one part record by record.
 *
 * <p>Every check failure is an {@link IOException} whose message starts with the part's name and
 * says what is wrong (bad magic, unknown version, truncated, checksum mismatch, ...).
 *
 * <pre>{@code
 * ModelReader.Model m = ModelReader.read(fs, new Path(output, "model"));
 * float bias = m.get(0L, 0);
 * }</pre>
 */
public final class ModelReader {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int CHUNK_BYTES = 1 << 16;

  private ModelReader() {}

  /** Receives the records of a part as {@link #readPart} reads them. */
  public interface PartVisitor {
    /** Called once, after the header was read and checked. */
    void header(String table, int width) throws IOException;

    /**
     * One record. {@code values} holds the key's width values and is reused for the next record.
     * Records are handed over before the part's checksum is verified at its end, so a visitor
     * must treat them as provisional until {@code readPart} returns normally.
     */
    void record(long key, float[] values) throws IOException;
  }

  /**
   * Reads every {@code part-s-*} file of a model directory, checking each part and that all parts
   * agree on table and width and store no key twice. The model must fit in one {@code float[]}
   * (keys times width below 2^31); stream larger ones with {@link #readPart}.
   */
  public static Model read(FileSystem fs, Path dir) throws IOException {
    FileStatus[] parts = fs.listStatus(dir, p -> p.getName().startsWith(ModelFormat.PART_PREFIX));
    if (parts.length == 0) {
      throw new IOException("no " + ModelFormat.PART_PREFIX + "* files in model directory " + dir);
    }
    Arrays.sort(parts);
    Collector c = new Collector();
    for (FileStatus part : parts) {
      c.part = part.getPath().toString();
      try (InputStream in = fs.open(part.getPath())) {
        readPart(in, c.part, c);
      }
    }
    return Model.of(c.table, c.width, c.keys, c.values, c.n);
  }

  /** Gathers the records of all parts, growing primitive arrays. */
  private static final class Collector implements PartVisitor {
    String part;
    String table;
    int width = -1;
    long[] keys = new long[0];
    float[] values = new float[0];
    int n;

    @Override
    public void header(String t, int w) throws IOException {
      if (table != null && (w != width || !t.equals(table))) {
        throw new IOException(part + ": table '" + t + "' of width " + w + " differs from the other parts' table '"
            + table + "' of width " + width);
      }
      table = t;
      width = w;
    }

    @Override
    public void record(long key, float[] v) throws IOException {
      if (n == keys.length) {
        long max = (Integer.MAX_VALUE - 8) / width;
        long cap = Math.min(max, Math.max(16, n * 2L));
        if (cap <= n) {
          throw new IOException(part + ": a model of more than " + n + " keys of width " + width
              + " does not fit in memory arrays; stream it with ModelReader.readPart");
        }
        keys = Arrays.copyOf(keys, (int) cap);
        values = Arrays.copyOf(values, (int) cap * width);
      }
      keys[n] = key;
      System.arraycopy(v, 0, values, n * width, width);
      n++;
    }
  }

  /**
   * Streams one part: checks its header, hands every record to {@code visitor}, then checks the
   * record total, the CRC and that nothing follows the trailer. {@code name} (usually the path)
   * starts every error message. Does not close {@code in}.
   */
  public static void readPart(InputStream in, String name, PartVisitor visitor) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[CHUNK_BYTES];
    readFully(in, buf, 16, crc, name, "header");
    if (!Arrays.equals(buf, 0, 8, ModelFormat.MAGIC, 0, 8)) {
      throw new IOException(name + ": not a yarn-ps model part (bad magic)");
    }
    int version = (int) INT.get(buf, 8);
    if (version != ModelFormat.VERSION) {
      throw new IOException(name + ": model format version " + version + ", this reader knows version "
          + ModelFormat.VERSION);
    }
    int nameLen = (int) INT.get(buf, 12);
    if (nameLen < 1 || nameLen > ModelFormat.MAX_TABLE_NAME_BYTES) {
      throw new IOException(name + ": bad table name length " + nameLen);
    }
    readFully(in, buf, nameLen + 4, crc, name, "header");
    String table = new String(buf, 0, nameLen, StandardCharsets.UTF_8);
    int width = (int) INT.get(buf, nameLen);
    if (width < 1 || width > ModelFormat.MAX_WIDTH) {
      throw new IOException(name + ": bad width " + width);
    }
    visitor.header(table, width);

    int recordBytes = ModelFormat.recordBytes(width);
    int chunkRecords = Math.max(1, CHUNK_BYTES / recordBytes);
    if (buf.length < chunkRecords * recordBytes) {
      buf = new byte[chunkRecords * recordBytes];
    }
    float[] row = new float[width];
    long records = 0;
    while (true) {
      readFully(in, buf, 4, crc, name, "block count after " + records + " records");
      int count = (int) INT.get(buf, 0);
      if (count == 0) {
        break;
      }
      if (count < 0 || count > ModelFormat.MAX_BLOCK_RECORDS) {
        throw new IOException(name + ": bad block record count " + count + " after " + records + " records");
      }
      for (int done = 0; done < count; ) {
        int k = Math.min(chunkRecords, count - done);
        readFully(in, buf, k * recordBytes, crc, name, "record " + (records + done));
        for (int r = 0, p = 0; r < k; r++) {
          long key = (long) LONG.get(buf, p);
          p += 8;
          for (int j = 0; j < width; j++, p += 4) {
            row[j] = Float.intBitsToFloat((int) INT.get(buf, p));
          }
          visitor.record(key, row);
        }
        done += k;
      }
      records += count;
    }
    long expectedCrc = crc.getValue();
    readFully(in, buf, ModelFormat.TRAILER_BYTES, null, name, "trailer");
    long total = (long) LONG.get(buf, 0);
    long storedCrc = (long) LONG.get(buf, 8);
    if (storedCrc != expectedCrc) {
      throw new IOException(name + ": checksum mismatch, the part is corrupt (stored CRC32 "
          + Long.toHexString(storedCrc) + ", computed " + Long.toHexString(expectedCrc) + ")");
    }
    if (total != records) {
      throw new IOException(name + ": trailer says " + total + " records, the blocks hold " + records);
    }
    if (in.read() != -1) {
      throw new IOException(name + ": unexpected bytes after the trailer");
    }
  }

  private static void readFully(InputStream in, byte[] b, int len, CRC32 crc, String name, String what)
      throws IOException {
    int off = 0;
    while (off < len) {
      int r = in.read(b, off, len - off);
      if (r < 0) {
        throw new IOException(name + ": truncated model part (file ends in the " + what + ")");
      }
      off += r;
    }
    if (crc != null) {
      crc.update(b, 0, len);
    }
  }

  /** A loaded model table: keys sorted ascending in unsigned order, values row-major. */
  public static final class Model {
    private final String table;
    private final int width;
    private final long[] keys;
    private final float[] values;

    private Model(String table, int width, long[] keys, float[] values) {
      this.table = table;
      this.width = width;
      this.keys = keys;
      this.values = values;
    }

    /** Sorts the first n records by key (unsigned) into exact-size arrays; a key twice is an error. */
    static Model of(String table, int width, long[] keys, float[] values, int n) throws IOException {
      // Flipping the sign bit maps unsigned order onto signed order, so the primitive sort applies;
      // each record then finds its place by binary search, without an index permutation.
      long[] sorted = new long[n];
      for (int i = 0; i < n; i++) {
        sorted[i] = keys[i] ^ Long.MIN_VALUE;
      }
      Arrays.sort(sorted);
      for (int i = 1; i < n; i++) {
        if (sorted[i] == sorted[i - 1]) {
          throw new IOException("model table '" + table + "' holds key "
              + Long.toUnsignedString(sorted[i] ^ Long.MIN_VALUE) + " twice");
        }
      }
      float[] v = new float[n * width];
      for (int i = 0; i < n; i++) {
        int at = Arrays.binarySearch(sorted, keys[i] ^ Long.MIN_VALUE);
        System.arraycopy(values, i * width, v, at * width, width);
      }
      for (int i = 0; i < n; i++) {
        sorted[i] ^= Long.MIN_VALUE;
      }
      return new Model(table, width, sorted, v);
    }

    public String table() {
      return table;
    }

    public int width() {
      return width;
    }

    /** Number of keys. */
    public long size() {
      return keys.length;
    }

    /** The i-th key in unsigned ascending order, {@code 0 <= i < size()}. */
    public long key(int i) {
      return keys[i];
    }

    /** Value {@code col} of the i-th key. */
    public float value(int i, int col) {
      return values[i * width + java.util.Objects.checkIndex(col, width)];
    }

    /** Value {@code col} of {@code key}; 0 when the model does not hold the key. */
    public float get(long key, int col) {
      java.util.Objects.checkIndex(col, width);
      int i = indexOf(key);
      return i < 0 ? 0f : values[i * width + col];
    }

    /** Copies the row of {@code key} into {@code out[off, off + width)}; zeros when absent. */
    public void row(long key, float[] out, int off) {
      int i = indexOf(key);
      if (i < 0) {
        Arrays.fill(out, off, off + width, 0f);
      } else {
        System.arraycopy(values, i * width, out, off, width);
      }
    }

    /** Index of {@code key}, or -1 when absent. */
    public int indexOf(long key) {
      return yarnps.common.KeyArrays.indexOf(keys, 0, keys.length, key);
    }
  }
}
