package yarnps.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yarnps.client.EmbeddedCluster;
import yarnps.client.YarnPsClient;
import yarnps.examples.demo.JobResult;
import yarnps.examples.demo.LrJobConf;
import yarnps.examples.gen.ClickLogGenerator;
import yarnps.model.ModelReader;

/**
 * The whole system on MiniDFSCluster + MiniYARNCluster: the real client submits the LR example,
 * the AM launches 2 servers and 2 workers as separate JVMs, they train over Thrift on data read
 * from HDFS, and the model lands on HDFS.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class LogisticRegressionIT {
  private static EmbeddedCluster cluster;
  private static Configuration conf;
  private static FileSystem fs;
  private static File local;
  private static ClickLogGenerator.Summary truth;
  private static Path train;
  private static Path test;
  private static int jobs;

  @BeforeAll
  static void startCluster() throws Exception {
    File target = new File(System.getProperty("yarnps.it.dir", "target")).getAbsoluteFile();
    File base = Files.createTempDirectory(target.toPath(), "lr-it-").toFile();
    cluster = EmbeddedCluster.start(new File(base, "cluster"), 4096, 8);
    conf = cluster.conf();
    fs = FileSystem.get(conf);
    local = new File(base, "data");
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = local;
    g.trainRows = 60_000;
    g.testRows = 15_000;
    g.files = 3;
    g.seed = 7;
    // A vocabulary 60k rows can learn: with the default long tail much of the hidden model is
    // features seen a few times, which no trainer recovers from this little data.
    g.vocab = 1000;
    truth = ClickLogGenerator.generate(g);
    train = fs.makeQualified(new Path("/data/train"));
    test = fs.makeQualified(new Path("/data/test"));
    fs.copyFromLocalFile(false, true, new Path(new File(local, "train").getAbsolutePath()), train);
    fs.copyFromLocalFile(false, true, new Path(new File(local, "test").getAbsolutePath()), test);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Configuration job(String trainPath, String output) {
    return LrJobConf.of(conf, System.getProperty("yarnps.it.frameworkJar"), System.getProperty("yarnps.it.jobJar"),
        trainPath, test.toString(), output, 2, 2, 3);
  }

  /** Runs the client's submit (after any generic options) and returns its exit code and output. */
  private static Submission submit(Configuration job, String... genericOptions) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    YarnPsClient client = new YarnPsClient(out, out);
    String[] args = java.util.Arrays.copyOf(genericOptions, genericOptions.length + 1);
    args[genericOptions.length] = "submit";
    int rc = ToolRunner.run(job, client, args);
    jobs++;
    return new Submission(rc, bytes.toString(StandardCharsets.UTF_8), client);
  }

  private record Submission(int rc, String output, YarnPsClient client) {}

  private static String output(String name) {
    return fs.makeQualified(new Path("/out/" + name)).toString();
  }

  @Test
  void trainsToTheGroundTruthsQualityAndTheModelReloads() throws Exception {
    String out = output("lr");
    Submission s = submit(job(train.toString(), out));
    assertEquals(YarnPsClient.EXIT_OK, s.rc(), s.output());
    assertTrue(s.output().contains("tracking page: http"), s.output());

    JobResult result = JobResult.read(conf, out);
    double auc = result.metric("auc");
    double logloss = result.metric("logloss");
    System.out.printf("IT: test AUC %.4f logloss %.4f; hidden model AUC %.4f logloss %.4f; %.0f examples/s/worker%n",
        auc, logloss, truth.truthAuc(), truth.truthLogloss(),
        result.metrics().getOrDefault("train_examples_per_sec_per_worker", Double.NaN));
    // A broken trainer (no learning, wrong sign, lost updates) stays near 0.5 or far below the truth.
    assertTrue(auc > 0.5 + 0.8 * (truth.truthAuc() - 0.5), "AUC " + auc + " vs hidden model " + truth.truthAuc());
    assertTrue(auc <= truth.truthAuc() + 0.01, "AUC above the hidden model's: " + auc);
    assertTrue(logloss < truth.baselineLogloss(), "logloss " + logloss + " not below the constant predictor's "
        + truth.baselineLogloss());
    assertEquals((double) truth.trainRows(), result.counters().get("examples"), 0.0,
        "every training row was trained on by exactly one worker per epoch");

    // The saved model, read back from HDFS, scores the test set exactly as the job's final pulled weights did.
    String modelDir = result.labels().get("model");
    ModelReader.Model model = ModelReader.read(fs, new Path(modelDir));
    assertTrue(model.size() > 1000, "model has " + model.size() + " keys");
    double[] reloaded = TestScoring.aucAndLogloss(model, new File(local, "test"));
    assertEquals(auc, reloaded[0], 1e-9, "AUC from the reloaded model");
    assertEquals(logloss, reloaded[1], 1e-9, "logloss from the reloaded model");
  }

  @Test
  void malformedLinesAreSkippedAndCounted() throws Exception {
    Path dirty = fs.makeQualified(new Path("/data/dirty-skip"));
    writeDirty(dirty);
    Configuration job = job(dirty.toString(), output("skip"));
    job.setBoolean("yarnps.staging.keep", true);
    // This job also runs the real path of sequential consistency: clocks, held pushes, parked
    // pulls and workers leaving the clock group, across containers.
    job.set("yarnps.consistency", "sequential");
    // -files and -libjars work as in every Hadoop tool: shipped with the job.
    File extra = new File(local, "lookup.txt");
    Files.writeString(extra.toPath(), "side data\n");
    Submission s = submit(job, "-files", extra.getAbsolutePath(), "-libjars", System.getProperty("yarnps.it.jobJar"));
    assertEquals(YarnPsClient.EXIT_OK, s.rc(), s.output());
    JobResult result = JobResult.read(conf, output("skip"));
    assertEquals(3.0, result.counters().get("malformed_lines"), 0.0, "the 3 bad lines, counted once (examples are cached)");
    assertTrue(result.metric("model_keys") > 0, "the job saved a model under sequential consistency");
    Path staged = new Path(fs.getHomeDirectory(), ".yarnps/" + s.client().lastSubmitted() + "/files");
    assertTrue(fs.exists(new Path(staged, "lookup.txt")), "-files staged in " + staged);
    assertTrue(fs.exists(new Path(staged, new File(System.getProperty("yarnps.it.jobJar")).getName())), "-libjars staged");
  }

  @Test
  void malformedLineFailsTheJobNamingFileAndLine() throws Exception {
    Path dirty = fs.makeQualified(new Path("/data/dirty-fail"));
    writeDirty(dirty);
    Configuration job = job(dirty.toString(), output("fail"));
    job.set("yarnps.input.malformed", "fail");
    Submission s = submit(job);
    assertEquals(YarnPsClient.EXIT_JOB_FAILED, s.rc(), s.output());
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      ApplicationReport r = yarn.getApplicationReport(s.client().lastSubmitted());
      assertEquals(FinalApplicationStatus.FAILED, r.getFinalApplicationStatus());
      assertTrue(r.getDiagnostics().contains("bad.txt:2:"), r.getDiagnostics());
    }
  }

  /** A copy of the first training file plus bad.txt whose lines 2, 4 and 5 do not parse. */
  private static void writeDirty(Path dir) throws IOException {
    File firstTrain = new File(local, "train").listFiles()[0];
    fs.copyFromLocalFile(false, true, new Path(firstTrain.getAbsolutePath()), new Path(dir, "part-good"));
    try (FSDataOutputStream os = fs.create(new Path(dir, "bad.txt"))) {
      os.write(String.join("\n", List.of("1 5:1 9:1", "not a libsvm line", "0 3:1", "1 0:1", "1 7:x", "0 8:1"))
          .getBytes(StandardCharsets.UTF_8));
      os.write('\n');
    }
  }

  @Test
  void aKilledServerPastTheFailureLimitFailsTheJobNamingItAndNothingHangs() throws Exception {
    Configuration job = job(train.toString(), output("killed"));
    job.setInt("lr.epochs", 1000);
    // No replacement allowed: the first server failure is past the limit (RecoveryIT replaces).
    job.setInt("yarnps.server.max-failures", 0);
    YarnPsClient client = new YarnPsClient(new PrintStream(new ByteArrayOutputStream(), true), System.err);
    assertEquals(YarnPsClient.EXIT_OK, ToolRunner.run(job, client, new String[] {"submit", "--no-wait"}));
    var appId = client.lastSubmitted();
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      waitFor(() -> yarn.getApplicationReport(appId).getProgress() > 0.002f, 120, "training to start");
      ProcessHandle server = ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().map(c -> c.contains("yarnps.server.ParameterServer")
              && c.contains(appId.toString())).orElse(false))
          .findFirst().orElseThrow(() -> new AssertionError("no server process of " + appId));
      server.destroyForcibly();
      waitFor(() -> YarnPsClient.ended(yarn.getApplicationReport(appId).getYarnApplicationState()), 120, "the job to end");
      ApplicationReport r = yarn.getApplicationReport(appId);
      System.out.println("IT: diagnostics after killing a server: " + r.getDiagnostics());
      assertEquals(FinalApplicationStatus.FAILED, r.getFinalApplicationStatus());
      assertTrue(r.getDiagnostics().contains("exit 137") && r.getDiagnostics().contains("yarnps.server.max-failures=0"),
          r.getDiagnostics());
      assertTrue(r.getDiagnostics().matches("(?s)^server \\d failed: .*container container_.*"), r.getDiagnostics());
    }
  }

  /** Polls a condition every 200 ms until it holds or the deadline passes. */
  private static void waitFor(Check check, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  @Test
  void invalidJobsAreRejectedBeforeSubmission() throws Exception {
    int before = appCount();
    Configuration unknown = job(train.toString(), output("bad1"));
    unknown.set("yarnps.srvers", "3");
    Submission s1 = submit(unknown);
    assertEquals(YarnPsClient.EXIT_USAGE, s1.rc());
    assertTrue(s1.output().contains("yarnps.srvers"), s1.output());

    Configuration badValue = job(train.toString(), output("bad2"));
    badValue.set("yarnps.workers", "many");
    Submission s2 = submit(badValue);
    assertEquals(YarnPsClient.EXIT_USAGE, s2.rc());
    assertTrue(s2.output().contains("yarnps.workers=many"), s2.output());

    Submission s3 = submit(job("/data/does-not-exist", output("bad3")));
    assertEquals(YarnPsClient.EXIT_USAGE, s3.rc());
    assertTrue(s3.output().contains("yarnps.input.train") && s3.output().contains("does-not-exist"), s3.output());

    Configuration badJobKey = job(train.toString(), output("bad4"));
    badJobKey.set("lr.epoch", "3");
    Submission s4 = submit(badJobKey);
    assertEquals(YarnPsClient.EXIT_USAGE, s4.rc());
    assertTrue(s4.output().contains("lr.epoch"), s4.output());

    assertEquals(before, appCount(), "nothing may be submitted for an invalid job");
  }

  private static int appCount() throws Exception {
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      return yarn.getApplications().size();
    }
  }
}
