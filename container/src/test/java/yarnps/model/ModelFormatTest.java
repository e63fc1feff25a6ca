package yarnps.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFormatTest {
  private static final int WIDTH = 3;

  @TempDir
  java.nio.file.Path tmp;
  private FileSystem fs;
  private Path dir;

  @BeforeEach
  void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    dir = new Path(tmp.toUri().toString(), "model");
  }

  /** Keys of three parts (one empty, one spanning several blocks) with awkward values. */
  private static Map<Long, float[]> writeParts(FileSystem fs, Path dir, int[] sizes) throws IOException {
    SplittableRandom rnd = new SplittableRandom(11);
    Map<Long, float[]> all = new HashMap<>();
    long[] special = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L};
    float[] oddValues = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.MIN_VALUE,
        Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
    int s = 0;
    for (int part = 0; part < sizes.length; part++) {
      try (OutputStream os = fs.create(new Path(dir, ModelFormat.partName(part)));
           ModelWriter w = new ModelWriter(os, "w", WIDTH)) {
        for (int i = 0; i < sizes[part]; i++) {
          long key = s < special.length ? special[s++] : rnd.nextLong();
          if (all.containsKey(key)) {
            continue;
          }
          float[] row = new float[WIDTH + 2];
          for (int j = 0; j < row.length; j++) {
            row[j] = rnd.nextInt(10) == 0 ? oddValues[rnd.nextInt(oddValues.length)] : (float) rnd.nextGaussian();
          }
          w.write(key, row, 2);
          all.put(key, java.util.Arrays.copyOfRange(row, 2, 2 + WIDTH));
        }
      }
    }
    return all;
  }

  @Test
  void roundTripIsBitExactAcrossPartsAndBlocks() throws IOException {
    Map<Long, float[]> written = writeParts(fs, dir, new int[] {120_000, 0, 5_000});
    ModelReader.Model m = ModelReader.read(fs, dir);
    assertEquals("w", m.table());
    assertEquals(WIDTH, m.width());
    assertEquals(written.size(), m.size());

    TreeMap<Long, float[]> sorted = new TreeMap<>(Long::compareUnsigned);
    sorted.putAll(written);
    int i = 0;
    float[] row = new float[WIDTH + 1];
    for (Map.Entry<Long, float[]> e : sorted.entrySet()) {
      assertEquals(e.getKey().longValue(), m.key(i), "keys in unsigned order");
      m.row(e.getKey(), row, 1);
      for (int j = 0; j < WIDTH; j++) {
        int bits = Float.floatToRawIntBits(e.getValue()[j]);
        assertEquals(bits, Float.floatToRawIntBits(m.get(e.getKey(), j)));
        assertEquals(bits, Float.floatToRawIntBits(m.value(i, j)));
        assertEquals(bits, Float.floatToRawIntBits(row[1 + j]));
      }
      i++;
    }
    assertEquals(0L, m.key(0));
    assertEquals(-1L, m.key(m.size() == 0 ? 0 : (int) m.size() - 1));
    long absent = 42;
    while (written.containsKey(absent)) {
      absent++;
    }
    assertEquals(0f, m.get(absent, 2));
    java.util.Arrays.fill(row, 9f);
    m.row(absent, row, 1);
    assertArrayEquals(new float[] {9f, 0f, 0f, 0f}, row);
  }

  @Test
  void writerCountsRecordsAndBytesAsFormatDocumentsThem() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelWriter w = new ModelWriter(bytes, "tbl", WIDTH);
    float[] row = {1, 2, 3};
    // Blocks of this width hold 1 MiB / 20 bytes = 52428 records: 60000 make two blocks.
    for (int i = 0; i < 60_000; i++) {
      w.write(i + 1L, row, 0);
    }
    w.close();
    w.close();
    byte[] b = bytes.toByteArray();
    assertEquals(60_000, w.records());
    assertEquals(b.length, w.bytes());
    assertEquals(20 + 3 + 4 * 3 + 60_000L * 20 + 16, b.length, "size formula of ModelFormat with 2 blocks");

    ByteBuffer bb = ByteBuffer.wrap(b);
    byte[] magic = new byte[8];
    bb.get(magic);
    assertEquals("YPSMODEL", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(1, bb.getInt());
    assertEquals(3, bb.getInt());
    bb.position(bb.position() + 3);
    assertEquals(WIDTH, bb.getInt());
    assertEquals(52428, bb.getInt(), "first block count");
    assertEquals(1L, bb.getLong(), "first key");
    assertEquals(1f, bb.getFloat());
    assertEquals(60_000L, bb.getLong(b.length - 16));
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 16);
    assertEquals(crc.getValue(), bb.getLong(b.length - 8));
    assertEquals(0, bb.getInt(b.length - 20), "end block");
  }

  @Test
  void emptyTableRoundTrips() throws IOException {
    writeParts(fs, dir, new int[] {0});
    ModelReader.Model m = ModelReader.read(fs, dir);
    assertEquals(0, m.size());
    assertEquals(0f, m.get(0L, 0));
  }

  private byte[] onePart() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ModelWriter w = new ModelWriter(bytes, "w", WIDTH)) {
      for (int i = 0; i < 100; i++) {
        w.write(i * 7919L, new float[] {i, -i, 0.5f * i}, 0);
      }
    }
    return bytes.toByteArray();
  }

  private String readError(byte[] part) throws IOException {
    Path p = new Path(dir, "part-s-00007");
    try (OutputStream os = fs.create(p)) {
      os.write(part);
    }
    IOException e = assertThrows(IOException.class, () -> ModelReader.read(fs, dir));
    assertTrue(e.getMessage().contains("part-s-00007"), "error names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void corruptedValueByteFailsTheChecksum() throws IOException {
    byte[] b = onePart();
    b[b.length - 16 - 4 - 30] ^= 0x10;
    assertTrue(readError(b).contains("checksum mismatch"));
  }

  @Test
  void corruptedTrailerCountIsDetected() throws IOException {
    byte[] b = onePart();
    b[b.length - 9] ^= 1;
    assertTrue(readError(b).contains("trailer says 101 records, the blocks hold 100"));
  }

  @Test
  void truncatedPartIsDetected() throws IOException {
    byte[] b = onePart();
    for (int cut : new int[] {3, 20, b.length / 2, b.length - 16, b.length - 1}) {
      String msg = readError(java.util.Arrays.copyOf(b, cut));
      assertTrue(msg.contains("truncated"), cut + ": " + msg);
    }
  }

  @Test
  void wrongMagicVersionAndTrailingBytesAreDetected() throws IOException {
    byte[] b = onePart();
    b[3] = 'X';
    assertTrue(readError(b).contains("bad magic"));
    b = onePart();
    b[11] = 2;
    assertTrue(readError(b).contains("version 2"));
    b = java.util.Arrays.copyOf(onePart(), onePart().length + 1);
    assertTrue(readError(b).contains("after the trailer"));
    b = onePart();
    b[8 + 4 + 4 + 1 + 4] = (byte) 0x80; // first block count, after the header of table "w"
    assertTrue(readError(b).contains("bad block record count"));
  }

  @Test
  void partsMustAgreeAndHoldEachKeyOnce() throws IOException {
    try (ModelWriter w = new ModelWriter(fs.create(new Path(dir, "part-s-00000")), "w", WIDTH)) {
      w.write(5, new float[] {1, 2, 3}, 0);
    }
    try (ModelWriter w = new ModelWriter(fs.create(new Path(dir, "part-s-00001")), "w", WIDTH)) {
      w.write(5, new float[] {1, 2, 3}, 0);
    }
    IOException dup = assertThrows(IOException.class, () -> ModelReader.read(fs, dir));
    assertTrue(dup.getMessage().contains("key 5 twice"), dup.getMessage());

    try (ModelWriter w = new ModelWriter(fs.create(new Path(dir, "part-s-00001"), true), "w", 2)) {
      w.write(6, new float[] {1, 2}, 0);
    }
    IOException width = assertThrows(IOException.class, () -> ModelReader.read(fs, dir));
    assertTrue(width.getMessage().contains("part-s-00001") && width.getMessage().contains("width 2"),
        width.getMessage());

    IOException none = assertThrows(IOException.class, () -> ModelReader.read(fs, new Path(dir, "nothing")));
    assertTrue(none.getMessage().contains("nothing"), none.getMessage());
  }

  @Test
  void readPartStreamsHeaderThenRecordsInOrder() throws IOException {
    List<String> seen = new ArrayList<>();
    ModelReader.readPart(new ByteArrayInputStream(onePart()), "mem", new ModelReader.PartVisitor() {
      @Override
      public void header(String table, int width) {
        seen.add(table + "/" + width);
      }

      @Override
      public void record(long key, float[] values) {
        if (seen.size() < 3) {
          seen.add(key + "=" + values[0] + "," + values[1] + "," + values[2]);
        }
      }
    });
    assertEquals(List.of("w/3", "0=0.0,0.0,0.0", "7919=1.0,-1.0,0.5"), seen);
  }

  @Test
  void dumpPrintsUnsignedKeysAndValues() throws IOException {
    try (ModelWriter w = new ModelWriter(fs.create(new Path(dir, "part-s-00000")), "w", 2)) {
      w.write(-1L, new float[] {1.5f, -2f}, 0);
      w.write(0L, new float[] {0f, 3f}, 0);
    }
    Files.writeString(tmp.resolve("model").resolve("_SUCCESS"), "");
    StringWriter out = new StringWriter();
    ModelDump.dump(dir, new Configuration(), out);
    assertEquals("18446744073709551615\t1.5,-2.0\n0\t0.0,3.0\n", out.toString());
  }
}
