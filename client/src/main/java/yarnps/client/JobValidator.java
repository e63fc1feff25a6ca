package yarnps.client;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.appmaster.SplitPlanner;
import yarnps.conf.ConfigException;
import yarnps.conf.ConfigKey;
import yarnps.conf.PsKeys;
import yarnps.conf.TableKeys;
import yarnps.conf.TableSpec;
import yarnps.worker.api.PsJob;

/**
 * Checks a job before anything is submitted: every {@code yarnps.*} key and every key under the
 * job's own prefix must be known and parse; the job jar and class must load; the inputs must exist
 * and the output must not. Each problem is reported naming the key or path.
 */
public final class JobValidator {
  private JobValidator() {}

  /** Validates the job; throws ConfigException naming the first problem found. */
  public static void validate(Configuration conf) throws IOException {
    checkKeys(conf);
    for (ConfigKey<?> k : PsKeys.all()) {
      k.get(conf);
    }
    for (ConfigKey<?> k : ClientKeys.all()) {
      k.get(conf);
    }
    TableSpec.allFromConf(conf);
    for (ConfigKey<?> k : List.of(PsKeys.JOB_CLASS, PsKeys.JOB_JAR, PsKeys.INPUT_TRAIN, PsKeys.OUTPUT)) {
      k.require(conf);
    }
    PsJob job = loadJob(conf);
    checkJobKeys(conf, job);
    checkPaths(conf);
  }

  static void checkKeys(Configuration conf) {
    Set<String> known = new HashSet<>();
    for (ConfigKey<?> k : PsKeys.all()) {
      known.add(k.name());
    }
    for (ConfigKey<?> k : ClientKeys.all()) {
      known.add(k.name());
    }
    Set<String> tables = new HashSet<>();
    for (String t : PsKeys.TABLES.get(conf).split(",")) {
      if (!t.trim().isEmpty()) {
        tables.add(t.trim());
      }
    }
    Set<String> tableSuffixes = new HashSet<>();
    for (ConfigKey<?> k : TableKeys.all()) {
      tableSuffixes.add(k.name().substring((TableKeys.PREFIX + TableKeys.PLACEHOLDER + ".").length()));
    }
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : conf) {
      String key = e.getKey();
      if (!key.startsWith("yarnps.") || known.contains(key)) {
        continue;
      }
      if (key.startsWith(TableKeys.PREFIX)) {
        String rest = key.substring(TableKeys.PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot > 0 && tables.contains(rest.substring(0, dot)) && tableSuffixes.contains(rest.substring(dot + 1))) {
          continue;
        }
        if (dot > 0 && !tables.contains(rest.substring(0, dot))) {
          unknown.add(key + " (table '" + rest.substring(0, dot) + "' is not in yarnps.tables=" + PsKeys.TABLES.get(conf) + ")");
          continue;
        }
      }
      unknown.add(key);
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new ConfigException("unknown configuration key" + (unknown.size() > 1 ? "s: " : ": ")
          + String.join(", ", unknown) + " (see conf/yarnps-default.xml for the keys yarn-ps knows)");
    }
  }

  /** Loads the job class from the job jar, as the workers will. */
  static PsJob loadJob(Configuration conf) {
    File jar = new File(PsKeys.JOB_JAR.require(conf));
    if (!jar.isFile()) {
      throw new ConfigException("yarnps.job.jar=" + jar + ": no such file");
    }
    String name = PsKeys.JOB_CLASS.require(conf);
    try {
      URLClassLoader loader = new URLClassLoader(new URL[] {jar.toURI().toURL()}, JobValidator.class.getClassLoader());
      Class<?> cls = Class.forName(name, true, loader);
      if (!PsJob.class.isAssignableFrom(cls)) {
        throw new ConfigException("yarnps.job.class=" + name + " does not implement " + PsJob.class.getName());
      }
      return (PsJob) cls.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new ConfigException("yarnps.job.class=" + name + ": no such class in " + jar);
    } catch (ReflectiveOperationException | IOException | LinkageError e) {
      throw new ConfigException("yarnps.job.class=" + name + ": cannot instantiate: " + e);
    }
  }

  static void checkJobKeys(Configuration conf, PsJob job) {
    String prefix = job.configPrefix();
    Set<String> declared = new HashSet<>();
    for (ConfigKey<?> k : job.configKeys()) {
      declared.add(k.name());
      k.get(conf);
    }
    if (prefix == null) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : conf) {
      if (e.getKey().startsWith(prefix) && !declared.contains(e.getKey())) {
        unknown.add(e.getKey());
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new ConfigException("unknown configuration key" + (unknown.size() > 1 ? "s" : "") + " for "
          + job.getClass().getSimpleName() + ": " + String.join(", ", unknown) + " (it declares: "
          + new java.util.TreeSet<>(declared) + ")");
    }
  }

  static void checkPaths(Configuration conf) throws IOException {
    try {
      SplitPlanner.listFiles(conf, PsKeys.INPUT_TRAIN.require(conf));
    } catch (java.io.FileNotFoundException e) {
      throw new ConfigException("yarnps.input.train: " + e.getMessage());
    }
    String test = PsKeys.INPUT_TEST.get(conf);
    if (!test.isEmpty()) {
      try {
        SplitPlanner.listFiles(conf, test);
      } catch (java.io.FileNotFoundException e) {
        throw new ConfigException("yarnps.input.test: " + e.getMessage());
      }
    }
    Path out = new Path(PsKeys.OUTPUT.require(conf));
    FileSystem fs = out.getFileSystem(conf);
    if (fs.exists(out)) {
      throw new ConfigException("yarnps.output=" + fs.makeQualified(out) + " already exists; choose a new directory");
    }
  }
}
