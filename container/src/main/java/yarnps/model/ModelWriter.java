package yarnps.model;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Writes one part of a model in {@link ModelFormat}, streaming: records are buffered per block
 * (at most {@link ModelFormat#MAX_BLOCK_RECORDS}), never the whole table. Closing writes the end
 * block and the trailer and closes the stream; closing twice is harmless.
 */
public final class ModelWriter implements Closeable {
  private final CRC32 crc = new CRC32();
  private final OutputStream sink;
  private final DataOutputStream checked;
  private final int width;
  private final DataOutputStream block;
  private final java.io.ByteArrayOutputStream blockBytes;
  private int blockRecords;
  private long records;
  private long bytes;
  private long blocks;
  private final long headerBytes;
  private boolean closed;

  public ModelWriter(OutputStream out, String table, int width) throws IOException {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    this.sink = out;
    this.checked = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), crc));
    this.width = width;
    this.blockBytes = new java.io.ByteArrayOutputStream(1 << 16);
    this.block = new DataOutputStream(blockBytes);
    byte[] name = table.getBytes(StandardCharsets.UTF_8);
    checked.write(ModelFormat.MAGIC);
    checked.writeInt(ModelFormat.VERSION);
    checked.writeInt(name.length);
    checked.write(name);
    checked.writeInt(width);
    headerBytes = ModelFormat.MAGIC.length + 12L + name.length;
  }

  /** Appends the record of {@code key}: {@code row[off, off + width)}. */
  public void write(long key, float[] row, int off) throws IOException {
    block.writeLong(key);
    for (int j = 0; j < width; j++) {
      block.writeFloat(row[off + j]);
    }
    records++;
    if (++blockRecords == ModelFormat.MAX_BLOCK_RECORDS) {
      flushBlock();
    }
  }

  private void flushBlock() throws IOException {
    if (blockRecords == 0) {
      return;
    }
    checked.writeInt(blockRecords);
    blockBytes.writeTo(checked);
    blockBytes.reset();
    blockRecords = 0;
    blocks++;
  }

  public long records() {
    return records;
  }

  /** Bytes written, complete after {@link #close}. */
  public long bytes() {
    return bytes;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    flushBlock();
    checked.writeInt(0);
    checked.flush();
    long sum = crc.getValue();
    DataOutputStream tail = new DataOutputStream(sink);
    tail.writeLong(records);
    tail.writeLong(sum);
    tail.flush();
    bytes = headerBytes + 4 * (blocks + 1) + records * (8 + 4L * width) + 16;
    sink.close();
  }
}
