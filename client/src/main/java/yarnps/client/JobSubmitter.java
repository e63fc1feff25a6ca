package yarnps.client;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.client.api.YarnClientApplication;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.appmaster.AppMaster;
import yarnps.appmaster.LaunchSupport;
import yarnps.conf.ConfigException;
import yarnps.conf.PsKeys;
import yarnps.runtime.ContainerEnv;

/**
 * Submits a validated job: stages the yarnps jar, the job jar and the job configuration in
 * {@code <staging>/<appId>/} on the cluster file system, builds the AM's launch context and
 * submits the application.
 */
public final class JobSubmitter {
  private static final Logger LOG = LoggerFactory.getLogger(JobSubmitter.class);

  /** The YARN application type of yarn-ps jobs. */
  public static final String APP_TYPE = "YARNPS";

  private final Configuration conf;
  private final YarnClient yarn;

  public JobSubmitter(Configuration conf, YarnClient yarn) {
    this.conf = conf;
    this.yarn = yarn;
  }

  /** Submits and returns the application id; the job must have passed {@link JobValidator}. */
  public ApplicationId submit() throws IOException, YarnException {
    YarnClientApplication app = yarn.createApplication();
    Resource max = app.getNewApplicationResponse().getMaximumResourceCapability();
    checkFits(max);
    ApplicationSubmissionContext ctx = app.getApplicationSubmissionContext();
    ApplicationId appId = ctx.getApplicationId();

    FileSystem fs = FileSystem.get(conf);
    Path staging = stagingDir(fs, appId);
    fs.mkdirs(staging, new FsPermission((short) 0700));
    fs.copyFromLocalFile(false, true, new Path(frameworkJar().getAbsolutePath()),
        new Path(staging, ContainerEnv.FRAMEWORK_JAR_FILE));
    fs.copyFromLocalFile(false, true, new Path(new File(PsKeys.JOB_JAR.require(conf)).getAbsolutePath()),
        new Path(staging, ContainerEnv.JOB_JAR_FILE));
    stageGenericOptionFiles(fs, staging);
    try (OutputStream os = fs.create(new Path(staging, ContainerEnv.JOB_CONF_FILE), true)) {
      conf.writeXml(os);
    }
    LOG.info("staged job in {}", staging);

    Map<String, String> env = new HashMap<>(LaunchSupport.environment(conf));
    env.put(LaunchSupport.STAGING_DIR_ENV, staging.toString());
    int amMemory = PsKeys.AM_MEMORY_MB.get(conf);
    ContainerLaunchContext am = ContainerLaunchContext.newInstance(
        LaunchSupport.stagedResources(conf, staging), env,
        LaunchSupport.javaCommand(conf, AppMaster.class.getName(), amMemory), null, tokens(fs), null);

    ctx.setApplicationName(PsKeys.APP_NAME.get(conf));
    ctx.setApplicationType(APP_TYPE);
    ctx.setQueue(PsKeys.QUEUE.get(conf));
    ctx.setResource(Resource.newInstance(amMemory, PsKeys.AM_VCORES.get(conf)));
    ctx.setMaxAppAttempts(PsKeys.MAX_APP_ATTEMPTS.get(conf));
    // A new AM attempt takes the running servers and workers over instead of starting the job again.
    ctx.setKeepContainersAcrossApplicationAttempts(true);
    ctx.setApplicationTags(ClientKeys.TAGS.get(conf));
    ctx.setPriority(Priority.newInstance(ClientKeys.PRIORITY.get(conf)));
    ctx.setAMContainerSpec(am);
    yarn.submitApplication(ctx);
    return appId;
  }

