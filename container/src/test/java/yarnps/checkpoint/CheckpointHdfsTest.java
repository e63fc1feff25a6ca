package yarnps.checkpoint;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The checkpoint store on HDFS: one MiniDFSCluster (one DataNode) for the whole class. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CheckpointHdfsTest extends CheckpointStoreContract {
  private static File base;
  private static MiniDFSCluster cluster;
  private static FileSystem fs;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @BeforeAll
  static void startCluster() throws IOException, URISyntaxException {
    File target = new File(CheckpointHdfsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParentFile();
    base = Files.createTempDirectory(target.toPath(), "ckpt-hdfs-").toFile();
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "hdfs").getAbsolutePath());
    conf.set("hadoop.tmp.dir", new File(base, "tmp").getAbsolutePath());
    conf.setInt("dfs.replication", 1);
    // A client's close() polls the NameNode until the DataNode has reported the last block, first
    // after this delay (default 400 ms): that, not the checkpoint code, dominates the time of tests
    // writing many small shards.
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
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

  @Override
  FileSystem fs() {
    return fs;
  }

  @Override
  Path newRoot() {
    return new Path("/checkpoints-" + ROOTS.incrementAndGet());
  }

  @Override
  String fsName() {
    return "hdfs";
  }
}
