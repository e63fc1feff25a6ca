package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone tool, on checkpoints on the local file system. */
class CheckpointDumpTest {
  @TempDir
  java.nio.file.Path tmp;
  private FileSystem fs;
  private Path root;
  private Map<String, TreeMap<Long, float[]>> rows;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    root = new Path(tmp.toUri().toString(), "checkpoints");
    CheckpointFixture.writeTiny(fs, root, 5).commit(fs, CheckpointFormat.dir(root, 5));
    rows = CheckpointFixture.commit(fs, root, 9, 200);
    CheckpointFixture.writeTiny(fs, root, 11);
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return CheckpointDump.run(args, new Configuration(), out, new PrintWriter(err, true));
  }

  private List<String> lines() {
    return out.toString().isEmpty() ? List.of() : List.of(out.toString().split("\n"));
  }

  @Test
  void listShowsEveryCheckpointDirectoryNewestFirst() {
    assertEquals(CheckpointDump.EXIT_OK, run("list", root.toString()));
    List<String> l = lines();
    assertEquals(3, l.size(), out.toString());
    assertEquals("ckpt-0000000000000000011  clock=11  incomplete (no _MANIFEST)", l.get(0));
    long total = rows.values().stream().mapToLong(Map::size).sum();
    assertTrue(l.get(1).startsWith("ckpt-0000000000000000009  clock=9  created=2026-01-01T00:00:00.009Z  "
        + "tables=w:3:ftrl,b:1:adagrad,c:1:add  ranges=4  shards=12  rows=" + total + "  bytes="), l.get(1));
    assertTrue(l.get(2).startsWith("ckpt-0000000000000000005  clock=5  "), l.get(2));
  }

  @Test
  void verifyPrintsEveryShardOrTheCorruptOne() throws IOException {
    String dir = CheckpointFormat.dir(root, 9).toString();
    assertEquals(CheckpointDump.EXIT_OK, run("verify", dir));
    List<String> l = lines();
    assertEquals(13, l.size());
    assertTrue(l.get(0).startsWith("OK w/00000.shard rows="), l.get(0));
    assertTrue(l.get(12).startsWith("OK checkpoint "), l.get(12));

    Path shard = new Path(CheckpointFormat.dir(root, 9), "b/00002.shard");
    CheckpointFixture.flipByte(fs, shard, (int) fs.getFileStatus(shard).getLen() - 22);
    assertEquals(CheckpointDump.EXIT_BAD_CHECKPOINT, run("verify", dir));
    assertTrue(err.toString().startsWith("CORRUPT b/00002.shard: checksum mismatch"), err.toString());
  }

  @Test
  void dumpPrintsKeysAndWeightsInRangeOrder() {
    String dir = CheckpointFormat.dir(root, 9).toString();
    assertEquals(CheckpointDump.EXIT_OK, run("dump", dir, "w"));
    List<String> l = lines();
    TreeMap<Long, float[]> w = rows.get("w");
    assertEquals(w.size(), l.size());
    List<Long> keys = new ArrayList<>();
    for (String line : l) {
      String[] kv = line.split("\t");
      long key = Long.parseUnsignedLong(kv[0]);
      keys.add(key);
      float[] row = w.get(key);
      assertEquals(row[0] + "," + row[1] + "," + row[2], kv[1], "weights only, not the FTRL state");
    }
    for (int i = 1; i < keys.size(); i++) {
      int r0 = CheckpointFixture.LAYOUT.rangeOf(keys.get(i - 1));
      int r1 = CheckpointFixture.LAYOUT.rangeOf(keys.get(i));
      assertTrue(r0 <= r1, "shards in range order");
    }
    assertTrue(keys.contains(-1L) && keys.contains(0L) && keys.contains(Long.MIN_VALUE));
    assertTrue(out.toString().contains("18446744073709551615\t"), "keys in unsigned decimal");

    assertEquals(CheckpointDump.EXIT_OK, run("dump", dir, "c", "7"));
    assertEquals(7, lines().size());
    assertEquals(CheckpointDump.EXIT_OK, run("dump", dir, "c", "0"));
    assertEquals(0, lines().size());
  }

  @Test
  void badUsageAndMissingThingsExitWithTheirCodes() {
    String dir = CheckpointFormat.dir(root, 9).toString();
    assertEquals(CheckpointDump.EXIT_USAGE, run());
    assertEquals(CheckpointDump.EXIT_USAGE, run("list"));
    assertEquals(CheckpointDump.EXIT_USAGE, run("frobnicate", dir));
    assertEquals(CheckpointDump.EXIT_USAGE, run("verify", dir, "extra"));
    assertEquals(CheckpointDump.EXIT_USAGE, run("dump", dir, "w", "-3"));
    assertTrue(err.toString().contains("max rows must be an integer >= 0"), err.toString());
    assertEquals(CheckpointDump.EXIT_BAD_CHECKPOINT, run("dump", dir, "nope"));
    assertTrue(err.toString().contains("has no table 'nope'"), err.toString());
    assertEquals(CheckpointDump.EXIT_BAD_CHECKPOINT, run("verify", CheckpointFormat.dir(root, 11).toString()));
    assertTrue(err.toString().startsWith("CheckpointDump: "), err.toString());
    assertEquals(CheckpointDump.EXIT_OK, run("list", new Path(root, "nowhere").toString()));
    assertEquals(List.of(), lines());
  }
}
