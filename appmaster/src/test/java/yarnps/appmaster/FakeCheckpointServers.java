package yarnps.appmaster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.ShardHeader;
import yarnps.checkpoint.ShardWriter;
import yarnps.common.KeyLayout;
import yarnps.thrift.KeyRange;
import yarnps.thrift.Layout;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ShardInfo;

/**
 * Parameter servers for coordinator tests: each holds the rows of its primary ranges in memory
 * and writes them as real shards with {@link ShardWriter}. A server can be told to fail its
 * checkpoint call or to hang in it until aborted.
 */
final class FakeCheckpointServers implements CheckpointServers {
  /** 4 ranges on 2 servers, alternating owners. */
  static final KeyLayout LAYOUT = new KeyLayout(3, new long[] {0, 1L << 62, Long.MIN_VALUE, 3L << 62},
      new int[] {0, 1, 0, 1}, 2);

  private final FileSystem fs;
  private final List<CheckpointManifest.TableEntry> tables;
  /** table -> key -> row (stride floats). */
  final Map<String, TreeMap<Long, float[]>> rows = new TreeMap<>();
  final long[] maxClockSeen = new long[LAYOUT.numServers()];
  final List<String> calls = new CopyOnWriteArrayList<>();
  final Map<Integer, List<Long>> aborts = new ConcurrentHashMap<>();
  volatile int failing = -1;
  volatile int hanging = -1;
  /** Set when a server's checkpoint call found a manifest already there. */
  volatile boolean manifestSeenEarly;
  private volatile CountDownLatch released = new CountDownLatch(1);

  FakeCheckpointServers(FileSystem fs, List<CheckpointManifest.TableEntry> tables, int keysPerTable) {
    this.fs = fs;
    this.tables = tables;
    java.util.Random rnd = new java.util.Random(42);
    for (CheckpointManifest.TableEntry t : tables) {
      TreeMap<Long, float[]> m = new TreeMap<>();
      for (int i = 0; i < keysPerTable; i++) {
        float[] row = new float[t.stride()];
        for (int j = 0; j < row.length; j++) {
          row[j] = rnd.nextFloat() - 0.5f;
        }
        m.put(rnd.nextLong(), row);
      }
      rows.put(t.name(), m);
    }
  }

  static Layout thriftLayout() {
    List<KeyRange> ranges = LAYOUT.toThriftRanges();
    List<ServerAddress> addrs = new ArrayList<>();
    for (int s = 0; s < LAYOUT.numServers(); s++) {
      addrs.add(new ServerAddress(s, "host" + s, 7000 + s));
    }
    return new Layout(LAYOUT.version(), ranges, addrs);
  }

  @Override
  public long prepare(int server, long id) {
    calls.add("prepare " + server);
    return maxClockSeen[server] + 1;
  }

  @Override
  public List<ShardInfo> checkpoint(int server, long id, long clock, String dir) throws IOException {
    calls.add("checkpoint " + server + " " + clock);
    Path d = new Path(dir);
    if (fs.exists(new Path(d, CheckpointFormat.MANIFEST))) {
      manifestSeenEarly = true;
    }
    if (failing == server) {
      throw new IOException("server " + server + ": disk full");
    }
    if (hanging == server) {
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("server " + server + ": aborted while writing");
    }
    List<ShardInfo> out = new ArrayList<>();
    for (CheckpointManifest.TableEntry t : tables) {
      for (int r = 0; r < LAYOUT.numRanges(); r++) {
        if (LAYOUT.owner(r) != server) {
          continue;
        }
        ShardHeader h = new ShardHeader(clock, t.name(), r, LAYOUT.rangeStart(r), LAYOUT.rangeLimit(r), t.width(),
            t.stride(), t.updater());
        try (ShardWriter w = ShardWriter.create(fs, d, h)) {
          for (Map.Entry<Long, float[]> e : rows.get(t.name()).entrySet()) {
            if (LAYOUT.rangeOf(e.getKey()) == r) {
              w.write(e.getKey(), e.getValue(), 0);
            }
          }
          CheckpointManifest.ShardEntry s = w.finish();
          out.add(new ShardInfo(s.table(), s.range(), s.path(), s.rows(), s.bytes(), s.crc()));
        }
      }
    }
    return out;
  }

  @Override
  public void abort(int server, long id) {
    calls.add("abort " + server);
    aborts.computeIfAbsent(server, k -> new CopyOnWriteArrayList<>()).add(id);
    released.countDown();
  }

  @Override
  public long restore(int server, String dir, Layout layout) throws IOException {
    calls.add("restore " + server + " " + dir + " v" + layout.getVersion());
    if (failing == server) {
      throw new IOException("server " + server + ": shard unreadable");
    }
    return 10L * (server + 1);
  }

  /** Lets a hanging server go (end of a test). */
  void release() {
    released.countDown();
  }
}
