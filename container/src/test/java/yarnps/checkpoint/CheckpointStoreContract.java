package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yarnps.checkpoint.CheckpointFixture.assertSameRows;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;
import yarnps.checkpoint.CheckpointReader.CheckpointDir;
import yarnps.checkpoint.CheckpointReader.Selection;
import yarnps.common.KeyLayout;
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updaters;

/**
 * Writing, committing, reading, falling back and pruning checkpoints on a file system; run on the
 * local file system and on a MiniDFSCluster by the subclasses.
 */
abstract class CheckpointStoreContract {
  private static final int KEYS = 3_000;

  /** The file system under test. */
  abstract FileSystem fs();

  /** A fresh, empty (not yet existing) directory for one test. */
  abstract Path newRoot() throws IOException;

  /** "local" or "hdfs", for the throughput lines. */
  abstract String fsName();

  private Path shardPath(Path root, long clock, String table, int range) {
    return new Path(CheckpointFormat.dir(root, clock), CheckpointFormat.shardPath(table, range));
  }

  private void commitTiny(Path root, long clock) throws IOException {
    CheckpointFixture.writeTiny(fs(), root, clock).commit(fs(), CheckpointFormat.dir(root, clock));
  }

  @Test
  void roundTripIsBitExactForEveryTableAndRange() throws IOException {
    Path root = newRoot();
    Map<String, TreeMap<Long, float[]>> rows = CheckpointFixture.rows(12, KEYS);
    CheckpointManifest written = CheckpointFixture.writeShards(fs(), root, 12, rows);
    written.commit(fs(), CheckpointFormat.dir(root, 12));

    CheckpointReader reader = new CheckpointReader(fs());
    List<CheckpointDir> listed = reader.list(root);
    assertEquals(1, listed.size());
    assertEquals(12, listed.get(0).clock());
    Checkpoint ckpt = reader.open(listed.get(0).dir());
    assertEquals(written.toJson(), ckpt.manifest().toJson());
    ckpt.verify(Checkpoint.Verification.FULL);
    ckpt.verify(Checkpoint.Verification.QUICK);
    assertSameRows(rows, CheckpointFixture.readAll(ckpt));
    assertTrue(rows.get("w").containsKey(0L) && rows.get("w").containsKey(-1L) && rows.get("w").containsKey(Long.MIN_VALUE));
    assertEquals(0, ckpt.manifest().shard("c", 1).rows(), "table c has an empty range");
    for (ShardEntry s : ckpt.manifest().shards()) {
      assertEquals(s.bytes(), fs().getFileStatus(new Path(ckpt.dir(), s.path())).getLen());
    }
  }

  @Test
  void readRangeResplitsForAnotherLayout() throws IOException {
    Path root = newRoot();
    Map<String, TreeMap<Long, float[]>> rows = CheckpointFixture.commit(fs(), root, 3, KEYS);
    Checkpoint ckpt = new CheckpointReader(fs()).open(CheckpointFormat.dir(root, 3));
    // Three servers instead of two: ranges that cut across the checkpoint's four.
    KeyLayout other = new KeyLayout(8, new long[] {0, 5, Long.MIN_VALUE + 17}, new int[] {0, 1, 2}, 3);
    for (TableSpec spec : CheckpointFixture.SPECS) {
      TreeMap<Long, float[]> union = new TreeMap<>(Long::compareUnsigned);
      for (int r = 0; r < other.numRanges(); r++) {
        long start = other.rangeStart(r);
        long limit = other.rangeLimit(r);
        SparseTable t = new SparseTable(spec.width(), Updaters.create(spec), spec.initializer(), 16);
        long n = ckpt.readRange(spec.name(), start, limit, (key, row) -> {
          assertTrue(CheckpointFormat.inRange(key, start, limit), "key outside the asked range");
          t.putRow(key, row, 0);
          union.put(key, row.clone());
        });
        assertEquals(t.size(), n);
      }
      assertSameRows(Map.of(spec.name(), rows.get(spec.name())), Map.of(spec.name(), union));
    }
    assertEquals(List.of(0, 1, 2), ckpt.shardsIntersecting("w", 5, Long.MIN_VALUE + 17).stream()
        .map(ShardEntry::range).toList(), "[5, 2^63 + 17) meets ranges 0, 1 and 2");
    assertEquals(1, ckpt.readRange("w", -1L, 0, (key, row) -> assertEquals(-1L, key)));
  }

