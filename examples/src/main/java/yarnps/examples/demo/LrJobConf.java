package yarnps.examples.demo;

import org.apache.hadoop.conf.Configuration;
import yarnps.conf.PsKeys;

/** The logistic-regression job settings the demo and the integration test submit. */
public final class LrJobConf {
  private LrJobConf() {}

  /**
   * Adds the LR job to a cluster configuration: FTRL-Proximal with mild L1/L2, the given inputs
   * and output, small containers that fit one machine.
   */
  public static Configuration of(Configuration cluster, String yarnpsJar, String jobJar, String train,
      String test, String output, int servers, int workers, int epochs) {
    Configuration conf = new Configuration(cluster);
    conf.set(PsKeys.APP_NAME.name(), "lr-demo");
    conf.set(PsKeys.FRAMEWORK_JAR.name(), yarnpsJar);
    conf.set(PsKeys.JOB_JAR.name(), jobJar);
    conf.set(PsKeys.JOB_CLASS.name(), "yarnps.examples.lr.LogisticRegression");
    conf.set(PsKeys.INPUT_TRAIN.name(), train);
    if (test != null) {
      conf.set(PsKeys.INPUT_TEST.name(), test);
    }
    conf.set(PsKeys.OUTPUT.name(), output);
    conf.setInt(PsKeys.SERVERS.name(), servers);
    conf.setInt(PsKeys.WORKERS.name(), workers);
    conf.setInt(PsKeys.AM_MEMORY_MB.name(), 256);
    conf.setInt(PsKeys.SERVER_MEMORY_MB.name(), 384);
    conf.setInt(PsKeys.WORKER_MEMORY_MB.name(), 512);
    conf.setInt(PsKeys.HEARTBEAT_MS.name(), 500);
    conf.setInt(PsKeys.POLL_MS.name(), 500);
    conf.set(PsKeys.TABLES.name(), "w");
    conf.set("yarnps.table.w.updater", "ftrl");
    conf.set("yarnps.table.w.ftrl.alpha", "0.1");
    conf.set("yarnps.table.w.ftrl.beta", "1.0");
    conf.set("yarnps.table.w.l1", "0.1");
    conf.set("yarnps.table.w.l2", "1.0");
    conf.setInt("lr.epochs", epochs);
    return conf;
  }
}
