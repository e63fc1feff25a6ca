package yarnps.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.server.store.SparseTable;

/**
 * Writes one shard in {@link CheckpointFormat}, streaming: only the current block (at most about
 * 1 MiB, or one record when a record is larger) is buffered, never the range. Rows may come in any
 * order; the caller writes each key at most once, and only keys of the header's range.
 *
 * <pre>{@code
 * ShardHeader h = new ShardHeader(clock, "w", r, layout.rangeStart(r), layout.rangeLimit(r),
 *     table.width(), table.stride(), updater.name());
 * CheckpointManifest.ShardEntry entry;
 * try (ShardWriter w = ShardWriter.create(fs, CheckpointFormat.dir(root, clock), h)) {
 *   w.writeTable(table);                 // or w.write(key, row, off) per row
 *   entry = w.finish();                  // report it to the AM for the manifest
 * }
 * }</pre>
 *
 * <p>A shard is complete only once {@link #finish} returned: it writes the end block and the
 * trailer and closes the stream. {@link #close} without {@code finish} (as when a write failed
 * inside try-with-resources) closes the stream with no trailer, so the file fails every read.
 * Not thread-safe.
 */
public final class ShardWriter implements Closeable {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int BLOCK_TARGET_BYTES = 1 << 20;

  private final OutputStream out;
  private final ShardHeader header;
  private final CRC32 crc = new CRC32();
  private final int stride;
  private final int recordBytes;
  private final int blockCapacity;
  /** The block being filled: its count at [0, 4), then its records. */
  private final byte[] block;
  private int pos = 4;
  private int blockRecords;
  private long rows;
  private long bytes;
  private boolean finished;
  private boolean closed;

  /** Writes the header to {@code out}; the writer owns the stream from here on. */
  public ShardWriter(OutputStream out, ShardHeader header) throws IOException {
    this.out = Objects.requireNonNull(out);
    this.header = Objects.requireNonNull(header);
    this.stride = header.stride();
    this.recordBytes = CheckpointFormat.recordBytes(stride);
    this.blockCapacity = Math.max(1, Math.min(CheckpointFormat.MAX_BLOCK_RECORDS, BLOCK_TARGET_BYTES / recordBytes));
    this.block = new byte[4 + blockCapacity * recordBytes];
    byte[] h = header.encode();
    emit(h, h.length);
  }

  /**
   * Creates (overwriting) the file of {@code header}'s shard under the checkpoint directory
   * {@code checkpointDir}, {@code <table>/<range>.shard}, and writes the header.
   */
  public static ShardWriter create(FileSystem fs, Path checkpointDir, ShardHeader header) throws IOException {
    OutputStream os = fs.create(new Path(checkpointDir, header.path()), true);
    try {
      return new ShardWriter(os, header);
    } catch (IOException | RuntimeException e) {
      os.close();
      throw e;
    }
  }

  public ShardHeader header() {
    return header;
  }

  /**
   * Appends the row of {@code key}: {@code data[off, off + stride)}, weights then updater state.
   *
   * @throws IllegalArgumentException if {@code key} is outside the header's range
   */
  public void write(long key, float[] data, int off) throws IOException {
    if (finished || closed) {
      throw new IllegalStateException("shard writer of " + header.path() + " is closed");
    }
    if (!header.holds(key)) {
      throw new IllegalArgumentException("key " + Long.toUnsignedString(key) + " is outside the range "
          + CheckpointFormat.rangeString(header.rangeStart(), header.rangeLimit()) + " of shard " + header.path());
    }
    Objects.checkFromIndexSize(off, stride, data.length);
    byte[] b = block;
    int p = pos;
    LONG.set(b, p, key);
    p += 8;
    for (int j = 0; j < stride; j++, p += 4) {
      INT.set(b, p, Float.floatToRawIntBits(data[off + j]));
    }
    pos = p;
    rows++;
    if (++blockRecords == blockCapacity) {
      flushBlock();
    }
  }

  /**
   * Appends every row of {@code table} (one key range's table, whose keys all lie in the header's
   * range), in the table's order. The caller keeps the table from changing meanwhile.
   *
   * @return the rows this call wrote
   * @throws IllegalArgumentException if the table's width or stride is not the header's
   */
  public long writeTable(SparseTable table) throws IOException {
    if (table.width() != header.width() || table.stride() != stride) {
      throw new IllegalArgumentException("table of width " + table.width() + " and stride " + table.stride()
          + " does not match " + header);
    }
    long before = rows;
    try {
      table.forEach((key, data, off) -> {
        try {
          write(key, data, off);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return rows - before;
  }

  private void flushBlock() throws IOException {
    if (blockRecords == 0) {
      return;
    }
    INT.set(block, 0, blockRecords);
    emit(block, pos);
    pos = 4;
    blockRecords = 0;
  }

  private void emit(byte[] b, int len) throws IOException {
    crc.update(b, 0, len);
    out.write(b, 0, len);
    bytes += len;
  }

  /** Rows written so far. */
  public long rows() {
    return rows;
  }

  /** Bytes handed to the stream so far; the shard's size once {@link #finish} returned. */
  public long bytes() {
    return bytes;
  }

  /**
   * Writes the end block and the trailer, closes the stream, and returns the shard's manifest
   * entry (canonical path, rows, bytes, CRC).
   */
  public CheckpointManifest.ShardEntry finish() throws IOException {
    if (finished || closed) {
      throw new IllegalStateException("shard writer of " + header.path() + " is closed");
    }
    finished = true;
    try (OutputStream o = out) {
      flushBlock();
      emit(new byte[4], 4);
      byte[] trailer = new byte[CheckpointFormat.TRAILER_BYTES];
      LONG.set(trailer, 0, rows);
      LONG.set(trailer, 8, crc.getValue());
      o.write(trailer);
      bytes += trailer.length;
    } finally {
      closed = true;
    }
    return new CheckpointManifest.ShardEntry(header.table(), header.range(), header.path(), rows, bytes,
        crc.getValue());
  }

  /** Closes the stream; without a prior {@link #finish} the shard is left unreadable. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    out.close();
  }
}
