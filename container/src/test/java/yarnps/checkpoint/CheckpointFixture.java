package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.common.KeyLayout;
import yarnps.conf.Initializer;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updaters;

/**
 * Sample checkpoints for the tests: three tables (width 3 with FTRL state, width 1 with AdaGrad
 * state, width 1 without state) over a layout of four ranges on two servers, with awkward keys
 * (0, -1, Long.MIN_VALUE, range edges) and awkward floats (NaN payloads, -0, infinities). The rows
 * depend on the clock, so checkpoints of different clocks hold different data.
 */
final class CheckpointFixture {
  static final KeyLayout LAYOUT = new KeyLayout(7,
      new long[] {0, 1L << 62, Long.MIN_VALUE, 0xC000_0000_0000_0000L}, new int[] {0, 1, 0, 1}, 2);
  static final List<TableSpec> SPECS = List.of(
      spec("w", 3, UpdaterKind.FTRL, "normal:0.01"),
      spec("b", 1, UpdaterKind.ADAGRAD, "zero"),
      spec("c", 1, UpdaterKind.ADD, "constant:0.5"));
  /** One table of one range: one shard per checkpoint, for tests about many checkpoints. */
  static final KeyLayout ONE_RANGE = new KeyLayout(1, new long[] {0}, new int[] {0}, 1);
  static final List<TableSpec> ONE_TABLE = List.of(spec("c", 1, UpdaterKind.ADD, "zero"));
  private static final long[] SPECIAL_KEYS = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L, 1L << 62, (1L << 62) - 1,
      0xC000_0000_0000_0000L, 0xBFFF_FFFF_FFFF_FFFFL};
  private static final float[] ODD = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc12345),
      Float.intBitsToFloat(0xff800001), Float.MIN_VALUE, Float.NEGATIVE_INFINITY, Float.MAX_VALUE};

  private CheckpointFixture() {}

  static TableSpec spec(String name, int width, UpdaterKind updater, String init) {
    return new TableSpec(name, width, updater, Initializer.Spec.parse(init), 0.05, 0.001, 0.002, 0.1, 1.0, 1e-6);
  }

  static int stride(TableSpec spec) {
    return spec.width() * (1 + Updaters.create(spec).stateSlots());
  }

  /** The rows of a checkpoint at {@code clock}: table, then key (unsigned order), then row. */
  static Map<String, TreeMap<Long, float[]>> rows(long clock, int keysPerTable) {
    return rows(clock, keysPerTable, SPECS);
  }

  static Map<String, TreeMap<Long, float[]>> rows(long clock, int keysPerTable, List<TableSpec> specs) {
    SplittableRandom rnd = new SplittableRandom(clock * 31 + 5);
    Map<String, TreeMap<Long, float[]>> out = new LinkedHashMap<>();
    for (TableSpec spec : specs) {
      TreeMap<Long, float[]> t = new TreeMap<>(Long::compareUnsigned);
      int stride = stride(spec);
      int n = spec.name().equals("c") ? keysPerTable / 4 : keysPerTable;
      for (int i = 0; t.size() < n; i++) {
        long key = i < SPECIAL_KEYS.length ? SPECIAL_KEYS[i] : rnd.nextLong();
        if (specs == SPECS && spec.name().equals("c") && LAYOUT.rangeOf(key) == 1) {
          continue; // table c leaves range 1 empty
        }
        float[] row = new float[stride];
        for (int j = 0; j < stride; j++) {
          row[j] = rnd.nextInt(8) == 0 ? ODD[rnd.nextInt(ODD.length)] : (float) rnd.nextGaussian();
        }
        t.put(key, row);
      }
      out.put(spec.name(), t);
    }
    return out;
  }

  /**
   * Writes the shards of {@code rows} for {@code clock} under {@code root} (table w through a
   * SparseTable, the others row by row) and returns the manifest, not committed.
   */
  static CheckpointManifest writeShards(FileSystem fs, Path root, long clock, Map<String, TreeMap<Long, float[]>> rows)
      throws IOException {
    return writeShards(fs, root, clock, rows, LAYOUT, SPECS);
  }

  /** Writes the one shard of a checkpoint of {@link #ONE_TABLE} and {@link #ONE_RANGE}; not committed. */
  static CheckpointManifest writeTiny(FileSystem fs, Path root, long clock) throws IOException {
    return writeShards(fs, root, clock, rows(clock, 20, ONE_TABLE), ONE_RANGE, ONE_TABLE);
  }

  static CheckpointManifest writeShards(FileSystem fs, Path root, long clock, Map<String, TreeMap<Long, float[]>> rows,
      KeyLayout layout, List<TableSpec> specs) throws IOException {
    Path dir = CheckpointFormat.dir(root, clock);
    List<CheckpointManifest.ShardEntry> shards = new ArrayList<>();
    List<CheckpointManifest.TableEntry> tables = new ArrayList<>();
    for (TableSpec spec : specs) {
      CheckpointManifest.TableEntry te = CheckpointManifest.TableEntry.of(spec);
      tables.add(te);
      for (int r = 0; r < layout.numRanges(); r++) {
        ShardHeader h = new ShardHeader(clock, spec.name(), r, layout.rangeStart(r), layout.rangeLimit(r),
            te.width(), te.stride(), te.updater());
        try (ShardWriter w = ShardWriter.create(fs, dir, h)) {
          if (spec.name().equals("w")) {
            SparseTable table = new SparseTable(spec.width(), Updaters.create(spec), spec.initializer(), 16);
            for (Map.Entry<Long, float[]> e : rows.get(spec.name()).entrySet()) {
              if (h.holds(e.getKey())) {
                table.putRow(e.getKey(), e.getValue(), 0);
              }
            }
            assertEquals(table.size(), w.writeTable(table));
          } else {
            float[] buf = new float[te.stride() + 3];
            for (Map.Entry<Long, float[]> e : rows.get(spec.name()).entrySet()) {
              if (h.holds(e.getKey())) {
                System.arraycopy(e.getValue(), 0, buf, 3, te.stride());
                w.write(e.getKey(), buf, 3);
              }
            }
          }
          shards.add(w.finish());
        }
      }
    }
    return new CheckpointManifest(clock, 1_767_225_600_000L + clock, layout, tables, shards);
  }

  /** Writes and commits a checkpoint at {@code clock}; returns its rows. */
  static Map<String, TreeMap<Long, float[]>> commit(FileSystem fs, Path root, long clock, int keysPerTable)
      throws IOException {
    Map<String, TreeMap<Long, float[]>> rows = rows(clock, keysPerTable);
    writeShards(fs, root, clock, rows).commit(fs, CheckpointFormat.dir(root, clock));
    return rows;
  }

  /** Every row of every shard of {@code ckpt}, checking that no key comes twice. */
  static Map<String, TreeMap<Long, float[]>> readAll(Checkpoint ckpt) throws IOException {
    Map<String, TreeMap<Long, float[]>> out = new LinkedHashMap<>();
    for (CheckpointManifest.TableEntry t : ckpt.manifest().tables()) {
      TreeMap<Long, float[]> m = new TreeMap<>(Long::compareUnsigned);
      for (CheckpointManifest.ShardEntry s : ckpt.manifest().shardsOf(t.name())) {
        ckpt.readShard(s, (key, row) -> assertNull(m.put(key, row.clone()), "key read twice: " + key));
      }
      out.put(t.name(), m);
    }
    return out;
  }

  /** Asserts that two sets of rows hold the same keys and bit-identical floats. */
  static void assertSameRows(Map<String, TreeMap<Long, float[]>> expected, Map<String, TreeMap<Long, float[]>> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String table : expected.keySet()) {
      TreeMap<Long, float[]> e = expected.get(table);
      TreeMap<Long, float[]> a = actual.get(table);
      assertEquals(e.keySet(), a.keySet(), "keys of table " + table);
      for (Map.Entry<Long, float[]> row : e.entrySet()) {
        float[] got = a.get(row.getKey());
        assertNotNull(got);
        if (!Arrays.equals(bits(row.getValue()), bits(got))) {
          fail("table " + table + " key " + Long.toUnsignedString(row.getKey()) + ": expected "
              + Arrays.toString(row.getValue()) + ", got " + Arrays.toString(got));
        }
      }
    }
  }

  static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  static byte[] readBytes(FileSystem fs, Path p) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (InputStream in = fs.open(p)) {
      in.transferTo(bos);
    }
    return bos.toByteArray();
  }

  /** Rewrites {@code p} through the file system (so its own checksums stay valid) with {@code bytes}. */
  static void writeBytes(FileSystem fs, Path p, byte[] bytes) throws IOException {
    try (OutputStream os = fs.create(p, true)) {
      os.write(bytes);
    }
  }

  /** Flips one bit of the byte at {@code offset} of {@code p}, through the file system. */
  static void flipByte(FileSystem fs, Path p, int offset) throws IOException {
    byte[] b = readBytes(fs, p);
    assertTrue(offset < b.length, "offset " + offset + " beyond " + b.length + " bytes");
    b[offset] ^= 0x10;
    writeBytes(fs, p, b);
  }

  /** Cuts the last {@code n} bytes off {@code p}, through the file system. */
  static void truncate(FileSystem fs, Path p, int n) throws IOException {
    byte[] b = readBytes(fs, p);
    writeBytes(fs, p, Arrays.copyOf(b, b.length - n));
  }
}
