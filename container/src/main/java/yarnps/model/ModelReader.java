package yarnps.model;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Reads and checks models written in {@link ModelFormat}. */
public final class ModelReader {
  private ModelReader() {}

  /** Receives the records of a part as they are read. */
  public interface PartVisitor {
    /** Called once, after the header. */
    void header(String table, int width) throws IOException;

    /** One record; {@code values} holds width floats and is reused for the next record. */
    void record(long key, float[] values) throws IOException;
  }

  /** A loaded model: keys sorted ascending (unsigned), values row-major. */
  public static final class Model {
    private final String table;
    private final int width;
    private final long[] keys;
    private final float[] values;

    Model(String table, int width, long[] keys, float[] values) {
      this.table = table;
      this.width = width;
      this.keys = keys;
      this.values = values;
    }

    public String table() {
      return table;
    }

    public int width() {
      return width;
    }

    public long size() {
      return keys.length;
    }

    public long key(int i) {
      return keys[i];
    }

    /** Value {@code col} of {@code key}, 0 when the model does not hold the key. */
    public float get(long key, int col) {
      int i = indexOf(key);
      return i < 0 ? 0f : values[i * width + col];
    }

    /** Copies the row of {@code key} into {@code out[off, off + width)} (zeros when absent). */
    public void row(long key, float[] out, int off) {
      int i = indexOf(key);
      if (i < 0) {
        Arrays.fill(out, off, off + width, 0f);
      } else {
        System.arraycopy(values, i * width, out, off, width);
      }
    }

    private int indexOf(long key) {
      int lo = 0;
      int hi = keys.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = Long.compareUnsigned(keys[mid], key);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -1;
    }
  }

  /** Reads every {@code part-s-*} of a model directory, checking each part and their agreement. */
  public static Model read(FileSystem fs, Path dir) throws IOException {
    FileStatus[] parts = fs.listStatus(dir, p -> p.getName().startsWith(ModelFormat.PART_PREFIX));
    if (parts.length == 0) {
      throw new IOException("no " + ModelFormat.PART_PREFIX + "* files in model directory " + dir);
    }
    Arrays.sort(parts);
    String[] table = new String[1];
    int[] width = {-1};
    long[][] keys = {new long[1024]};
    float[][] vals = {new float[1024]};
    int[] n = {0};
    for (FileStatus part : parts) {
      String name = part.getPath().toString();
      try (InputStream in = fs.open(part.getPath())) {
        readPart(in, name, new PartVisitor() {
          @Override
          public void header(String t, int w) throws IOException {
            if (width[0] >= 0 && (w != width[0] || !t.equals(table[0]))) {
              throw new IOException(name + ": table " + t + " width " + w + " differs from the other parts' "
                  + table[0] + " width " + width[0]);
            }
            table[0] = t;
            width[0] = w;
          }

          @Override
          public void record(long key, float[] v) {
            if (n[0] == keys[0].length) {
              keys[0] = Arrays.copyOf(keys[0], n[0] * 2);
            }
            if ((long) (n[0] + 1) * width[0] > vals[0].length) {
              vals[0] = Arrays.copyOf(vals[0], Math.max(vals[0].length * 2, (n[0] + 1) * width[0]));
            }
            keys[0][n[0]] = key;
            System.arraycopy(v, 0, vals[0], n[0] * width[0], width[0]);
            n[0]++;
          }
        });
      }
    }
    return sorted(table[0], width[0], keys[0], vals[0], n[0]);
  }

  private static Model sorted(String table, int width, long[] keys, float[] vals, int n) throws IOException {
    long[] flipped = new long[n];
    for (int i = 0; i < n; i++) {
      flipped[i] = keys[i] ^ Long.MIN_VALUE;
    }
    boolean isSorted = true;
    for (int i = 1; i < n && isSorted; i++) {
      isSorted = flipped[i - 1] < flipped[i];
    }
    long[] outKeys = new long[n];
    float[] outVals = new float[n * width];
    if (isSorted) {
      System.arraycopy(keys, 0, outKeys, 0, n);
      System.arraycopy(vals, 0, outVals, 0, n * width);
    } else {
      int[] idx = sortIndex(flipped);
      for (int i = 0; i < n; i++) {
        outKeys[i] = keys[idx[i]];
        System.arraycopy(vals, idx[i] * width, outVals, i * width, width);
      }
    }
    for (int i = 1; i < n; i++) {
      if (outKeys[i - 1] == outKeys[i]) {
        throw new IOException("model has key " + Long.toUnsignedString(outKeys[i]) + " twice");
      }
    }
    return new Model(table, width, outKeys, outVals);
  }

  /** Indices of {@code a} in ascending order of its values (a merge sort on int indices). */
  private static int[] sortIndex(long[] a) {
    int n = a.length;
    int[] idx = new int[n];
    int[] tmp = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          tmp[k++] = a[idx[i]] <= a[idx[j]] ? idx[i++] : idx[j++];
        }
        while (i < mid) {
          tmp[k++] = idx[i++];
        }
        while (j < hi) {
          tmp[k++] = idx[j++];
        }
        System.arraycopy(tmp, lo, idx, lo, hi - lo);
      }
    }
    return idx;
  }

  /** Streams one part, checking magic, version, block counts, record count and CRC; errors name the part. */
  public static void readPart(InputStream raw, String name, PartVisitor visitor) throws IOException {
    CRC32 crc = new CRC32();
    DataInputStream in = new DataInputStream(new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc));
    try {
      byte[] magic = new byte[ModelFormat.MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, ModelFormat.MAGIC)) {
        throw new IOException(name + ": not a yarn-ps model part (bad magic)");
      }
      int version = in.readInt();
      if (version != ModelFormat.VERSION) {
        throw new IOException(name + ": model format version " + version + ", this reader knows " + ModelFormat.VERSION);
      }
      int len = in.readInt();
      if (len < 0 || len > 4096) {
        throw new IOException(name + ": bad table name length " + len);
      }
      byte[] tableName = new byte[len];
      in.readFully(tableName);
      int width = in.readInt();
      if (width < 1 || width > (1 << 20)) {
        throw new IOException(name + ": bad width " + width);
      }
      visitor.header(new String(tableName, StandardCharsets.UTF_8), width);
      float[] row = new float[width];
      long records = 0;
      while (true) {
        int count = in.readInt();
        if (count == 0) {
          break;
        }
        if (count < 0 || count > ModelFormat.MAX_BLOCK_RECORDS) {
          throw new IOException(name + ": bad block record count " + count + " after " + records + " records");
        }
        for (int r = 0; r < count; r++) {
          long key = in.readLong();
          for (int j = 0; j < width; j++) {
            row[j] = in.readFloat();
          }
          visitor.record(key, row);
        }
        records += count;
      }
      long expectedCrc = crc.getValue();
      long total = in.readLong();
      long sum = in.readLong();
      if (total != records) {
        throw new IOException(name + ": trailer says " + total + " records, read " + records);
      }
      if (sum != expectedCrc) {
        throw new IOException(name + ": checksum mismatch (file corrupt)");
      }
      if (in.read() != -1) {
        throw new IOException(name + ": trailing bytes after the trailer");
      }
    } catch (EOFException e) {
      throw new IOException(name + ": truncated model part", e);
    }
  }
}