  @Test
  void checkpointWithoutManifestIsInvisible() throws IOException {
    Path root = newRoot();
    Map<String, TreeMap<Long, float[]>> committed = CheckpointFixture.commit(fs(), root, 10, KEYS);
    CheckpointManifest pending = CheckpointFixture.writeShards(fs(), root, 20, CheckpointFixture.rows(20, KEYS));
    Path dir20 = CheckpointFormat.dir(root, 20);
    // A manifest cut off while being written, under its temporary name, as a crashed AM leaves it.
    String json = pending.toJson();
    CheckpointFixture.writeBytes(fs(), new Path(dir20, CheckpointFormat.MANIFEST_TEMP),
        json.substring(0, json.length() / 2).getBytes(java.nio.charset.StandardCharsets.UTF_8));

    CheckpointReader reader = new CheckpointReader(fs());
    assertEquals(List.of(10L), reader.list(root).stream().map(CheckpointDir::clock).toList());
    assertEquals(List.of(20L, 10L), reader.scan(root).stream().map(CheckpointDir::clock).toList());
    assertFalse(reader.scan(root).get(0).complete());
    assertThrows(FileNotFoundException.class, () -> reader.open(dir20));
    Selection sel = reader.newestValid(root);
    assertTrue(sel.skipped().isEmpty(), "an incomplete checkpoint is not refused, it does not exist");
    assertEquals(10, sel.checkpoint().orElseThrow().clock());
    assertSameRows(committed, CheckpointFixture.readAll(sel.checkpoint().get()));

    // Committing over the leftover temporary manifest works and makes clock 20 the newest.
    pending.commit(fs(), dir20);
    assertEquals(20, reader.newestValid(root).checkpoint().orElseThrow().clock());
    assertFalse(fs().exists(new Path(dir20, CheckpointFormat.MANIFEST_TEMP)));
  }

  @Test
  void emptyOrMissingRootHasNoCheckpoint() throws IOException {
    Path root = newRoot();
    CheckpointReader reader = new CheckpointReader(fs());
    assertTrue(reader.list(root).isEmpty());
    Selection sel = reader.newestValid(root);
    assertTrue(sel.checkpoint().isEmpty());
    assertTrue(sel.skipped().isEmpty());
    fs().mkdirs(new Path(root, "not-a-checkpoint"));
    fs().mkdirs(new Path(root, "ckpt-12"));
    assertTrue(reader.scan(root).isEmpty());
  }

