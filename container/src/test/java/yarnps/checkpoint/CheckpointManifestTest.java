package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;
import yarnps.checkpoint.CheckpointManifest.TableEntry;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;

/** The manifest's JSON, its checks, and the names of checkpoint directories and shards. */
class CheckpointManifestTest {
  @TempDir
  java.nio.file.Path tmp;

  private static final KeyLayout LAYOUT = new KeyLayout(3, new long[] {0, Long.MIN_VALUE}, new int[] {0, 1}, 2);

  private static CheckpointManifest sample() {
    List<TableEntry> tables = List.of(
        TableEntry.of(CheckpointFixture.spec("w", 3, UpdaterKind.FTRL, "normal:0.01")),
        TableEntry.of(CheckpointFixture.spec("b", 1, UpdaterKind.ADD, "zero")));
    List<ShardEntry> shards = List.of(
        new ShardEntry("b", 1, "b/00001.shard", 0, 80, 0xFFFF_FFFFL),
        new ShardEntry("w", 0, "w/00000.shard", 1000, 44_104, 123),
        new ShardEntry("w", 1, "w/00001.shard", 5, 300, 0),
        new ShardEntry("b", 0, "b/00000.shard", 1, 92, 77));
    return new CheckpointManifest(120, 1_767_225_600_123L, LAYOUT, tables, shards);
  }

  @Test
  void jsonRoundTrip() {
    CheckpointManifest m = sample();
    String json = m.toJson();
    assertTrue(json.startsWith("{\"format\":\"yarnps-checkpoint\",\"version\":1,\"clock\":120,\"createdMs\":1767225600123,"
        + "\"layout\":{\"version\":3,\"servers\":2,\"ranges\":[{\"start\":\"0\",\"limit\":\"9223372036854775808\",\"server\":0},"
        + "{\"start\":\"9223372036854775808\",\"limit\":\"0\",\"server\":1}]},"), json);
    assertTrue(json.contains("{\"name\":\"w\",\"width\":3,\"stride\":9,\"updater\":\"ftrl\",\"params\":"
        + "{\"ftrl.alpha\":\"0.1\",\"ftrl.beta\":\"1.0\",\"l1\":\"0.001\",\"l2\":\"0.002\"},\"init\":\"normal:0.01\"}"), json);
    assertTrue(json.contains("{\"name\":\"b\",\"width\":1,\"stride\":1,\"updater\":\"add\",\"params\":{},\"init\":\"zero\"}"), json);
    assertTrue(json.contains("{\"table\":\"b\",\"range\":1,\"path\":\"b/00001.shard\",\"rows\":0,\"bytes\":80,\"crc\":4294967295}"), json);

    CheckpointManifest back = CheckpointManifest.parse(json);
    assertEquals(json, back.toJson());
    assertEquals(120, back.clock());
    assertEquals(1_767_225_600_123L, back.createdMs());
    assertEquals(3, back.layout().version());
    assertEquals(Long.MIN_VALUE, back.layout().rangeStart(1));
    assertEquals(1, back.layout().owner(1));
    assertEquals(List.of("w/00000.shard", "w/00001.shard", "b/00000.shard", "b/00001.shard"),
        back.shards().stream().map(ShardEntry::path).toList(), "tables in their order, ranges ascending");
    assertEquals(1006, back.totalRows());
    assertEquals(new ShardHeader(120, "w", 1, Long.MIN_VALUE, 0, 3, 9, "ftrl"), back.expectedHeader(back.shard("w", 1)));

    // Members in another order, white space, unknown members: the same manifest.
    String spaced = json.replace(",\"", ", \n \"").replace("{\"format\"", "{\"future\": [1, {\"x\": null}], \"format\"");
    assertEquals(json, CheckpointManifest.parse(spaced).toJson());
  }

