package yarnps.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;
import yarnps.checkpoint.CheckpointManifest.TableEntry;
import yarnps.checkpoint.ShardHeader;
import yarnps.checkpoint.ShardWriter;
import yarnps.common.KeyLayout;
import yarnps.conf.TableSpec;

/** Writes real checkpoints (shards and a committed manifest) for the client's tests. */
final class TestCheckpoints {
  private TestCheckpoints() {}

  static final KeyLayout LAYOUT = new KeyLayout(2, new long[] {0, Long.MIN_VALUE}, new int[] {0, 1}, 2);

  /** A job configuration with the given tables: "name:width:updater,...". */
  static Configuration jobConf(String tables) {
    Configuration conf = new Configuration(false);
    List<String> names = new ArrayList<>();
    for (String t : tables.split(",")) {
      String[] p = t.split(":");
      names.add(p[0]);
      conf.set("yarnps.table." + p[0] + ".width", p[1]);
      conf.set("yarnps.table." + p[0] + ".updater", p[2]);
    }
    conf.set("yarnps.tables", String.join(",", names));
    return conf;
  }

  /** Writes and commits a checkpoint at {@code clock} under {@code root} of the tables of {@code conf}. */
  static Path write(FileSystem fs, Path root, long clock, Configuration conf) throws IOException {
    Path dir = CheckpointFormat.dir(root, clock);
    List<TableEntry> tables = TableSpec.allFromConf(conf).stream().map(TableEntry::of).toList();
    List<ShardEntry> shards = new ArrayList<>();
    Random rnd = new Random(clock);
    for (TableEntry t : tables) {
      for (int r = 0; r < LAYOUT.numRanges(); r++) {
        ShardHeader h = new ShardHeader(clock, t.name(), r, LAYOUT.rangeStart(r), LAYOUT.rangeLimit(r), t.width(),
            t.stride(), t.updater());
        try (ShardWriter w = ShardWriter.create(fs, dir, h)) {
          float[] row = new float[t.stride()];
          for (int i = 0; i < 20; i++) {
            long key = r == 0 ? rnd.nextLong() >>> 1 : rnd.nextLong() | Long.MIN_VALUE;
            row[0] = i;
            w.write(key, row, 0);
          }
          shards.add(w.finish());
        }
      }
    }
    new CheckpointManifest(clock, 1_700_000_000_000L, LAYOUT, tables, shards).commit(fs, dir);
    return dir;
  }
}
