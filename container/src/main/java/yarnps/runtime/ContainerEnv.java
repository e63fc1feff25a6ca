package yarnps.runtime;

import java.util.Map;
import yarnps.thrift.Role;

/**
 * The environment the AM gives each server and worker container. These names are the contract
 * between {@code yarnps.appmaster} (which sets them) and the container mains (which read them).
 */
public record ContainerEnv(Role role, int index, String amHost, int amPort, String containerId, String jobConf) {

  public static final String ROLE = "YARNPS_ROLE";
  public static final String INDEX = "YARNPS_INDEX";
  public static final String AM_HOST = "YARNPS_AM_HOST";
  public static final String AM_PORT = "YARNPS_AM_PORT";
  /**
   * The job's staging directory (a fully qualified path on the cluster file system). Every AM
   * attempt writes its coordinator address there, {@link #AM_ADDRESS_FILE}, so that containers find
   * a new attempt after the AM was lost.
   */
  public static final String STAGING_DIR = "YARNPS_STAGING_DIR";
  /**
   * File in the staging directory holding the current AM attempt's coordinator address as one line
   * {@code host:port}; replaced atomically (written to a temporary file, then renamed).
   */
  public static final String AM_ADDRESS_FILE = "am.address";
  /** File in the staging directory where the AM keeps the job's state for its next attempt (JSON). */
  public static final String AM_STATE_FILE = "am-state.json";
  /** Set by the NodeManager for every container. */
  public static final String CONTAINER_ID = "CONTAINER_ID";
  /** File name of the localized job configuration in the container's working directory. */
  public static final String JOB_CONF_FILE = "job.xml";
  public static final String FRAMEWORK_JAR_FILE = "yarnps.jar";
  public static final String JOB_JAR_FILE = "job.jar";

  /** Reads the container environment, failing with the name of the first missing or bad variable. */
  public static ContainerEnv from(Map<String, String> env) {
    return new ContainerEnv(
        Role.valueOf(require(env, ROLE)),
        parseInt(env, INDEX),
        require(env, AM_HOST),
        parseInt(env, AM_PORT),
        env.getOrDefault(CONTAINER_ID, "unknown"),
        env.getOrDefault("YARNPS_JOB_CONF", JOB_CONF_FILE));
  }

  private static String require(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalStateException("environment variable " + name + " is not set (not started by the yarn-ps AM?)");
    }
    return v;
  }

  private static int parseInt(Map<String, String> env, String name) {
    String v = require(env, name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("environment variable " + name + "=" + v + " is not an integer", e);
    }
  }
}
