package yarnps.model;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes one part of a model in {@link ModelFormat}, streaming: only the current block (at most
 * about 1 MiB, or one record when a record is larger) is buffered, never the table. Records may
 * come in any order; the caller writes each key at most once.
 *
 * <p>{@link #close} writes the end block and the trailer, then closes the stream; a part is
 * complete only after it returns. Closing twice is harmless. Not thread-safe.
 */
public final class ModelWriter implements Closeable {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int BLOCK_TARGET_BYTES = 1 << 20;

  private final OutputStream out;
  private final CRC32 crc = new CRC32();
  private final int width;
  private final int recordBytes;
  private final int blockCapacity;
  /** The block being filled: its count at [0, 4), then its records. */
  private final byte[] block;
  private int pos = 4;
  private int blockRecords;
  private long records;
  private long bytes;
  private boolean closed;

  /** Writes the header of a part of table {@code table} with {@code width} values per key. */
  public ModelWriter(OutputStream out, String table, int width) throws IOException {
    if (width < 1 || width > ModelFormat.MAX_WIDTH) {
      throw new IllegalArgumentException("width must be in [1, " + ModelFormat.MAX_WIDTH + "], got " + width);
    }
    byte[] name = table.getBytes(StandardCharsets.UTF_8);
    if (name.length < 1 || name.length > ModelFormat.MAX_TABLE_NAME_BYTES) {
      throw new IllegalArgumentException("table name must have 1 to " + ModelFormat.MAX_TABLE_NAME_BYTES
          + " UTF-8 bytes, has " + name.length);
    }
    this.out = out;
    this.width = width;
    this.recordBytes = ModelFormat.recordBytes(width);
    this.blockCapacity = Math.max(1, Math.min(ModelFormat.MAX_BLOCK_RECORDS, BLOCK_TARGET_BYTES / recordBytes));
    this.block = new byte[4 + blockCapacity * recordBytes];
    byte[] header = new byte[ModelFormat.MAGIC.length + 12 + name.length];
    System.arraycopy(ModelFormat.MAGIC, 0, header, 0, ModelFormat.MAGIC.length);
    int p = ModelFormat.MAGIC.length;
    INT.set(header, p, ModelFormat.VERSION);
    INT.set(header, p + 4, name.length);
    System.arraycopy(name, 0, header, p + 8, name.length);
    INT.set(header, p + 8 + name.length, width);
    emit(header, header.length);
  }

  /** Appends the record of {@code key} with the values {@code row[off, off + width)}. */
  public void write(long key, float[] row, int off) throws IOException {
    if (closed) {
      throw new IllegalStateException("model writer is closed");
    }
    java.util.Objects.checkFromIndexSize(off, width, row.length);
    byte[] b = block;
    int p = pos;
    LONG.set(b, p, key);
    p += 8;
    for (int j = 0; j < width; j++, p += 4) {
      INT.set(b, p, Float.floatToRawIntBits(row[off + j]));
    }
    pos = p;
    records++;
    if (++blockRecords == blockCapacity) {
      flushBlock();
    }
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

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** Bytes handed to the stream so far; the part's size once {@link #close} returned. */
  public long bytes() {
    return bytes;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (OutputStream o = out) {
      flushBlock();
      byte[] end = new byte[4];
      emit(end, 4);
      byte[] trailer = new byte[ModelFormat.TRAILER_BYTES];
      LONG.set(trailer, 0, records);
      LONG.set(trailer, 8, crc.getValue());
      o.write(trailer);
      bytes += trailer.length;
      o.flush();
    }
  }
}
