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
