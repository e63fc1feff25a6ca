package yarnps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.conf.ConfigException;

/** {@code submit --restore-from}: which checkpoints a job may start from, on real checkpoint files. */
class RestoreCheckTest {
  @TempDir
  java.nio.file.Path tmp;

  private FileSystem fs;
  private Path root;
  private final Configuration job = TestCheckpoints.jobConf("w:1:ftrl,v:4:sgd");

  @BeforeEach
  void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    root = new Path(tmp.toUri().toString(), "checkpoints");
  }

  private String refused(Configuration conf, Path dir) {
    return assertThrows(ConfigException.class, () -> RestoreCheck.check(conf, dir.toString())).getMessage();
  }

  @Test
  void aMatchingCheckpointIsAcceptedAsItsQualifiedPath() throws Exception {
    Path dir = TestCheckpoints.write(fs, root, 40, job);
    assertEquals(fs.makeQualified(dir).toString(), RestoreCheck.check(job, dir.toUri().getPath()));
  }

  @Test
  void aDirectoryWithoutManifestIsRefused() throws Exception {
    Path dir = TestCheckpoints.write(fs, root, 40, job);
    fs.delete(new Path(dir, CheckpointFormat.MANIFEST), false);
    String m = refused(job, dir);
    assertTrue(m.contains("is not a checkpoint (it has no _MANIFEST; an incomplete checkpoint"), m);
    assertTrue(refused(job, new Path(tmp.toUri().toString(), "nothing")).endsWith(": no such directory"));
  }

  @Test
  void theRootOfCheckpointsIsRefusedNamingTheNewestOne() throws Exception {
    TestCheckpoints.write(fs, root, 40, job);
    Path newest = TestCheckpoints.write(fs, root, 80, job);
    String m = refused(job, root);
    assertTrue(m.contains("it holds checkpoints, give one of them, e.g. " + fs.makeQualified(newest)), m);
  }

  @Test
  void aCorruptManifestOrAMissingShardIsRefusedNamingIt() throws Exception {
    Path dir = TestCheckpoints.write(fs, root, 40, job);
    Path manifest = new Path(dir, CheckpointFormat.MANIFEST);
    byte[] good;
    try (var in = fs.open(manifest)) {
      good = in.readAllBytes();
    }
    try (OutputStream os = fs.create(manifest, true)) {
      os.write("{\"format\":\"yarnps-checkpoint\",\"version\":1,".getBytes(StandardCharsets.UTF_8));
    }
    String m = refused(job, dir);
    assertTrue(m.contains(": invalid checkpoint: ") && m.contains("_MANIFEST"), m);
    try (OutputStream os = fs.create(manifest, true)) {
      os.write(good);
    }
    fs.delete(new Path(dir, "v/00001.shard"), false);
    m = refused(job, dir);
    assertTrue(m.contains(": damaged checkpoint: ") && m.contains("v/00001.shard"), m);
  }

  @Test
  void tablesThatDoNotMatchAreNamedOneByOne() throws Exception {
    Path dir = TestCheckpoints.write(fs, root, 40, TestCheckpoints.jobConf("w:1:sgd,v:2:sgd,u:1:add"));
    Configuration other = TestCheckpoints.jobConf("w:1:ftrl,v:4:sgd,x:1:add");
    String m = refused(other, dir);
    assertTrue(m.contains("(clock 40) does not fit the job's tables: "), m);
    assertTrue(m.contains("table 'w' has updater ftrl in the job (yarnps.table.w.updater) but sgd in the checkpoint"), m);
    assertTrue(m.contains("table 'v' has width 4 in the job (yarnps.table.v.width) but 2 in the checkpoint"), m);
    assertTrue(m.contains("the job's table 'x' is not in the checkpoint (it has [w, v, u])"), m);
    assertTrue(m.contains("the checkpoint's table 'u' is not in the job's yarnps.tables=w,v,x"), m);
  }

  @Test
  void submitNeedsADirectoryAfterRestoreFrom() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    YarnPsClient client = new YarnPsClient(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    client.setConf(new Configuration(false));
    assertEquals(YarnPsClient.EXIT_USAGE, client.run(new String[] {"submit", "--restore-from"}));
    assertTrue(err.toString().contains("--restore-from needs a checkpoint directory"), err.toString());
  }
}
