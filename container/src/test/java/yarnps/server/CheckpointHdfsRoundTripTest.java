package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yarnps.checkpoint.CheckpointReader;
import yarnps.common.HashRing;

/** Servers checkpoint to HDFS (MiniDFSCluster, one DataNode) and other servers restore from it. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CheckpointHdfsRoundTripTest {
  private static File base;
  private static MiniDFSCluster cluster;
  private final List<ServerGroup> groups = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    File target = new File(CheckpointHdfsRoundTripTest.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).getParentFile();
    base = Files.createTempDirectory(target.toPath(), "ckpt-server-hdfs-").toFile();
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "hdfs").getAbsolutePath());
    conf.set("hadoop.tmp.dir", new File(base, "tmp").getAbsolutePath());
    conf.setInt("dfs.replication", 1);
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
    cluster.waitActive();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.shutdown();
    }
    if (base != null) {
      org.apache.hadoop.fs.FileUtil.fullyDelete(base);
    }
  }

  @AfterEach
  void stop() {
    groups.forEach(ServerGroup::close);
  }

  @Test
  void twoServersCheckpointToHdfsAndThreeRestoreTheSameBits() throws Exception {
    Configuration conf = CheckpointRestoreTest.conf();
    // Each server writes 2 tables x 8 ranges; a close() otherwise waits 400 ms for the NameNode.
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    long[] all = CheckpointRestoreTest.keys();
    ServerGroup original = new ServerGroup(conf, 2, 1);
    groups.add(original);
    CheckpointRestoreTest.train(original, all, 4, 5);
    Path root = new Path(cluster.getFileSystem().getUri().toString() + "/jobs/a/checkpoints");
    Path dir = original.checkpoint(1, root);
    FileSystem fs = cluster.getFileSystem();
    assertEquals(4, new CheckpointReader(fs).open(dir).clock());
    assertEquals(2 * original.layout.numRanges(), new CheckpointReader(fs).open(dir).manifest().shards().size());

    ServerGroup restored = new ServerGroup(conf, 3, 1);
    groups.add(restored);
    CheckpointRestoreTest.restore(restored, dir, HashRing.build(2, 3, 8, 31));
    assertArrayEquals(CheckpointRestoreTest.bits(original.clients.get(0).pull("w", all).get()),
        CheckpointRestoreTest.bits(restored.client(0).pull("w", all).get()));
    assertArrayEquals(CheckpointRestoreTest.bits(original.clients.get(0).pull("b", all).get()),
        CheckpointRestoreTest.bits(restored.clients.get(0).pull("b", all).get()));
    Path again = restored.checkpoint(1, new Path(root, "again"));
    assertEquals(CheckpointRestoreTest.rows(fs, dir, "w"), CheckpointRestoreTest.rows(fs, again, "w"));
  }
}
