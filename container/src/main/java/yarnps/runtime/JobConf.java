package yarnps.runtime;

import java.io.File;
import java.net.MalformedURLException;
import org.apache.hadoop.conf.Configuration;

/** Loads the job configuration that the client wrote and YARN localized into the working directory. */
public final class JobConf {
  private JobConf() {}

  public static Configuration load(String file) {
    File f = new File(file);
    if (!f.isFile()) {
      throw new IllegalStateException("job configuration " + f.getAbsolutePath() + " not found");
    }
    Configuration conf = new Configuration();
    try {
      conf.addResource(f.toURI().toURL());
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
    return conf;
  }

  /** A container's environment and job configuration, read at start-up. */
  public record Startup(ContainerEnv env, Configuration conf) {}

  /**
   * Reads the container environment and the localized job configuration; on failure logs why and
   * exits the JVM with {@link ExitCodes#STARTUP_FAILED}, so YARN reports a named exit code.
   */
  public static Startup startOrExit(String role) {
    try {
      ContainerEnv env = ContainerEnv.from(System.getenv());
      return new Startup(env, load(env.jobConf()));
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(JobConf.class).error("{} cannot start", role, e);
      System.exit(ExitCodes.STARTUP_FAILED);
      throw new IllegalStateException("unreachable", e);
    }
  }

  /** The host name this container advertises: the part before any '/' (NetUtils may add the IP). */
  public static String localHost() {
    String h = org.apache.hadoop.net.NetUtils.getHostname();
    int slash = h.indexOf('/');
    return slash >= 0 ? h.substring(0, slash) : h;
  }
}