  @Test
  void flippedByteMakesNewestValidFallBackNamingTheShard() throws IOException {
    Path root = newRoot();
    Map<String, TreeMap<Long, float[]>> older = CheckpointFixture.commit(fs(), root, 10, KEYS);
    CheckpointFixture.commit(fs(), root, 20, KEYS);
    Path bad = shardPath(root, 20, "w", 2);
    long len = fs().getFileStatus(bad).getLen();
    CheckpointFixture.flipByte(fs(), bad, (int) (len / 2));

    // Quick verification reads no data, so a flipped bit inside the rows passes it.
    assertEquals(20, new CheckpointReader(fs()).newestValid(root, Checkpoint.Verification.QUICK)
        .checkpoint().orElseThrow().clock());

    Selection sel = new CheckpointReader(fs()).newestValid(root);
    assertEquals(10, sel.checkpoint().orElseThrow().clock());
    assertEquals(1, sel.skipped().size());
    CheckpointReader.Skipped s = sel.skipped().get(0);
    assertEquals(20, s.clock());
    assertTrue(s.reason().startsWith("w/00002.shard: "), s.reason());
    assertTrue(s.reason().contains("checksum mismatch"), s.reason());
    assertSameRows(older, CheckpointFixture.readAll(sel.checkpoint().get()));

    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> new CheckpointReader(fs()).open(CheckpointFormat.dir(root, 20)).readRange("w", 0, 0, (k, r) -> { }));
    assertEquals("w/00002.shard", e.file());
  }

  @Test
  void flippedTrailerFailsEvenQuickVerification() throws IOException {
    Path root = newRoot();
    commitTiny(root, 10);
    CheckpointFixture.commit(fs(), root, 20, KEYS);
    Path bad = shardPath(root, 20, "b", 0);
    CheckpointFixture.flipByte(fs(), bad, (int) fs().getFileStatus(bad).getLen() - 2);
    Selection sel = new CheckpointReader(fs()).newestValid(root, Checkpoint.Verification.QUICK);
    assertEquals(10, sel.checkpoint().orElseThrow().clock());
    assertTrue(sel.skipped().get(0).reason().startsWith("b/00000.shard: trailer holds"), sel.skipped().get(0).reason());
  }

  @Test
  void truncatedShardMakesNewestValidFallBack() throws IOException {
    Path root = newRoot();
    commitTiny(root, 10);
    CheckpointFixture.commit(fs(), root, 20, KEYS);
    CheckpointFixture.truncate(fs(), shardPath(root, 20, "c", 3), 5);
    for (Checkpoint.Verification level : Checkpoint.Verification.values()) {
      Selection sel = new CheckpointReader(fs()).newestValid(root, level);
      assertEquals(10, sel.checkpoint().orElseThrow().clock());
      String reason = sel.skipped().get(0).reason();
      assertTrue(reason.startsWith("c/00003.shard: truncated"), reason);
    }
  }

  @Test
  void missingShardOrManifestGarbageIsRefused() throws IOException {
    Path root = newRoot();
    commitTiny(root, 10);
    commitTiny(root, 20);
    CheckpointFixture.commit(fs(), root, 30, KEYS);
    assertTrue(fs().delete(shardPath(root, 30, "b", 1), false));
    CheckpointFixture.writeBytes(fs(), new Path(CheckpointFormat.dir(root, 20), CheckpointFormat.MANIFEST),
        "{\"format\":\"yarnps-checkpoint\",\"version\":1,".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Selection sel = new CheckpointReader(fs()).newestValid(root);
    assertEquals(10, sel.checkpoint().orElseThrow().clock());
    assertEquals(List.of(30L, 20L), sel.skipped().stream().map(CheckpointReader.Skipped::clock).toList());
    assertEquals("b/00001.shard: missing", sel.skipped().get(0).reason());
    assertTrue(sel.skipped().get(1).reason().startsWith("_MANIFEST: invalid JSON"), sel.skipped().get(1).reason());

    // With the last one gone too, there is nothing to fall back to.
    CheckpointFixture.flipByte(fs(), shardPath(root, 10, "c", 0), 60);
    Selection none = new CheckpointReader(fs()).newestValid(root);
    assertTrue(none.checkpoint().isEmpty());
    assertEquals(List.of(30L, 20L, 10L), none.skipped().stream().map(CheckpointReader.Skipped::clock).toList());
  }

  @Test
  void shardHeaderDisagreeingWithManifestIsRefused() throws IOException {
    Path root = newRoot();
    commitTiny(root, 10);
    // Clock 20's shard w/1 is replaced by a valid shard of the same size, but of clock 19.
    Map<String, TreeMap<Long, float[]>> rows = CheckpointFixture.rows(20, KEYS);
    CheckpointManifest m = CheckpointFixture.writeShards(fs(), root, 20, rows);
    ShardHeader h = new ShardHeader(19, "w", 1, CheckpointFixture.LAYOUT.rangeStart(1),
        CheckpointFixture.LAYOUT.rangeLimit(1), 3, 9, "ftrl");
    ShardEntry s19;
    try (ShardWriter w = ShardWriter.create(fs(), CheckpointFormat.dir(root, 20), h)) {
      for (Map.Entry<Long, float[]> e : rows.get("w").entrySet()) {
        if (h.holds(e.getKey())) {
          w.write(e.getKey(), e.getValue(), 0);
        }
      }
      s19 = w.finish();
    }
    assertEquals(m.shard("w", 1).bytes(), s19.bytes());
    List<ShardEntry> shards = new ArrayList<>(m.shards());
    shards.replaceAll(s -> s.table().equals("w") && s.range() == 1 ? s19 : s);
    new CheckpointManifest(20, 0, m.layout(), m.tables(), shards).commit(fs(), CheckpointFormat.dir(root, 20));

    for (Checkpoint.Verification level : Checkpoint.Verification.values()) {
      Selection sel = new CheckpointReader(fs()).newestValid(root, level);
      assertEquals(10, sel.checkpoint().orElseThrow().clock());
      assertEquals("w/00001.shard: header disagrees with the manifest: clock: file says 19, expected 20",
          sel.skipped().get(0).reason());
    }
  }

  @Test
  void pruneKeepsTheNewestCompleteAndNewerIncomplete() throws IOException {
    Path root = newRoot();
    for (long c : new long[] {10, 20, 30, 40}) {
      CheckpointFixture.writeTiny(fs(), root, c).commit(fs(), CheckpointFormat.dir(root, c));
    }
    for (long c : new long[] {5, 25, 50}) {
      CheckpointFixture.writeTiny(fs(), root, c);
    }
    fs().mkdirs(new Path(root, "unrelated"));
    CheckpointPruner pruner = new CheckpointPruner(fs());
    assertThrows(IllegalArgumentException.class, () -> pruner.prune(root, 0));

    List<Path> deleted = pruner.prune(root, 2);
    assertEquals(List.of("ckpt-0000000000000000025", "ckpt-0000000000000000020", "ckpt-0000000000000000010",
        "ckpt-0000000000000000005"), deleted.stream().map(Path::getName).toList());
    CheckpointReader reader = new CheckpointReader(fs());
    assertEquals(List.of(50L, 40L, 30L), reader.scan(root).stream().map(CheckpointDir::clock).toList());
    assertEquals(List.of(40L, 30L), reader.list(root).stream().map(CheckpointDir::clock).toList());
    assertTrue(fs().exists(new Path(root, "unrelated")));

    assertEquals(List.of("ckpt-0000000000000000030"), pruner.prune(root, 1).stream().map(Path::getName).toList());
    assertTrue(pruner.prune(root, 1).isEmpty(), "the newest complete one is never deleted");
    assertEquals(40, reader.newestValid(root).checkpoint().orElseThrow().clock());
    assertEquals(List.of(50L, 40L), reader.scan(root).stream().map(CheckpointDir::clock).toList());
  }

  @Test
  void pruneWithoutCompleteCheckpointDeletesNothing() throws IOException {
    Path root = newRoot();
    CheckpointFixture.writeTiny(fs(), root, 7);
    CheckpointFixture.writeTiny(fs(), root, 9);
    assertTrue(new CheckpointPruner(fs()).prune(root, 1).isEmpty());
    assertEquals(2, new CheckpointReader(fs()).scan(root).size());
    assertTrue(new CheckpointPruner(fs()).prune(newRoot(), 3).isEmpty(), "missing root");
  }

  @Test
  void commitRefusesMissingShardsWrongSizesAndRecommits() throws IOException {
    Path root = newRoot();
    Path dir = CheckpointFormat.dir(root, 4);
    CheckpointManifest m = CheckpointFixture.writeShards(fs(), root, 4, CheckpointFixture.rows(4, 100));

    ShardEntry first = m.shards().get(0);
    List<ShardEntry> wrongSize = new ArrayList<>(m.shards());
    wrongSize.set(0, new ShardEntry(first.table(), first.range(), first.path(), first.rows(), first.bytes() + 1,
        first.crc()));
    IOException e = assertThrows(IOException.class,
        () -> new CheckpointManifest(4, 0, m.layout(), m.tables(), wrongSize).commit(fs(), dir));
    assertTrue(e.getMessage().contains("shard w/00000.shard has " + first.bytes() + " bytes"), e.getMessage());

    assertTrue(fs().delete(new Path(dir, "c"), true));
    e = assertThrows(IOException.class, () -> m.commit(fs(), dir));
    assertTrue(e.getMessage().endsWith("shard c/00000.shard does not exist"), e.getMessage());
    assertTrue(new CheckpointReader(fs()).list(root).isEmpty());

    CheckpointManifest m2 = CheckpointFixture.writeShards(fs(), root, 4, CheckpointFixture.rows(4, 100));
    m2.commit(fs(), dir);
    e = assertThrows(IOException.class, () -> m2.commit(fs(), dir));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
  }

  /**
   * While a writer commits checkpoint after checkpoint, a reader listing and opening them never
   * reads a partial manifest: it sees a checkpoint whole or not at all.
   */
  @Test
  void readersNeverSeeAPartialManifest() throws Exception {
    Path root = newRoot();
    int commits = 8;
    List<CheckpointManifest> pending = new ArrayList<>();
    for (int c = 1; c <= commits; c++) {
      pending.add(CheckpointFixture.writeTiny(fs(), root, c));
    }
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<long[]> readerResult = pool.submit(() -> {
        CheckpointReader reader = new CheckpointReader(fs());
        long opens = 0;
        long newest = 0;
        while (!done.get() || newest < commits) {
          for (CheckpointDir c : reader.list(root)) {
            Checkpoint ckpt = reader.open(c.dir()); // throws on a partial manifest
            assertEquals(c.clock(), ckpt.clock());
            newest = Math.max(newest, c.clock());
            opens++;
          }
        }
        return new long[] {opens, newest};
      });
      for (int c = 1; c <= commits; c++) {
        pending.get(c - 1).commit(fs(), CheckpointFormat.dir(root, c));
      }
      done.set(true);
      long[] r = readerResult.get(60, TimeUnit.SECONDS);
      assertEquals(commits, r[1]);
      assertTrue(r[0] >= commits, "reader opened " + r[0] + " manifests");
    } finally {
      pool.shutdownNow();
    }
  }

  /** Not a check: prints shard write and read throughput for ~1e6 rows of width 1. */
  @Test
  void throughputFigures() throws IOException {
    Path root = newRoot();
    int rows = 1_000_000;
    for (TableSpec spec : List.of(CheckpointFixture.spec("x", 1, yarnps.conf.TableKeys.UpdaterKind.ADD, "zero"),
        CheckpointFixture.spec("y", 1, yarnps.conf.TableKeys.UpdaterKind.FTRL, "zero"))) {
      SparseTable table = new SparseTable(1, Updaters.create(spec), spec.initializer(), rows);
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
      float[] row = new float[table.stride()];
      while (table.size() < rows) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) rnd.nextGaussian();
        }
        table.putRow(rnd.nextLong(), row, 0);
      }
      CheckpointManifest.TableEntry te = CheckpointManifest.TableEntry.of(spec);
      for (int rep = 0; rep < 3; rep++) {
        long clock = rep;
        ShardHeader h = new ShardHeader(clock, spec.name(), 0, 0, 0, 1, te.stride(), te.updater());
        long t0 = System.nanoTime();
        ShardEntry entry;
        try (ShardWriter w = ShardWriter.create(fs(), CheckpointFormat.dir(root, clock), h)) {
          w.writeTable(table);
          entry = w.finish();
        }
        long t1 = System.nanoTime();
        CheckpointManifest m = new CheckpointManifest(clock, 0, new KeyLayout(1, new long[] {0}, new int[] {0}, 1),
            List.of(te), List.of(entry));
        Checkpoint ckpt = new Checkpoint(fs(), CheckpointFormat.dir(root, clock), m);
        double[] sum = {0};
        long t2 = System.nanoTime();
        ckpt.readShard(entry, (key, r) -> sum[0] += r[0]);
        long t3 = System.nanoTime();
        print(fsName(), "write", spec, entry, t1 - t0);
        print(fsName(), "read", spec, entry, t3 - t2);
        fs().delete(CheckpointFormat.dir(root, clock), true);

        // The same without a file system: what encoding, decoding and the CRC cost alone.
        java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream((int) entry.bytes());
        long t4 = System.nanoTime();
        try (ShardWriter w = new ShardWriter(bos, h)) {
          w.writeTable(table);
          w.finish();
        }
        long t5 = System.nanoTime();
        new ShardReader(new java.io.ByteArrayInputStream(bos.toByteArray()), "mem").readRows((key, r) -> sum[0] += r[0]);
        long t6 = System.nanoTime();
        if (fsName().equals("local")) {
          print("memory", "write", spec, entry, t5 - t4);
          print("memory", "read", spec, entry, t6 - t5);
        }
      }
    }
  }

  private static void print(String fs, String op, TableSpec spec, ShardEntry e, long nanos) {
    double s = nanos / 1e9;
    System.out.println(String.format(Locale.ROOT,
        "CKPT_THROUGHPUT fs=%s op=%s width=1 updater=%s stride=%d rows=%d bytes=%d seconds=%.3f mb_s=%.1f rows_s=%.0f",
        fs, op, spec.updater().name().toLowerCase(Locale.ROOT), CheckpointFixture.stride(spec), e.rows(),
        e.bytes(), s, e.bytes() / s / 1e6, e.rows() / s));
  }
}
