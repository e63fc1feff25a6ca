package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointReader;
import yarnps.common.HashRing;
import yarnps.common.KeyArrays;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.PsError;
import yarnps.worker.ThriftParameterClient;

/**
 * Restoring servers from a checkpoint: bit-identical weights and updater state, onto the same or
 * another number of servers; a corrupt shard is refused by name. Local file system.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CheckpointRestoreTest {
  @TempDir
  java.nio.file.Path tmp;
  private final List<ServerGroup> groups = new ArrayList<>();

  @AfterEach
  void stop() {
    groups.forEach(ServerGroup::close);
  }

  static Configuration conf() {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w,b");
    conf.set("yarnps.table.w.updater", "adagrad");
    conf.set("yarnps.table.w.width", "2");
    conf.set("yarnps.table.w.init", "constant:0.25");
    conf.set("yarnps.table.b.updater", "ftrl");
    conf.setInt(PsKeys.WORKERS.name(), 2);
    conf.set(PsKeys.CONSISTENCY.name(), "eventual");
    return conf;
  }

  ServerGroup group(Configuration conf, int servers) throws Exception {
    ServerGroup g = new ServerGroup(conf, servers, 1);
    groups.add(g);
    return g;
  }

  static long[] keys() {
    SplittableRandom r = new SplittableRandom(9);
    long[] k = new long[3000];
    for (int i = 0; i < k.length; i++) {
      k[i] = r.nextLong();
    }
    k[0] = 0;
    k[1] = -1;
    int n = KeyArrays.sortUnique(k, k.length);
    return java.util.Arrays.copyOf(k, n);
  }

  /** Two workers push random gradients to random subsets of keys for a few clocks. */
  static void train(ServerGroup g, long[] all, int clocks, long seed) throws Exception {
    for (int w = 0; w < 2; w++) {
      ThriftParameterClient c = g.clients.size() > w ? g.clients.get(w) : g.client(w);
      SplittableRandom r = new SplittableRandom(seed + w);
      for (int t = 0; t < clocks; t++) {
        long[] batch = new long[400];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = all[r.nextInt(all.length)];
        }
        int n = KeyArrays.sortUnique(batch, batch.length);
        long[] ks = java.util.Arrays.copyOf(batch, n);
        float[] gw = new float[2 * n];
        float[] gb = new float[n];
        for (int i = 0; i < n; i++) {
          gw[2 * i] = (float) r.nextGaussian();
          gw[2 * i + 1] = (float) r.nextGaussian();
          gb[i] = (float) r.nextGaussian();
        }
        c.push("w", ks, gw).get();
        c.push("b", ks, gb).get();
        c.advanceClock().get();
      }
    }
  }

  /** Every row of a table in a checkpoint, weights and updater state, as raw float bits. */
  static Map<Long, List<Integer>> rows(FileSystem fs, Path dir, String table) throws Exception {
    Map<Long, List<Integer>> out = new TreeMap<>();
    new CheckpointReader(fs).open(dir).readRange(table, 0, 0, (key, row) -> {
      List<Integer> bits = new ArrayList<>();
      for (float f : row) {
        bits.add(Float.floatToRawIntBits(f));
      }
      out.put(key, bits);
    });
    return out;
  }

  static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  /** Restores every server of g from dir under layout (servers' addresses from g). */
  static long restore(ServerGroup g, Path dir, KeyLayout layout) throws Exception {
    long rows = 0;
    for (ParameterHandler h : g.handlers) {
      rows += h.restore(dir.toString(), g.thriftLayout(layout));
    }
    g.layout = layout;
    return rows;
  }

  @Test
  void restoringIsBitIdenticalOnTheSameAndOnAnotherNumberOfServers() throws Exception {
    Configuration conf = conf();
    long[] all = keys();
    ServerGroup original = group(conf, 3);
    train(original, all, 6, 1);
    Path root = new Path(tmp.toUri());
    Path dir = original.checkpoint(1, root);
    FileSystem fs = dir.getFileSystem(conf);
    Checkpoint ckpt = new CheckpointReader(fs).open(dir);
    assertEquals(6, ckpt.clock());
    Map<Long, List<Integer>> savedW = rows(fs, dir, "w");
    Map<Long, List<Integer>> savedB = rows(fs, dir, "b");
    assertEquals(4, savedW.values().iterator().next().size(), "adagrad rows of width 2 carry their state");
    int[] wantW = bits(original.client(0).pull("w", all).get());
    int[] wantB = bits(original.clients.get(0).pull("b", all).get());

    for (int servers : new int[] {3, 2}) {
      ServerGroup restored = group(conf, servers);
      KeyLayout next = HashRing.build(2, servers, servers == 3 ? 8 : 5, 23);
      long loaded = restore(restored, dir, next);
      assertEquals(ckpt.manifest().totalRows(), loaded, servers + " servers: every row loaded once");
      ThriftParameterClient c = restored.client(0);
      assertArrayEquals(wantW, bits(c.pull("w", all).get()), servers + " servers: weights of w");
      assertArrayEquals(wantB, bits(c.pull("b", all).get()), servers + " servers: weights of b");
      for (ParameterHandler h : restored.handlers) {
        assertEquals(6L, h.counters().get("worker_clock_0"), "clocks reset to the checkpoint's");
        assertEquals(6L, h.counters().get("worker_clock_1"));
      }
      // A checkpoint of the restored servers at the same clock holds the same rows, state included.
      Path again = restored.checkpoint(1, new Path(root, "again-" + servers));
      assertEquals(6, new CheckpointReader(fs).open(again).clock());
      assertEquals(savedW, rows(fs, again, "w"), servers + " servers: rows of w with adagrad state");
      assertEquals(savedB, rows(fs, again, "b"), servers + " servers: rows of b with ftrl state");
    }

    // The state matters: the same further training gives the same bits on the original and a restored copy.
    ServerGroup copy = group(conf, 2);
    restore(copy, dir, HashRing.build(2, 2, 8, 5));
    // Workers of a restored job start at the checkpoint's clock, as WorkerRuntime makes them.
    copy.client(0).startClock(ckpt.clock());
    copy.client(1).startClock(ckpt.clock());
    train(original, all, 2, 77);
    train(copy, all, 2, 77);
    assertArrayEquals(bits(original.clients.get(0).pull("w", all).get()), bits(copy.clients.get(0).pull("w", all).get()));
    assertArrayEquals(bits(original.clients.get(0).pull("b", all).get()), bits(copy.clients.get(0).pull("b", all).get()));
  }

  @Test
  void aCorruptShardIsRefusedByNameAndChangesNothing() throws Exception {
    Configuration conf = conf();
    long[] all = keys();
    ServerGroup original = group(conf, 2);
    train(original, all, 2, 3);
    Path dir = original.checkpoint(1, new Path(tmp.toUri()));
    FileSystem fs = dir.getFileSystem(conf);
    CheckpointManifest m = new CheckpointReader(fs).open(dir).manifest();
    CheckpointManifest.ShardEntry victim = m.shardsOf("w").stream().filter(s -> s.rows() > 10).findFirst().orElseThrow();
    java.io.File file = new java.io.File(new Path(dir, victim.path()).toUri());
    try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
      raf.seek(victim.bytes() / 2);
      int b = raf.read();
      raf.seek(victim.bytes() / 2);
      raf.write(b ^ 0x10);
    }
    // The checksummed local file system would catch the flip by its .crc; drop it so that the shard's own CRC must.
    new java.io.File(file.getParentFile(), "." + file.getName() + ".crc").delete();

    ServerGroup fresh = group(conf, 2);
    fresh.client(0).push("b", new long[] {42}, new float[] {1}).get();
    float[] before = fresh.clients.get(0).pull("b", new long[] {42}).get();
    KeyLayout next = HashRing.build(2, 2, 8, 17);
    int refused = 0;
    for (ParameterHandler h : fresh.handlers) {
      try {
        h.restore(dir.toString(), fresh.thriftLayout(next));
      } catch (PsError e) {
        refused++;
        assertEquals(ErrorCode.BAD_REQUEST, e.getCode());
        assertTrue(e.getMessage().contains(victim.path()) && e.getMessage().contains("CRC"), e.getMessage());
        assertEquals(1, h.stats().getLayoutVersion(), "a refused restore keeps the layout");
      }
    }
    assertEquals(1, refused, "the server holding " + victim.path() + " refuses");
    assertArrayEquals(before, fresh.clients.get(0).pull("b", new long[] {42}).get(), "nothing changed where refused");
  }

  @Test
  void installLayoutKeepsTheDataOfUnchangedRangesAndRefusesMovedOnes() throws Exception {
    Configuration conf = conf();
    ServerGroup g = group(conf, 2);
    ThriftParameterClient c = g.client(0);
    long[] keys = {1, 1L << 62, -5};
    c.push("b", keys, new float[] {1, 2, 3}).get();
    float[] before = c.pull("b", keys).get();
    KeyLayout same = HashRing.build(5, 2, 8, 17);
    for (ParameterHandler h : g.handlers) {
      h.installLayout(g.thriftLayout(same));
    }
    for (ParameterHandler h : g.handlers) {
      yarnps.thrift.PushRequest old = new yarnps.thrift.PushRequest("b", 1, 0, java.nio.ByteBuffer.allocate(0),
          java.nio.ByteBuffer.allocate(0), 0, 0);
      assertEquals(ErrorCode.STALE_LAYOUT, assertThrows(PsError.class, () -> h.push(old)).getCode());
    }
    g.layout = same;
    assertArrayEquals(before, g.client(1).pull("b", keys).get(), "data kept under version 5");
    PsError moved = assertThrows(PsError.class,
        () -> g.handlers.get(0).installLayout(g.thriftLayout(HashRing.build(6, 2, 8, 99))));
    assertEquals(ErrorCode.BAD_REQUEST, moved.getCode());
    assertTrue(moved.getMessage().contains("range 0"), moved.getMessage());
    assertFalse(g.handlers.get(0).stats().getLayoutVersion() == 6);
  }

  @Test
  void restoringNothingStartsEmptyAtClockZero() throws Exception {
    Configuration conf = conf();
    ServerGroup g = group(conf, 1);
    g.client(0).push("b", new long[] {7}, new float[] {1}).get();
    g.clients.get(0).advanceClock().get();
    assertEquals(0, g.handlers.get(0).restore("", g.thriftLayout(HashRing.build(2, 1, 8, 17))));
    g.layout = HashRing.build(2, 1, 8, 17);
    assertEquals(0f, g.client(1).pull("b", new long[] {7}).get()[0], 0f);
    assertEquals(0L, g.handlers.get(0).counters().get("worker_clock_0"));
  }
}
