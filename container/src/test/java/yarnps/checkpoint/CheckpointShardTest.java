package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updaters;

/** The shard file, byte by byte: what {@link ShardWriter} writes and what {@link ShardReader} accepts. */
class CheckpointShardTest {
  private static final ShardHeader UPPER_HALF =
      new ShardHeader(42, "emb", 3, Long.MIN_VALUE, 0, 3, 9, "ftrl");

  private static final class Written {
    final List<Long> keys = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>();
    byte[] bytes;
    CheckpointManifest.ShardEntry entry;
  }

  private static Written write(ShardHeader h, long[] keys, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    Written w = new Written();
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ShardWriter sw = new ShardWriter(bos, h)) {
      for (long key : keys) {
        float[] row = new float[h.stride() + 1];
        for (int j = 0; j < row.length; j++) {
          row[j] = j == 2 ? Float.intBitsToFloat(0x7fa00001) : (float) rnd.nextGaussian();
        }
        sw.write(key, row, 1);
        w.keys.add(key);
        w.rows.add(Arrays.copyOfRange(row, 1, row.length));
      }
      w.entry = sw.finish();
    }
    w.bytes = bos.toByteArray();
    return w;
  }

  private static List<float[]> read(byte[] bytes, List<Long> keys) throws IOException {
    List<float[]> rows = new ArrayList<>();
    ShardReader r = new ShardReader(new ByteArrayInputStream(bytes), "s");
    r.readRows((key, row) -> {
      keys.add(key);
      rows.add(row.clone());
    });
    return rows;
  }

  @Test
  void bytesAreTheDocumentedLayout() throws IOException {
    Written w = write(UPPER_HALF, new long[] {-1L, Long.MIN_VALUE}, 1);
    ByteBuffer b = ByteBuffer.wrap(w.bytes);
    byte[] magic = new byte[8];
    b.get(magic);
    assertArrayEquals("YPSCHKPT".getBytes(StandardCharsets.US_ASCII), magic);
    assertEquals(1, b.getInt());
    assertEquals(42L, b.getLong());
    assertEquals(3, b.getInt());
    assertEquals(Long.MIN_VALUE, b.getLong());
    assertEquals(0L, b.getLong());
    assertEquals(3, b.getInt());
    assertEquals(9, b.getInt());
    assertEquals(3, b.getInt());
    assertEquals("emb", new String(w.bytes, 52, 3, StandardCharsets.UTF_8));
    b.position(55);
    assertEquals(4, b.getInt());
    assertEquals("ftrl", new String(w.bytes, 59, 4, StandardCharsets.UTF_8));
    b.position(63);
    assertEquals(2, b.getInt(), "one block of two records");
    for (int i = 0; i < 2; i++) {
      assertEquals(w.keys.get(i), b.getLong());
      for (int j = 0; j < 9; j++) {
        assertEquals(Float.floatToRawIntBits(w.rows.get(i)[j]), b.getInt());
      }
    }
    assertEquals(0, b.getInt(), "end block");
    assertEquals(2L, b.getLong(), "record total");
    CRC32 crc = new CRC32();
    crc.update(w.bytes, 0, w.bytes.length - 16);
    assertEquals(crc.getValue(), b.getLong());
    assertEquals(w.bytes.length, b.position());
    // 56 + L + U + 4 * (blocks + 1) + N * (8 + 4S) + 16
    assertEquals(56 + 3 + 4 + 4 * 2 + 2 * (8 + 36) + 16, w.bytes.length);
    assertEquals(new CheckpointManifest.ShardEntry("emb", 3, "emb/00003.shard", 2, w.bytes.length, crc.getValue()),
        w.entry);
  }

  @Test
  void roundTripAcrossBlocksIsBitExact() throws IOException {
    // 1 MiB / (8 + 36) bytes is 23831 records a block: 50000 records take three blocks.
    SplittableRandom rnd = new SplittableRandom(3);
    long[] keys = new long[50_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = rnd.nextLong() | Long.MIN_VALUE;
    }
    keys[0] = -1L;
    keys[1] = Long.MIN_VALUE;
    Written w = write(UPPER_HALF, keys, 2);
    assertEquals(56 + 3 + 4 + 4 * 4 + keys.length * 44L + 16, w.bytes.length);
    List<Long> readKeys = new ArrayList<>();
    List<float[]> rows = read(w.bytes, readKeys);
    assertEquals(w.keys, readKeys);
    for (int i = 0; i < rows.size(); i++) {
      assertArrayEquals(CheckpointFixture.bits(w.rows.get(i)), CheckpointFixture.bits(rows.get(i)));
    }
  }

  @Test
  void emptyShardIsHeaderEndBlockAndTrailer() throws IOException {
    Written w = write(new ShardHeader(0, "b", 0, 0, 5, 1, 1, "add"), new long[0], 1);
    assertEquals(56 + 1 + 3 + 4 + 16, w.bytes.length);
    ShardReader r = new ShardReader(new ByteArrayInputStream(w.bytes), "s");
    assertEquals(new ShardHeader(0, "b", 0, 0, 5, 1, 1, "add"), r.header());
    assertEquals(new ShardReader.Stats(0, w.bytes.length, w.entry.crc()), r.readRows((k, row) -> fail("no rows")));
  }

  @Test
  void everyTruncationIsDetected() throws IOException {
    Written w = write(UPPER_HALF, new long[] {-1L, Long.MIN_VALUE, -5L}, 4);
    for (int len = 0; len < w.bytes.length; len++) {
      byte[] cut = Arrays.copyOf(w.bytes, len);
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> read(cut, new ArrayList<>()),
          "a shard cut to " + len + " bytes");
      assertTrue(e.getMessage().startsWith("s: truncated shard (file ends in the "), e.getMessage());
    }
  }

  @Test
  void everyFlippedByteIsDetected() throws IOException {
    Written w = write(UPPER_HALF, new long[] {-1L, Long.MIN_VALUE, -5L}, 5);
    for (int at = 0; at < w.bytes.length; at++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] bad = w.bytes.clone();
        bad[at] ^= bit;
        assertThrows(CorruptCheckpointException.class, () -> read(bad, new ArrayList<>()),
            "bit " + bit + " of byte " + at + " flipped");
      }
    }
  }

  @Test
  void readerNamesWhatIsWrong() throws IOException {
    Written w = write(UPPER_HALF, new long[] {-1L}, 6);
    assertReadFails(patch(w.bytes, 0, (byte) 'X'), "s: not a yarn-ps checkpoint shard (bad magic)");
    assertReadFails(patch(w.bytes, 11, (byte) 2), "s: checkpoint format version 2, this reader knows version 1");
    assertReadFails(patch(w.bytes, 47, (byte) 10), "s: bad header: stride must be a multiple of the width 3");
    assertReadFails(patch(w.bytes, 51, (byte) 0), "s: bad table name length 0");
    byte[] trailing = Arrays.copyOf(w.bytes, w.bytes.length + 1);
    assertReadFails(trailing, "s: unexpected bytes after the trailer");
    byte[] total = w.bytes.clone();
    total[total.length - 9] = 7;
    assertReadFails(total, "s: trailer says 7 records, the blocks hold 1");
    byte[] crc = w.bytes.clone();
    crc[crc.length - 1] ^= 1;
    assertReadFails(crc, "s: checksum mismatch, the shard is corrupt");
    // Key 0 is below the range [2^63, 2^64): the first byte of the record's key.
    byte[] key = w.bytes.clone();
    key[67] = 0;
    assertReadFails(key, "s: key 72057594037927935 (record 0) is outside the shard's range [9223372036854775808, 2^64)");
  }

  private static byte[] patch(byte[] b, int at, byte v) {
    byte[] c = b.clone();
    c[at] = v;
    return c;
  }

  private static void assertReadFails(byte[] bytes, String messageStart) {
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> read(bytes, new ArrayList<>()));
    assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    assertEquals("s", e.file());
  }

  @Test
  void writerRefusesKeysOutsideItsRangeAndWritesAfterFinish() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ShardWriter w = new ShardWriter(bos, new ShardHeader(1, "t", 0, 10, 20, 1, 1, "add"));
    float[] row = {1f};
    w.write(10, row, 0);
    w.write(19, row, 0);
    assertThrows(IllegalArgumentException.class, () -> w.write(20, row, 0));
    assertThrows(IllegalArgumentException.class, () -> w.write(9, row, 0));
    assertThrows(IllegalArgumentException.class, () -> w.write(-1L, row, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> w.write(11, row, 1));
    assertEquals(2, w.finish().rows());
    assertThrows(IllegalStateException.class, () -> w.write(12, row, 0));
    assertThrows(IllegalStateException.class, w::finish);
    w.close();
  }

  @Test
  void closeWithoutFinishLeavesAnUnreadableShard() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ShardWriter w = new ShardWriter(bos, UPPER_HALF)) {
      w.write(-1L, new float[9], 0);
    }
    assertThrows(CorruptCheckpointException.class, () -> read(bos.toByteArray(), new ArrayList<>()));
  }

  @Test
  void writeTableStreamsASparseTableWithItsState() throws IOException {
    TableSpec spec = CheckpointFixture.spec("w", 2, UpdaterKind.ADAGRAD, "uniform:0.1");
    SparseTable t = new SparseTable(2, Updaters.create(spec), spec.initializer(), 16);
    long[] keys = {0L, 7L, -1L, Long.MIN_VALUE};
    t.push(keys, 0, keys.length, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 0);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ShardWriter w = new ShardWriter(bos, new ShardHeader(1, "w", 0, 0, 0, 2, 4, "adagrad"));
    assertEquals(4, w.writeTable(t));
    w.finish();
    SparseTable back = new SparseTable(2, Updaters.create(spec), spec.initializer(), 16);
    new ShardReader(new ByteArrayInputStream(bos.toByteArray()), "s").readRows((k, row) -> back.putRow(k, row, 0));
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    t.forEach((k, d, off) -> a.add(k + Arrays.toString(Arrays.copyOfRange(d, off, off + 4))));
    back.forEach((k, d, off) -> b.add(k + Arrays.toString(Arrays.copyOfRange(d, off, off + 4))));
    a.sort(null);
    b.sort(null);
    assertEquals(a, b);
    assertTrue(a.stream().noneMatch(s -> s.endsWith(", 0.0]")), "the AdaGrad state is stored: " + a);

    ShardWriter narrow = new ShardWriter(new ByteArrayOutputStream(), new ShardHeader(1, "w", 0, 0, 0, 2, 2, "sgd"));
    assertThrows(IllegalArgumentException.class, () -> narrow.writeTable(t));
  }

  @Test
  void headerRejectsWhatTheFormatDoesNotAllow() {
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(-1, "t", 0, 0, 0, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "1t", 0, 0, 0, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "a/b", 0, 0, 0, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", -1, 0, 0, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", 0, 5, 5, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", 0, -1L, 5, 1, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", 0, 0, 0, 0, 1, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", 0, 0, 0, 2, 3, "add"));
    assertThrows(IllegalArgumentException.class, () -> new ShardHeader(0, "t", 0, 0, 0, 1, 1, ""));
    ShardHeader h = new ShardHeader(0, "t", 0, -2L, 0, 1, 1, "add");
    assertTrue(h.holds(-1L) && h.holds(-2L) && !h.holds(0L) && !h.holds(-3L));
    assertEquals(List.of("clock: file says 1, expected 0", "width: file says 2, expected 1",
        "stride: file says 2, expected 1", "updater: file says 'sgd', expected 'add'"),
        h.differences(new ShardHeader(1, "t", 0, -2L, 0, 2, 2, "sgd")));
    assertEquals(List.of(), h.differences(h));
  }
}
