package yarnps.client;

import java.io.File;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import yarnps.conf.PsKeys;

/**
 * An in-process HDFS (MiniDFSCluster, one DataNode) and YARN (MiniYARNCluster, one NodeManager),
 * for the embedded demo and the integration tests. Jobs are submitted to it exactly as to a real
 * cluster; containers run as separate JVMs whose classpath is this JVM's.
 */
public final class EmbeddedCluster implements AutoCloseable {
  /** Guice warns through java.util.logging that the RM and NM web apps share a filter; harmless here. */
  private static final java.util.logging.Logger QUIET_JUL = java.util.logging.Logger.getLogger("com.google.inject.servlet");

  private final MiniDFSCluster dfs;
  private final MiniYARNCluster yarn;
  private final Configuration conf;

  private EmbeddedCluster(MiniDFSCluster dfs, MiniYARNCluster yarn, Configuration conf) {
    this.dfs = dfs;
    this.yarn = yarn;
    this.conf = conf;
  }

  /**
   * Starts both clusters with their data under {@code baseDir}; the NodeManager offers
   * {@code nmMemoryMb} of memory and {@code nmVcores} cores to containers.
   */
  public static EmbeddedCluster start(File baseDir, int nmMemoryMb, int nmVcores) throws IOException {
    File tmp = new File(baseDir, "tmp");
    if (!tmp.isDirectory() && !tmp.mkdirs()) {
      throw new IOException("cannot create " + tmp);
    }
    System.setProperty("java.io.tmpdir", tmp.getAbsolutePath());
    // MiniYARNCluster keeps its NodeManager dirs and container logs under test.build.data.
    System.setProperty("test.build.data", new File(baseDir, "yarn").getAbsolutePath());
    QUIET_JUL.setLevel(java.util.logging.Level.SEVERE);
    Configuration hdfsConf = new HdfsConfiguration();
    hdfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(baseDir, "hdfs").getAbsolutePath());
    hdfsConf.setLong("dfs.blocksize", 8L << 20);
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(hdfsConf).numDataNodes(1).format(true).build();
    dfs.waitActive();

    YarnConfiguration yconf = new YarnConfiguration(dfs.getConfiguration(0));
    yconf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
    yconf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    yconf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, nmMemoryMb);
    yconf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", nmMemoryMb);
    yconf.setInt(YarnConfiguration.NM_PMEM_MB, nmMemoryMb);
    yconf.setInt(YarnConfiguration.NM_VCORES, nmVcores);
    yconf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, nmVcores);
    yconf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    yconf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    yconf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
    yconf.setLong(YarnConfiguration.NM_MIN_PER_DISK_FREE_SPACE_MB, 0);
    yconf.setLong(YarnConfiguration.NM_SLEEP_DELAY_BEFORE_SIGKILL_MS, 100);
    yconf.setLong(YarnConfiguration.NM_PROCESS_KILL_WAIT_MS, 100);
    yconf.setLong(YarnConfiguration.NM_LOG_RETAIN_SECONDS, 3600);
    yconf.setLong(YarnConfiguration.DEBUG_NM_DELETE_DELAY_SEC, 0);
    // The scheduler hands out containers as NodeManagers heartbeat, and learns of exited ones then:
    // a lost container is replaced sooner (a real cluster's default is 1 s).
    yconf.setLong(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 250);
    // Application priorities 0..10, so yarnps.app.priority shows as on a cluster that allows them.
    yconf.setInt(YarnConfiguration.MAX_CLUSTER_LEVEL_APPLICATION_PRIORITY, 10);
    MiniYARNCluster yarn = new MiniYARNCluster("yarnps-embedded", 1, 1, 1);
    try {
      yarn.init(yconf);
      yarn.start();
    } catch (RuntimeException e) {
      dfs.shutdown();
      throw e;
    }
    Configuration conf = new YarnConfiguration(yarn.getConfig());
    conf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
    // An HDFS client polls the NameNode when it closes a file, first after this delay (400 ms by
    // default): on one busy machine that dominates writing many small files (checkpoint shards).
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    conf.set(PsKeys.EXTRA_CLASSPATH.name(), System.getProperty("java.class.path"));
    conf.set(PsKeys.JAVA_HOME.name(), System.getProperty("java.home"));
    return new EmbeddedCluster(dfs, yarn, conf);
  }

  /** Configuration pointing at both clusters, with the container classpath set for this JVM. */
  public Configuration conf() {
    return new Configuration(conf);
  }

  /** Where YARN keeps container logs (stdout, stderr) of the embedded NodeManager. */
  public File containerLogs() {
    return new File(yarn.getNodeManager(0).getConfig().get(YarnConfiguration.NM_LOG_DIRS).split(",")[0]);
  }

  /** The ResourceManager web UI address. */
  public String rmWebUrl() {
    return "http://" + conf.get(YarnConfiguration.RM_WEBAPP_ADDRESS);
  }

  /**
   * An application's tracking page through the ResourceManager's web proxy. (Its report's tracking
   * URL names port 0 here: the RM computed it before its web server picked a port.)
   */
  public String proxyUrl(String applicationId) {
    return rmWebUrl() + "/proxy/" + applicationId + "/";
  }

  public MiniDFSCluster dfs() {
    return dfs;
  }

  public MiniYARNCluster yarn() {
    return yarn;
  }

  @Override
  public void close() {
    yarn.stop();
    dfs.shutdown();
  }
}
