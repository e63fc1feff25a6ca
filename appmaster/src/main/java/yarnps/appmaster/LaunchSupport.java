package yarnps.appmaster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.ApplicationConstants.Environment;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.LocalResourceType;
import org.apache.hadoop.yarn.api.records.LocalResourceVisibility;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.util.Records;
import yarnps.conf.PsKeys;
import yarnps.runtime.ContainerEnv;

/**
 * What the client (for the AM) and the AM (for servers and workers) both need to launch a yarn-ps
 * JVM: the staged files as local resources, the classpath, the java command line, and tokens.
 */
public final class LaunchSupport {
  private LaunchSupport() {}

  /** Environment variable naming the job's HDFS staging directory, set by the client for the AM. */
  public static final String STAGING_DIR_ENV = "YARNPS_STAGING_DIR";
  /** Log4j2 configuration on the yarnps jar's classpath for container JVMs. */
  public static final String LOG_CONFIG = "yarnps-container-log4j2.xml";

  /** Staging subdirectory of the files that -libjars and -files named. */
  public static final String EXTRA_FILES_DIR = "files";
  /** Names in a container's working directory that yarn-ps itself uses. */
  public static final java.util.Set<String> RESERVED_NAMES =
      java.util.Set.of(ContainerEnv.FRAMEWORK_JAR_FILE, ContainerEnv.JOB_JAR_FILE, ContainerEnv.JOB_CONF_FILE);

  /**
   * The staged framework jar, job jar and job configuration under their fixed names, and the
   * -libjars / -files files under their own names, as local resources.
   */
  public static Map<String, LocalResource> stagedResources(Configuration conf, Path stagingDir) throws IOException {
    FileSystem fs = stagingDir.getFileSystem(conf);
    Map<String, LocalResource> out = new HashMap<>();
    for (String name : RESERVED_NAMES) {
      out.put(name, resource(fs, new Path(stagingDir, name)));
    }
    Path extra = new Path(stagingDir, EXTRA_FILES_DIR);
    if (fs.exists(extra)) {
      for (FileStatus st : fs.listStatus(extra)) {
        out.put(st.getPath().getName(), resource(fs, st.getPath()));
      }
    }
    return out;
  }

  static LocalResource resource(FileSystem fs, Path path) throws IOException {
    FileStatus st = fs.getFileStatus(path);
    LocalResource r = Records.newRecord(LocalResource.class);
    r.setResource(org.apache.hadoop.yarn.api.records.URL.fromPath(fs.makeQualified(path)));
    r.setSize(st.getLen());
    r.setTimestamp(st.getModificationTime());
    r.setType(LocalResourceType.FILE);
    r.setVisibility(LocalResourceVisibility.APPLICATION);
    return r;
  }

  /** CLASSPATH for a container: its working dir and staged jars, then the cluster's, then any extra entries. */
  public static Map<String, String> environment(Configuration conf) {
    List<String> cp = new ArrayList<>();
    cp.add(Environment.PWD.$$());
    cp.add(Environment.PWD.$$() + "/" + ContainerEnv.FRAMEWORK_JAR_FILE);
    cp.add(Environment.PWD.$$() + "/" + ContainerEnv.JOB_JAR_FILE);
    cp.add(Environment.PWD.$$() + "/*");
    for (String entry : conf.getStrings(YarnConfiguration.YARN_APPLICATION_CLASSPATH,
        YarnConfiguration.DEFAULT_YARN_CROSS_PLATFORM_APPLICATION_CLASSPATH)) {
      cp.add(entry.trim());
    }
    String extra = PsKeys.EXTRA_CLASSPATH.get(conf);
    if (!extra.isEmpty()) {
      cp.add(extra);
    }
    Map<String, String> env = new HashMap<>();
    env.put(Environment.CLASSPATH.name(), String.join(ApplicationConstants.CLASS_PATH_SEPARATOR, cp));
    String javaHome = PsKeys.JAVA_HOME.get(conf);
    if (!javaHome.isEmpty()) {
      env.put(Environment.JAVA_HOME.name(), javaHome);
    }
    return env;
  }

  /** The java command line of a container whose memory is memoryMb, logging to the container's log dir. */
  public static List<String> javaCommand(Configuration conf, String mainClass, int memoryMb) {
    int heapMb = Math.max(64, (int) (memoryMb * PsKeys.HEAP_FRACTION.get(conf)));
    String opts = PsKeys.JAVA_OPTS.get(conf);
    String cmd = Environment.JAVA_HOME.$$() + "/bin/java -Xmx" + heapMb + "m"
        + " -Djava.net.preferIPv4Stack=true -XX:+ExitOnOutOfMemoryError"
        + " -Dlog4j2.configurationFile=" + LOG_CONFIG
        + " -Dyarn.app.container.log.dir=" + ApplicationConstants.LOG_DIR_EXPANSION_VAR
        + (opts.isEmpty() ? "" : " " + opts)
        + " " + mainClass
        + " 1>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stdout"
        + " 2>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stderr";
    return List.of(cmd);
  }

  /** Serializes credentials for a launch context. */
  public static ByteBuffer tokens(Credentials credentials) throws IOException {
    DataOutputBuffer dob = new DataOutputBuffer();
    credentials.writeTokenStorageToStream(dob);
    return ByteBuffer.wrap(dob.getData(), 0, dob.getLength());
  }
}
