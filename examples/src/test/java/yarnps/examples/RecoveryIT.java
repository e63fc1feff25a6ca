package yarnps.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
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
import yarnps.examples.experiment.ContainerJvms;
import yarnps.examples.gen.ClickLogGenerator;
import yarnps.checkpoint.CheckpointReader;
import yarnps.model.ModelReader;

/**
 * Fault injection on MiniDFSCluster + MiniYARNCluster: containers of running jobs are killed by
 * their process id (as a crashed JVM or a lost machine would end), and the jobs must still succeed
 * with nothing lost: {@link yarnps.examples.check.CountingJob} knows the exact answer, the LR
 * example must reach the quality bar of an undisturbed run.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RecoveryIT {
  private static EmbeddedCluster cluster;
  private static Configuration conf;
  private static FileSystem fs;
  private static File local;
  private static ClickLogGenerator.Summary truth;
  private static Path train;
  private static Path test;

  @BeforeAll
  static void startCluster() throws Exception {
    File target = new File(System.getProperty("yarnps.it.dir", "target")).getAbsoluteFile();
    File base = Files.createTempDirectory(target.toPath(), "recovery-it-").toFile();
    cluster = EmbeddedCluster.start(new File(base, "cluster"), 6144, 12);
    conf = cluster.conf();
    fs = FileSystem.get(conf);
    local = new File(base, "data");
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = local;
    g.trainRows = 60_000;
    g.testRows = 15_000;
    g.files = 3;
    g.seed = 7;
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

  private static String output(String name) {
    return fs.makeQualified(new Path("/out/" + name)).toString();
  }

  /** The counting job: every worker adds 1 per clock to every key. */
  static Configuration counting(String output, int servers, int workers, long clocks, int clockMs) {
    Configuration job = LrJobConf.of(conf, System.getProperty("yarnps.it.frameworkJar"),
        System.getProperty("yarnps.it.jobJar"), train.toString(), null, output, servers, workers, 1);
    job.set("yarnps.app.name", "counting");
    job.set("yarnps.job.class", "yarnps.examples.check.CountingJob");
    job.unset("lr.epochs");
    job.set("yarnps.table.w.updater", "add");
    for (String k : new String[] {"ftrl.alpha", "ftrl.beta", "l1", "l2"}) {
      job.unset("yarnps.table.w." + k);
    }
    job.setLong("count.clocks", clocks);
    job.setInt("count.keys", 20_000);
    job.setInt("count.clock.ms", clockMs);
    job.setInt("yarnps.heartbeat.timeout.ms", 20_000);
    return job;
  }

  static Configuration lr(String output) {
    Configuration job = LrJobConf.of(conf, System.getProperty("yarnps.it.frameworkJar"),
        System.getProperty("yarnps.it.jobJar"), train.toString(), test.toString(), output, 2, 2, 3);
    job.setInt("yarnps.heartbeat.timeout.ms", 20_000);
    return job;
  }

  /** Submits without waiting; returns the application id. */
  static ApplicationId submit(Configuration job, String... extra) throws Exception {
    YarnPsClient client = new YarnPsClient(new PrintStream(new ByteArrayOutputStream(), true), System.err);
    String[] args = new String[extra.length + 2];
    args[0] = "submit";
    System.arraycopy(extra, 0, args, 1, extra.length);
    args[args.length - 1] = "--no-wait";
    assertEquals(YarnPsClient.EXIT_OK, ToolRunner.run(job, client, args));
    return client.lastSubmitted();
  }

  /** Waits for the application to end and returns its report. */
  static ApplicationReport awaitEnd(YarnClient yarn, ApplicationId app, int seconds) throws Exception {
    waitFor(() -> YarnPsClient.ended(yarn.getApplicationReport(app).getYarnApplicationState()), seconds,
        "the job to end");
    return yarn.getApplicationReport(app);
  }

  /** Kills (SIGKILL) the first live JVM of the application whose command line names mainClass. */
  static ProcessHandle kill(ApplicationId app, String mainClass) {
    ProcessHandle p = ContainerJvms.of(app, mainClass).findFirst()
        .orElseThrow(() -> new AssertionError("no " + mainClass + " process of " + app));
    System.out.println("IT: killing " + mainClass + " pid " + p.pid() + " of " + app);
    p.destroyForcibly();
    return p;
  }

  static YarnClient yarn() {
    YarnClient yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    return yarn;
  }

  static void assertCountedExactly(String output) throws Exception {
    JobResult r = JobResult.read(conf, output);
    System.out.println("IT: counted " + r.metrics());
    assertEquals(0.0, r.metric("keys_wrong"), 0.0, "every key holds workers x clocks: " + r.metrics());
    assertEquals(0.0, r.metric("lost_updates"), 0.0, "no update lost or counted twice: " + r.metrics());
  }

  @Test
  void aKilledServerWithReplicationLosesNoAcknowledgedUpdate() throws Exception {
    String out = output("count-k1");
    Configuration job = counting(out, 3, 2, 400, 25);
    job.setInt("yarnps.replication", 1);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.15f, 180, "counting to start");
      kill(app, "yarnps.server.ParameterServer");
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    assertCountedExactly(out);
  }

  /**
   * Worker 1 does not pause between clocks, so it finishes (its process exits) long before worker
   * 0; then a server is killed. The running worker goes back to the checkpoint's clock, and the
   * finished one runs again from it in a new container: its updates since the checkpoint went
   * with the servers' state.
   */
  @Test
  void aKilledServerWithoutReplicationRollsBackToTheCheckpointAndLosesNothing() throws Exception {
    String out = output("count-k0");
    Configuration job = counting(out, 2, 2, 400, 25);
    job.setLong("yarnps.checkpoint.interval.clocks", 50);
    job.set("count.fast.workers", "1");
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      waitFor(() -> processes(app, "yarnps.worker.WorkerMain") == 2, 180, "both workers to start");
      waitFor(() -> processes(app, "yarnps.worker.WorkerMain") == 1, 180, "the fast worker to finish");
      // No checkpoint commits meanwhile: a cut must lie above every clock pushed, the finished
      // worker's last (399), so it waits for worker 0 to get there. The rollback goes to clock 0.
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.6f, 180, "worker 0 counting on");
      kill(app, "yarnps.server.ParameterServer");
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    // Both workers counted again from the checkpoint's clock.
    assertCountedExactly(out);
  }

  /** Live JVMs of the application whose command line names mainClass. */
  static long processes(ApplicationId app, String mainClass) {
    return ContainerJvms.of(app, mainClass).count();
  }


  @Test
  void aKilledServerMidTrainingStillReachesTheQualityBar() throws Exception {
    String out = output("lr-server-killed");
    Configuration job = lr(out);
    // Long enough that both workers (their splits are uneven) are still training at the kill.
    job.setInt("lr.epochs", 8);
    job.setLong("yarnps.checkpoint.interval.clocks", 40);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.2f, 180, "training to start");
      kill(app, "yarnps.server.ParameterServer");
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    assertQualityBar(out);
  }

  @Test
  void aKilledWorkerIsReplacedAndResumes() throws Exception {
    String out = output("count-worker");
    Configuration job = counting(out, 2, 2, 400, 25);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.25f, 180, "counting to start");
      kill(app, "yarnps.worker.WorkerMain");
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    assertCountedExactly(out);
  }

  @Test
  void aKilledAmIsTakenOverByItsNextAttempt() throws Exception {
    String out = output("count-am");
    Configuration job = counting(out, 2, 2, 500, 25);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.2f, 180, "counting to start");
      kill(app, "yarnps.appmaster.AppMaster");
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
      assertEquals(2, yarn.getApplicationAttempts(app).size(), "a second AM attempt took over");
    }
    assertCountedExactly(out);
  }

  @Test
  void checkpointsArePrunedAndARestoredJobHasBitIdenticalParametersOnMoreServers() throws Exception {
    String root = fs.makeQualified(new Path("/ckpt/lr")).toString();
    String outA = output("lr-ckpt-a");
    Configuration a = lr(outA);
    a.setInt("lr.epochs", 6);
    a.set("yarnps.checkpoint.dir", root);
    a.setLong("yarnps.checkpoint.interval.clocks", 30);
    a.setInt("yarnps.checkpoint.keep", 2);
    // The two workers' splits are uneven (one has twice the batches). Under eventual consistency a
    // cut lies above the fast worker's clock, which the slow one never reaches before it finishes,
    // so on a quick run every checkpoint would come at the end. Bounded delay keeps them within
    // tau clocks, so checkpoints commit while the job runs.
    a.set("yarnps.consistency", "bounded");
    a.setInt("yarnps.consistency.tau", 2);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(a);
      waitFor(() -> yarn.getApplicationReport(app).getProgress() > 0.1f, 180, "training to start");
      // On demand too, as an operator would: the AM answers at once and takes it when it can.
      ByteArrayOutputStream said = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(said, true, StandardCharsets.UTF_8);
      assertEquals(YarnPsClient.EXIT_OK, ToolRunner.run(conf, new YarnPsClient(ps, ps),
          new String[] {"checkpoint", app.toString()}), said.toString(StandardCharsets.UTF_8));
      System.out.println("IT: checkpoint " + app + ": " + said.toString(StandardCharsets.UTF_8).strip());
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    List<CheckpointReader.CheckpointDir> kept = new CheckpointReader(fs).list(new Path(root));
    System.out.println("IT: checkpoints kept: " + kept);
    assertEquals(2, kept.size(), "yarnps.checkpoint.keep=2 after more checkpoints than that: " + kept);
    assertTrue(kept.stream().allMatch(CheckpointReader.CheckpointDir::complete), kept.toString());
    Path newest = kept.stream().max(java.util.Comparator.comparingLong(CheckpointReader.CheckpointDir::clock))
        .orElseThrow().dir();

    // A new job from the end checkpoint, on 3 servers instead of 2: the ranges are re-split on
    // load, the workers resume at the checkpoint's clock (past their last batch), and the model
    // it saves must equal the first job's bit for bit.
    String outB = output("lr-ckpt-b");
    Configuration b = lr(outB);
    b.setInt("yarnps.servers", 3);
    b.setInt("lr.epochs", 6);
    b.setBoolean("yarnps.checkpoint.at.end", false);
    b.setInt("yarnps.checkpoint.interval.sec", 0);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(b, "--restore-from", newest.toString());
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    ModelReader.Model ma = ModelReader.read(fs, new Path(JobResult.read(conf, outA).labels().get("model")));
    ModelReader.Model mb = ModelReader.read(fs, new Path(JobResult.read(conf, outB).labels().get("model")));
    assertEquals(ma.size(), mb.size(), "keys in the restored job's model");
    assertTrue(ma.size() > 1000, "model has " + ma.size() + " keys");
    for (int i = 0; i < ma.size(); i++) {
      long k = ma.key(i);
      assertEquals(Float.floatToRawIntBits(ma.value(i, 0)), Float.floatToRawIntBits(mb.get(k, 0)),
          "weight of key " + Long.toUnsignedString(k));
    }
    assertEquals(JobResult.read(conf, outA).metric("auc"), JobResult.read(conf, outB).metric("auc"), 0.0,
        "the restored parameters score the test set exactly as the saved ones");
  }

  @Test
  void aCorruptShardMakesTheLoaderUseThePreviousCheckpointSayingSo() throws Exception {
    String root = fs.makeQualified(new Path("/ckpt/count")).toString();
    String out = output("count-ckpt");
    Configuration job = counting(out, 2, 2, 200, 20);
    job.set("yarnps.checkpoint.dir", root);
    job.setLong("yarnps.checkpoint.interval.clocks", 50);
    job.setInt("yarnps.checkpoint.keep", 3);
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(job);
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.SUCCEEDED, r.getFinalApplicationStatus(), r.getDiagnostics());
    }
    List<CheckpointReader.CheckpointDir> kept = new CheckpointReader(fs).list(new Path(root));
    assertTrue(kept.size() >= 2, kept.toString());
    kept = new java.util.ArrayList<>(kept);
    kept.sort(java.util.Comparator.comparingLong(CheckpointReader.CheckpointDir::clock));
    CheckpointReader.CheckpointDir newest = kept.get(kept.size() - 1);
    CheckpointReader.CheckpointDir previous = kept.get(kept.size() - 2);
    // Flip one byte in the middle of one shard of the newest checkpoint.
    Path shard = null;
    for (var st : fs.listStatus(new Path(newest.dir(), "w"))) {
      if (st.getPath().getName().endsWith(".shard") && st.getLen() > 200) {
        shard = st.getPath();
        break;
      }
    }
    assertTrue(shard != null, "a shard with rows in " + newest.dir());
    byte[] bytes;
    try (var in = fs.open(shard)) {
      bytes = in.readAllBytes();
    }
    bytes[bytes.length / 2] ^= 0x5a;
    try (var os = fs.create(shard, true)) {
      os.write(bytes);
    }
    CheckpointReader.Selection sel = new CheckpointReader(fs).newestValid(new Path(root),
        yarnps.checkpoint.Checkpoint.Verification.FULL);
    assertEquals(previous.dir().toUri().getPath(), sel.checkpoint().orElseThrow().dir().toUri().getPath(),
        "the loader falls back to the previous checkpoint");
    String shardName = shard.getName();
    assertTrue(sel.skipped().stream().anyMatch(s -> s.reason().contains(shardName)),
        "and says which shard was bad: " + sel.skipped());

    // A job restored from the corrupt checkpoint fails at once, naming the shard: the client checks
    // the manifest and that every shard is there, and the servers verify every block as they load.
    try (YarnClient yarn = yarn()) {
      ApplicationId app = submit(counting(output("count-ckpt-bad"), 2, 2, 200, 5), "--restore-from",
          newest.dir().toString());
      ApplicationReport r = awaitEnd(yarn, app, 300);
      assertEquals(FinalApplicationStatus.FAILED, r.getFinalApplicationStatus());
      assertTrue(r.getDiagnostics().contains(shardName), r.getDiagnostics());
    }
  }

  static void assertQualityBar(String out) throws Exception {
    JobResult result = JobResult.read(conf, out);
    double auc = result.metric("auc");
    double logloss = result.metric("logloss");
    System.out.printf("IT: after recovery: test AUC %.4f logloss %.4f; hidden model AUC %.4f%n", auc, logloss,
        truth.truthAuc());
    // The same bar as an undisturbed run (LogisticRegressionIT).
    assertTrue(auc > 0.5 + 0.8 * (truth.truthAuc() - 0.5), "AUC " + auc + " vs hidden model " + truth.truthAuc());
    assertTrue(logloss < truth.baselineLogloss(), "logloss " + logloss + " vs " + truth.baselineLogloss());
  }

  /** Polls a condition every 200 ms until it holds or the deadline passes. */
  static void waitFor(Check check, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