  @Test
  void tableEntriesCarryTheUpdaterAndItsParameters() {
    for (UpdaterKind kind : UpdaterKind.values()) {
      TableSpec spec = new TableSpec("t", 2, kind, yarnps.conf.Initializer.Spec.parse("uniform:0.25"),
          0.3, 0.01, 0.02, 0.4, 0.5, 1e-7);
      TableEntry e = TableEntry.of(spec);
      TableSpec back = e.toTableSpec();
      assertEquals(kind, back.updater());
      assertEquals(2, back.width());
      assertEquals(spec.init(), back.init());
      assertEquals(kind.name().toLowerCase(java.util.Locale.ROOT), e.updater());
      switch (kind) {
        case ADD -> {
          assertEquals(Map.of(), e.params());
          assertEquals(2, e.stride());
        }
        case SGD -> {
          assertEquals(Map.of("lr", "0.3", "l1", "0.01", "l2", "0.02"), e.params());
          assertEquals(List.of(0.3, 0.01, 0.02), List.of(back.lr(), back.l1(), back.l2()));
          assertEquals(2, e.stride());
        }
        case ADAGRAD -> {
          assertEquals(Map.of("lr", "0.3", "l1", "0.01", "l2", "0.02", "adagrad.eps", "1.0E-7"), e.params());
          assertEquals(1e-7, back.adagradEps());
          assertEquals(4, e.stride());
        }
        case FTRL -> {
          assertEquals(Map.of("ftrl.alpha", "0.4", "ftrl.beta", "0.5", "l1", "0.01", "l2", "0.02"), e.params());
          assertEquals(List.of(0.4, 0.5, 0.01, 0.02), List.of(back.ftrlAlpha(), back.ftrlBeta(), back.l1(), back.l2()));
          assertEquals(0.1, back.lr(), "a parameter FTRL does not use takes its default");
          assertEquals(6, e.stride());
        }
        default -> throw new AssertionError(kind);
      }
    }
    TableEntry odd = new TableEntry("t", 1, 1, "adam", Map.of(), "zero");
    assertTrue(assertThrows(IllegalArgumentException.class, odd::toTableSpec).getMessage().contains("unknown updater 'adam'"));
    TableEntry badParam = new TableEntry("t", 1, 1, "sgd", Map.of("momentum", "0.9"), "zero");
    assertTrue(assertThrows(IllegalArgumentException.class, badParam::toTableSpec).getMessage()
        .contains("unknown updater parameter 'momentum'"));
    assertThrows(IllegalArgumentException.class, () -> new TableEntry("t", 1, 1, "sgd", Map.of(), "gauss:1"));
    assertThrows(IllegalArgumentException.class, () -> new TableEntry("t", 2, 3, "sgd", Map.of(), "zero"));
  }