  /**
   * Ships what {@code -libjars} and {@code -files} named (GenericOptionsParser records them as
   * {@code tmpjars} / {@code tmpfiles}) into the staging dir; every container gets them in its
   * working directory, the jars on its classpath.
   */
  private void stageGenericOptionFiles(FileSystem fs, Path staging) throws IOException {
    for (String key : new String[] {"tmpjars", "tmpfiles"}) {
      String list = conf.get(key, "");
      for (String uri : list.split(",")) {
        if (uri.isBlank()) {
          continue;
        }
        Path src = new Path(uri.trim());
        String name = src.getName();
        if (LaunchSupport.RESERVED_NAMES.contains(name)) {
          throw new ConfigException("-" + (key.equals("tmpjars") ? "libjars" : "files") + " " + uri
              + ": the name " + name + " is reserved by yarn-ps");
        }
        Path dst = new Path(new Path(staging, LaunchSupport.EXTRA_FILES_DIR), name);
        org.apache.hadoop.fs.FileUtil.copy(src.getFileSystem(conf), src, fs, dst, false, conf);
      }
    }
  }

  private void checkFits(Resource max) {
    check(PsKeys.AM_MEMORY_MB.name(), PsKeys.AM_MEMORY_MB.get(conf), max.getMemorySize(), "MB");
    check(PsKeys.SERVER_MEMORY_MB.name(), PsKeys.SERVER_MEMORY_MB.get(conf), max.getMemorySize(), "MB");
    check(PsKeys.WORKER_MEMORY_MB.name(), PsKeys.WORKER_MEMORY_MB.get(conf), max.getMemorySize(), "MB");
    check(PsKeys.AM_VCORES.name(), PsKeys.AM_VCORES.get(conf), max.getVirtualCores(), "vcores");
    check(PsKeys.SERVER_VCORES.name(), PsKeys.SERVER_VCORES.get(conf), max.getVirtualCores(), "vcores");
    check(PsKeys.WORKER_VCORES.name(), PsKeys.WORKER_VCORES.get(conf), max.getVirtualCores(), "vcores");
  }

  private static void check(String key, long want, long max, String unit) {
    if (want > max) {
      throw new ConfigException(key + "=" + want + " exceeds the cluster's maximum container size of " + max + " " + unit);
    }
  }

  private Path stagingDir(FileSystem fs, ApplicationId appId) {
    String root = PsKeys.STAGING_DIR.get(conf);
    Path base = root.isEmpty() ? new Path(fs.getHomeDirectory(), ".yarnps") : new Path(root);
    return fs.makeQualified(new Path(base, appId.toString()));
  }

  /** The yarnps jar to ship: yarnps.framework.jar, or the jar this class was loaded from. */
  File frameworkJar() {
    String configured = PsKeys.FRAMEWORK_JAR.get(conf);
    File jar;
    if (!configured.isEmpty()) {
      jar = new File(configured);
    } else {
      try {
        jar = new File(JobSubmitter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (java.net.URISyntaxException | NullPointerException e) {
        throw new ConfigException(PsKeys.FRAMEWORK_JAR.name() + " is not set and the client's jar cannot be found");
      }
    }
    if (!jar.isFile() || !jar.getName().endsWith(".jar")) {
      throw new ConfigException(PsKeys.FRAMEWORK_JAR.name() + ": " + jar + " is not a jar file"
          + (configured.isEmpty() ? " (the client runs from classes; set yarnps.framework.jar to the built yarnps jar)" : ""));
    }
    return jar;
  }

  /** HDFS delegation tokens for the AM and containers when Kerberos is on; empty otherwise. */
  private java.nio.ByteBuffer tokens(FileSystem fs) throws IOException {
    Credentials creds = new Credentials();
    if (UserGroupInformation.isSecurityEnabled()) {
      String renewer = conf.get(YarnConfiguration.RM_PRINCIPAL);
      if (renewer == null || renewer.isEmpty()) {
        throw new ConfigException(YarnConfiguration.RM_PRINCIPAL + " must be set on a secure cluster");
      }
      fs.addDelegationTokens(renewer, creds);
    }
    return LaunchSupport.tokens(creds);
  }
}
