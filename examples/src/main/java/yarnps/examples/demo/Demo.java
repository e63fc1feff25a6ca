package yarnps.examples.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import yarnps.client.EmbeddedCluster;
import yarnps.client.YarnPsClient;
import yarnps.examples.gen.ClickLogGenerator;

/**
 * {@code bin/yarnps demo}: the LR example end to end on an embedded HDFS + YARN. Generates click
 * logs, copies them to HDFS, submits through the same client code as {@code yarn jar ... submit},
 * and prints {@code RESULT auc=.. logloss=.. model=.. app=..}.
 */
public final class Demo {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Demo.class);

  private Demo() {}

  /** Command-line options of the demo. */
  static final class Options {
    String yarnpsJar;
    String jobJar;
    long trainRows = 200_000;
    long testRows = 50_000;
    int servers = 2;
    int workers = 2;
    int epochs = 3;
    int vocab = 10_000;
    File dir = new File("target/yarnps-demo");
    boolean keepRunning;
    /** Job configuration keys set with --set key=value, applied last. */
    final java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--keep-running")) {
          o.keepRunning = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + a + " needs a value");
        }
        String v = args[++i];
        try {
          switch (a) {
            case "--yarnps-jar" -> o.yarnpsJar = v;
            case "--job-jar" -> o.jobJar = v;
            case "--train-rows" -> o.trainRows = Long.parseLong(v);
            case "--test-rows" -> o.testRows = Long.parseLong(v);
            case "--servers" -> o.servers = Integer.parseInt(v);
            case "--workers" -> o.workers = Integer.parseInt(v);
            case "--epochs" -> o.epochs = Integer.parseInt(v);
            case "--vocab" -> o.vocab = Integer.parseInt(v);
            case "--dir" -> o.dir = new File(v);
            case "--set" -> {
              int eq = v.indexOf('=');
              if (eq <= 0) {
                throw new IllegalArgumentException("--set needs key=value, got '" + v + "'");
              }
              o.settings.put(v.substring(0, eq).trim(), v.substring(eq + 1));
            }
            default -> throw new IllegalArgumentException("unknown option " + a);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("option " + a + ": '" + v + "' is not a number");
        }
      }
      if (o.yarnpsJar == null || o.jobJar == null) {
        throw new IllegalArgumentException("--yarnps-jar and --job-jar are required (bin/yarnps demo sets them)");
      }
      return o;
    }
  }

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    int rc;
    try {
      rc = run(o);
    } catch (Exception e) {
      LOG.error("demo failed", e);
      rc = 1;
    }
    // The embedded clusters leave non-daemon threads behind: exit explicitly.
    System.exit(rc);
  }

  static int run(Options o) throws Exception {
    long t0 = System.nanoTime();
    File dir = o.dir.getAbsoluteFile();
    deleteRecursively(dir);
    File data = new File(dir, "data");
    System.out.printf("generating %,d training and %,d test rows of click logs in %s%n", o.trainRows, o.testRows, data);
    long g0 = System.nanoTime();
    ClickLogGenerator.Summary gen = ClickLogGenerator.generate(demoData(data, o));
    System.out.printf("generated in %.1f s; hidden model's own test AUC %.4f logloss %.4f%n",
        (System.nanoTime() - g0) / 1e9, gen.truthAuc(), gen.truthLogloss());

    try (EmbeddedCluster cluster = EmbeddedCluster.start(new File(dir, "cluster"), 4096, 8)) {
      Configuration conf = cluster.conf();
      System.out.println("embedded HDFS: " + conf.get("fs.defaultFS"));
      System.out.println("embedded YARN ResourceManager UI: " + cluster.rmWebUrl());
      System.out.println("container logs: " + cluster.containerLogs());
      FileSystem fs = FileSystem.get(conf);
      Path base = fs.makeQualified(new Path("/user/" + System.getProperty("user.name") + "/lr-demo"));
      fs.copyFromLocalFile(false, true, new Path(new File(data, "train").getAbsolutePath()), new Path(base, "train"));
      fs.copyFromLocalFile(false, true, new Path(new File(data, "test").getAbsolutePath()), new Path(base, "test"));
      String output = new Path(base, "output").toString();
      Configuration job = LrJobConf.of(conf, o.yarnpsJar, o.jobJar, new Path(base, "train").toString(),
          new Path(base, "test").toString(), output, o.servers, o.workers, o.epochs);
      o.settings.forEach(job::set);
      YarnPsClient client = new YarnPsClient(System.out, System.err);
      int rc = ToolRunner.run(job, client, new String[] {"submit"});
      if (rc != YarnPsClient.EXIT_OK) {
        System.out.println("demo: the job did not succeed (client exit code " + rc + ")");
        return rc;
      }
      JobResult result = JobResult.read(conf, output);
      System.out.printf("test AUC %.4f (hidden model %.4f), test logloss %.4f (hidden model %.4f)%n",
          result.metric("auc"), gen.truthAuc(), result.metric("logloss"), gen.truthLogloss());
      System.out.printf("training throughput %.0f examples/s per worker; wall time %.1f s%n",
          result.metrics().getOrDefault("train_examples_per_sec_per_worker", Double.NaN), (System.nanoTime() - t0) / 1e9);
      System.out.printf("RESULT auc=%.4f logloss=%.4f model=%s app=%s%n", result.metric("auc"),
          result.metric("logloss"), result.labels().getOrDefault("model", output + "/model"), client.lastSubmitted());
      if (o.keepRunning) {
        System.out.println("embedded cluster stays up (RM UI " + cluster.rmWebUrl() + "); Ctrl-C to stop");
        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(never::countDown));
        never.await();
      }
      return 0;
    }
  }

  static ClickLogGenerator.Options demoData(File out, Options o) {
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = out;
    g.trainRows = o.trainRows;
    g.testRows = o.testRows;
    g.vocab = o.vocab;
    g.files = 4;
    g.seed = 42;
    return g;
  }

  private static void deleteRecursively(File f) throws IOException {
    if (!f.exists()) {
      return;
    }
    try (var walk = Files.walk(f.toPath())) {
      for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