  @Test
  void parseNamesTheMemberAtFault() {
    String json = sample().toJson();
    assertParseFails(json.replace("\"clock\":120", "\"clock\":\"120\""), "clock: expected an integer, got a string");
    assertParseFails(json.replace("\"clock\":120,", ""), "clock: missing");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":120.5"), "only integers are allowed here");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":1e3"), "only integers are allowed here");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":0120"), "leading zero");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":-1"), "clock must be >= 0");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":99999999999999999999"), "out of the int64 range");
    assertParseFails(json.replace("\"clock\":120", "\"clock\":120,\"clock\":121"), "member \"clock\" appears twice");
    assertParseFails(json + "x", "unexpected content after the JSON value");
    assertParseFails(json.substring(0, json.length() - 1), "unexpected end of input");
    assertParseFails("[" + json + "]", "manifest: expected an object, got an array");
    assertParseFails(json.replace("yarnps-checkpoint", "other"), "format: 'other' is not 'yarnps-checkpoint'");
    assertParseFails(json.replace("\"version\":1,\"clock\"", "\"version\":2,\"clock\""),
        "version: checkpoint format version 2, this reader knows version 1");
    assertParseFails(json.replace("\"limit\":\"9223372036854775808\"", "\"limit\":\"9223372036854775807\""),
        "layout.ranges[0].limit: 9223372036854775807 is not the next range's start 9223372036854775808");
    assertParseFails(json.replace("\"limit\":\"0\"", "\"limit\":\"5\""),
        "layout.ranges[1].limit: 5 is not 0 (2^64) for the last range");
    assertParseFails(json.replace("\"start\":\"0\"", "\"start\":\"00\""), "layout.ranges[0].start: '00' is not an unsigned");
    assertParseFails(json.replace("\"start\":\"9223372036854775808\"", "\"start\":\"18446744073709551616\""),
        "is not below 2^64");
    assertParseFails(json.replace("\"server\":1", "\"server\":2"), "layout: range 1 is held by server 2, not in [0, 2)");
    assertParseFails(json.replace("\"width\":3", "\"width\":true"), "tables[0].width: expected an integer, got a boolean");
    assertParseFails(json.replace("\"ftrl.beta\":\"1.0\"", "\"ftrl.beta\":1"), "tables[0].params.ftrl.beta: expected a string");
    assertParseFails(json.replace("\"path\":\"w/00001.shard\"", "\"path\":\"../w/00001.shard\""),
        "shards[1]: shard w/1: path '../w/00001.shard' is not a plain relative path");
    assertParseFails(json.replace("\"crc\":4294967295", "\"crc\":4294967296"), "shards[3]: shard b/00001.shard: bad rows");
    assertParseFails(json.replace("{\"table\":\"b\",\"range\":1,", "{\"table\":\"b\",\"range\":0,"),
        "table b has two shards for range 0");
    assertParseFails(json.replace("{\"table\":\"b\",\"range\":1,", "{\"table\":\"z\",\"range\":1,"),
        "shard b/00001.shard belongs to table z, which the checkpoint does not list");
    assertParseFails(json.replace("\"name\":\"b\"", "\"name\":\"w\""), "table w is listed twice");
    assertParseFails(json.replace("\"shards\":[", "\"shards\":[{\"table\":\"w\",\"range\":2,\"path\":\"w/2\",\"rows\":0,"
        + "\"bytes\":0,\"crc\":0},"), "shard w/2 is of range 2, the layout has 2 ranges");
    assertParseFails(json.replace("\"init\":\"zero\"", "\"init\":null"), "tables[1].init: expected a string, got null");
    assertParseFails(json.replace("\"b/00000.shard\"", "\"b/\\u0000.shard\""), "is not a plain relative path");
    assertParseFails(json.replace("\"b/00000.shard\"", "\"b//00000.shard\""), "is not a plain relative path");
    assertParseFails(json.replace("\"b/00000.shard\"", "\"/b/00000.shard\""), "is not a plain relative path");
    assertParseFails(json.replace("\"b/00000.shard\"", "\"b/\u0001.shard\""), "unescaped control character in a string");
    assertParseFails("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}", "nested deeper than 64");
  }

  @Test
  void constructorWantsOneShardPerTablePerRange() {
    CheckpointManifest m = sample();
    List<ShardEntry> missing = new ArrayList<>(m.shards());
    missing.remove(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CheckpointManifest(120, 0, LAYOUT, m.tables(), missing));
    assertEquals("table b has no shard for range 0 [0, 9223372036854775808)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CheckpointManifest(120, 0, LAYOUT, List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> m.table("nope"));
    assertEquals("w/00001.shard", m.shard("w", 1).path());
    assertThrows(IndexOutOfBoundsException.class, () -> m.shard("w", 2));
  }

  @Test
  void stringsWithEscapesRoundTrip() {
    Object v = StrictJson.parse(" {\"a\\n\\u00e9\\\"\": [true, false, null, -0, \"\\/\\t\"]} ");
    assertEquals("{a\né\"=[true, false, null, 0, /\t]}", v.toString());
  }

  @Test
  void readChecksTheBytesAndTheDirectoryClock() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path root = new Path(tmp.toUri().toString());
    Path dir = CheckpointFormat.dir(root, 120);
    assertThrows(FileNotFoundException.class, () -> CheckpointManifest.read(fs, dir));
    CheckpointFixture.writeBytes(fs, new Path(dir, CheckpointFormat.MANIFEST), sample().toJson().getBytes("UTF-8"));
    assertEquals(sample().toJson(), CheckpointManifest.read(fs, dir).toJson());

    Path other = CheckpointFormat.dir(root, 121);
    CheckpointFixture.writeBytes(fs, new Path(other, CheckpointFormat.MANIFEST), sample().toJson().getBytes("UTF-8"));
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointManifest.read(fs, other));
    assertEquals("_MANIFEST: clock 120 differs from the directory's ckpt-0000000000000000121", e.getMessage());

    Path renamed = new Path(root, "restore-me");
    CheckpointFixture.writeBytes(fs, new Path(renamed, CheckpointFormat.MANIFEST), sample().toJson().getBytes("UTF-8"));
    assertEquals(120, CheckpointManifest.read(fs, renamed).clock(), "a copy under another name is readable");

    byte[] latin1 = sample().toJson().replace("\"zero\"", "\"z\u00e9ro\"").getBytes("ISO-8859-1");
    CheckpointFixture.writeBytes(fs, new Path(dir, CheckpointFormat.MANIFEST), latin1);
    e = assertThrows(CorruptCheckpointException.class, () -> CheckpointManifest.read(fs, dir));
    assertEquals("_MANIFEST: not UTF-8 text", e.getMessage());
  }

  @Test
  void directoryAndShardNames() {
    assertEquals("ckpt-0000000000000000000", CheckpointFormat.dirName(0));
    assertEquals("ckpt-9223372036854775807", CheckpointFormat.dirName(Long.MAX_VALUE));
    assertEquals(120, CheckpointFormat.clockOf("ckpt-0000000000000000120"));
    assertEquals(Long.MAX_VALUE, CheckpointFormat.clockOf("ckpt-9223372036854775807"));
    assertEquals(-1, CheckpointFormat.clockOf("ckpt-9223372036854775808"));
    assertEquals(-1, CheckpointFormat.clockOf("ckpt-120"));
    assertEquals(-1, CheckpointFormat.clockOf("ckpt-0000000000000000120.tmp"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.dirName(-1));
    assertTrue(CheckpointFormat.dirName(9).compareTo(CheckpointFormat.dirName(10)) < 0, "names sort by clock");
    assertEquals("w/00007.shard", CheckpointFormat.shardPath("w", 7));
    assertEquals("w/123456.shard", CheckpointFormat.shardPath("w", 123456));
    assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.shardPath("../x", 1));
  }

  @Test
  void rootDefaultsToTheOutputsCheckpointsDirectory() {
    Configuration conf = new Configuration(false);
    assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.root(conf));
    conf.set(PsKeys.OUTPUT.name(), "hdfs:///out/lr");
    assertEquals(new Path("hdfs:///out/lr/checkpoints"), CheckpointFormat.root(conf));
    conf.set(PsKeys.CHECKPOINT_DIR.name(), "/ckpt/lr");
    assertEquals(new Path("/ckpt/lr"), CheckpointFormat.root(conf));
    assertFalse(CheckpointFormat.intersects(0, 5, 5, 0));
    assertTrue(CheckpointFormat.intersects(0, 0, -1L, 0));
    assertTrue(CheckpointFormat.intersects(Long.MIN_VALUE, 0, 0, 0));
    assertFalse(CheckpointFormat.intersects(Long.MIN_VALUE, 0, 0, Long.MIN_VALUE));
  }

  private static void assertParseFails(String json, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointManifest.parse(json),
        "expected a failure containing: " + fragment);
    assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
  }
}
