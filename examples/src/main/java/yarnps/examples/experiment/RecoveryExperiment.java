package yarnps.examples.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import yarnps.client.EmbeddedCluster;
import yarnps.client.YarnPsClient;
import yarnps.conf.PsKeys;
import yarnps.examples.demo.JobResult;

/**
 * {@code bin/yarnps experiment recovery}: how long yarn-ps takes to recover a killed server, and
 * what it loses. On one embedded HDFS + YARN it runs the counting job (every worker adds 1 per
 * clock to every key, so the right total is known) once per replication factor, kills one server
 * process with SIGKILL once the job is under way, and prints per run one line
 * {@code RECOVERY replication=<k> detect_s=<n> container_s=<n> restore_s=<n> resume_s=<n> lost_updates=<n>}:
 * <ul>
 *   <li>detect: from the kill until the AM knew the server was lost;
 *   <li>container: from then until YARN gave the AM a replacement container;
 *   <li>restore: from then until the replacement served its ranges again (JVM start, registration,
 *       and loading the ranges: from a live replica, or, without replicas, every server reloading
 *       the newest checkpoint);
 *   <li>resume: from the kill until a worker's push was acknowledged again;
 *   <li>lost updates: the job's expected total minus what the servers hold at the end.
 * </ul>
 * It writes the table to a Markdown page.
 */
public final class RecoveryExperiment {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecoveryExperiment.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private RecoveryExperiment() {}

  /** Options; see {@link #USAGE}. */
  static final class Options {
    String yarnpsJar;
    String jobJar;
    List<Integer> replication = List.of(0, 1);
    int servers = 3;
    int workers = 2;
    long clocks = 600;
    int clockMs = 20;
    int keys = 200_000;
    double killAt = 0.3;
    long checkpointEvery = 100;
    int repeats = 1;
    File dir = new File("target/yarnps-recovery");
    File doc = new File("docs/recovery-times.md");
  }

  static final String USAGE = """
      usage: bin/yarnps experiment recovery [--replication 0,1] [--servers 3] [--workers 2] [--clocks 600]
                 [--clock-ms 20] [--keys 200000] [--kill-at 0.3] [--checkpoint-every 100] [--repeats 1]
                 [--doc docs/recovery-times.md]""";

  static Options parse(String[] args) {
    Options o = new Options();
    int i = 0;
    if (args.length > 0 && args[0].equals("recovery")) {
      i++;
    }
    for (; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--yarnps-jar" -> o.yarnpsJar = v;
        case "--job-jar" -> o.jobJar = v;
        case "--replication" -> {
          List<Integer> ks = new ArrayList<>();
          for (String s : v.split(",")) {
            ks.add(Integer.parseInt(s.trim()));
          }
          o.replication = List.copyOf(ks);
        }
        case "--servers" -> o.servers = Integer.parseInt(v);
        case "--workers" -> o.workers = Integer.parseInt(v);
        case "--clocks" -> o.clocks = Long.parseLong(v);
        case "--clock-ms" -> o.clockMs = Integer.parseInt(v);
        case "--keys" -> o.keys = Integer.parseInt(v);
        case "--kill-at" -> o.killAt = Double.parseDouble(v);
        case "--checkpoint-every" -> o.checkpointEvery = Long.parseLong(v);
        case "--repeats" -> o.repeats = Integer.parseInt(v);
        case "--dir" -> o.dir = new File(v);
        case "--doc" -> o.doc = new File(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (o.yarnpsJar == null || o.jobJar == null) {
      throw new IllegalArgumentException("--yarnps-jar and --job-jar are required (bin/yarnps sets them)");
    }
    for (int k : o.replication) {
      if (k < 0 || k >= o.servers) {
        throw new IllegalArgumentException("--replication " + k + " must be below --servers " + o.servers);
      }
    }
    if (!(o.killAt > 0 && o.killAt < 1)) {
      throw new IllegalArgumentException("--kill-at must be a fraction of the job between 0 and 1, not " + o.killAt);
    }
    return o;
  }

  /** One run's figures, in seconds (NaN: not measured). */
  record Run(int replication, double detect, double container, double restore, double resume, double lostUpdates,
      long checkpointClock, double total, double start, double load) {
    String line() {
      return String.format(Locale.ROOT,
          "RECOVERY replication=%d detect_s=%s container_s=%s restore_s=%s resume_s=%s lost_updates=%.0f",
          replication, f(detect), f(container), f(restore), f(resume), lostUpdates);
    }

    static String f(double v) {
      return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.2f", v);
    }
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("experiment recovery: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    int rc;
    try {
      rc = run(o);
    } catch (Exception e) {
      LOG.error("experiment failed", e);
      rc = 1;
    }
    System.exit(rc);
  }

  static int run(Options o) throws Exception {
    File dir = o.dir.getAbsoluteFile();
    org.apache.commons.io.FileUtils.deleteDirectory(dir);
    List<Run> runs = new ArrayList<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.start(new File(dir, "cluster"), 6144, 12);
        YarnClient yarn = YarnClient.createYarnClient()) {
      Configuration conf = cluster.conf();
      yarn.init(conf);
      yarn.start();
      FileSystem fs = FileSystem.get(conf);
      Path base = fs.makeQualified(new Path("/user/" + System.getProperty("user.name") + "/recovery"));
      // The counting job reads no data, but a job names its input.
      Path input = new Path(base, "input/none.txt");
      try (var os = fs.create(input, true)) {
        os.write("0\n".getBytes(StandardCharsets.UTF_8));
      }
      for (int rep = 0; rep < o.repeats; rep++) {
        for (int k : o.replication) {
          Run run = runOnce(o, conf, yarn, base, input, k, rep);
          runs.add(run);
          System.out.println(run.line());
        }
      }
    }
    System.out.println();
    for (Run r : runs) {
      System.out.println(r.line());
    }
    writeDoc(o, runs);
    System.out.println("wrote " + o.doc);
    return 0;
  }

  private static Run runOnce(Options o, Configuration conf, YarnClient yarn, Path base, Path input, int k, int rep)
      throws Exception {
    String output = new Path(base, "out-k" + k + "-" + rep).toString();
    Configuration job = new Configuration(conf);
    job.set(PsKeys.APP_NAME.name(), "recovery-k" + k);
    job.set(PsKeys.FRAMEWORK_JAR.name(), o.yarnpsJar);
    job.set(PsKeys.JOB_JAR.name(), o.jobJar);
    job.set(PsKeys.JOB_CLASS.name(), "yarnps.examples.check.CountingJob");
    job.set(PsKeys.INPUT_TRAIN.name(), input.toString());
    job.set(PsKeys.OUTPUT.name(), output);
    job.setInt(PsKeys.SERVERS.name(), o.servers);
    job.setInt(PsKeys.WORKERS.name(), o.workers);
    job.setInt(PsKeys.AM_MEMORY_MB.name(), 256);
    job.setInt(PsKeys.SERVER_MEMORY_MB.name(), 384);
    job.setInt(PsKeys.WORKER_MEMORY_MB.name(), 384);
    job.setInt(PsKeys.HEARTBEAT_MS.name(), 500);
    job.setInt(PsKeys.POLL_MS.name(), 500);
    job.set(PsKeys.TABLES.name(), "w");
    job.setInt(PsKeys.REPLICATION.name(), k);
    if (k == 0) {
      job.setLong(PsKeys.CHECKPOINT_INTERVAL_CLOCKS.name(), o.checkpointEvery);
    }
    job.setLong("count.clocks", o.clocks);
    job.setInt("count.keys", o.keys);
    job.setInt("count.clock.ms", o.clockMs);
    YarnPsClient client = new YarnPsClient(new PrintStream(new ByteArrayOutputStream(), true), System.err);
    int rc = ToolRunner.run(job, client, new String[] {"submit", "--no-wait"});
    if (rc != YarnPsClient.EXIT_OK) {
      throw new IOException("could not submit the counting job (exit " + rc + ")");
    }
    ApplicationId app = client.lastSubmitted();
    System.out.println("replication " + k + ": " + app + " submitted; killing a server at " + (int) (100 * o.killAt)
        + "% of the job");
    awaitProgress(yarn, app, (float) o.killAt);
    String am = amUrl(yarn.getApplicationReport(app));
    ProcessHandle server = ContainerJvms.of(app, "yarnps.server.ParameterServer").findFirst().orElseThrow(() -> new IOException("no server process of " + app));
    long killMs = System.currentTimeMillis();
    server.destroyForcibly();
    System.out.println("killed server pid " + server.pid() + " at " + killMs);
    JsonNode recovery = awaitRecovery(yarn, app, am);
    while (!YarnPsClient.ended(yarn.getApplicationReport(app).getYarnApplicationState())) {
      Thread.sleep(500);
    }
    ApplicationReport end = yarn.getApplicationReport(app);
    if (end.getFinalApplicationStatus() != FinalApplicationStatus.SUCCEEDED) {
      throw new IOException("the counting job " + app + " did not succeed: " + end.getDiagnostics());
    }
    JobResult r = JobResult.read(conf, output);
    double resumedAt = r.metrics().getOrDefault("push_resumed_at_ms", Double.NaN);
    return times(k, killMs, recovery, resumedAt, r.metric("lost_updates"));
  }

  /** The run's figures from the AM's record of the recovery (epoch ms) and the job's result. */
  static Run times(int k, long killMs, JsonNode rec, double resumedAtMs, double lost) {
    double detected = ms(rec, "detect_ms");
    double allocated = ms(rec, "container_ms");
    double registered = ms(rec, "registered_ms");
    double restored = ms(rec, "restore_ms");
    double served = ms(rec, "published_ms");
    return new Run(k, (detected - killMs) / 1000, (allocated - detected) / 1000, (served - allocated) / 1000,
        (resumedAtMs - killMs) / 1000, lost, rec.path("checkpoint_clock").asLong(-1), (served - killMs) / 1000,
        (registered - allocated) / 1000, (restored - registered) / 1000);
  }

  private static double ms(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isNumber() || v.asLong() <= 0 ? Double.NaN : v.asDouble();
  }

  private static void awaitProgress(YarnClient yarn, ApplicationId app, float progress) throws Exception {
    long deadline = System.currentTimeMillis() + 300_000;
    while (true) {
      ApplicationReport r = yarn.getApplicationReport(app);
      if (YarnPsClient.ended(r.getYarnApplicationState())) {
        throw new IOException(app + " ended before it could be disturbed: " + r.getDiagnostics());
      }
      if (r.getProgress() >= progress) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IOException(app + " did not reach " + progress + " progress in 300 s");
      }
      Thread.sleep(200);
    }
  }

  private static String amUrl(ApplicationReport r) throws IOException {
    String url = r.getOriginalTrackingUrl();
    if (url == null || url.isBlank() || url.equals("N/A")) {
      throw new IOException("the AM of " + r.getApplicationId() + " has no tracking URL");
    }
    url = url.contains("://") ? url : "http://" + url;
    return url.endsWith("/") ? url : url + "/";
  }

  /** Polls the AM's recoveries until one is complete (its layout published); returns it. */
  private static JsonNode awaitRecovery(YarnClient yarn, ApplicationId app, String am) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.currentTimeMillis() + 300_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(am + "api/v1/recoveries"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200) {
          JsonNode doc = JSON.readTree(resp.body());
          JsonNode list = doc.isArray() ? doc : doc.path("recoveries");
          for (JsonNode rec : list) {
            if (rec.path("role").asText().equalsIgnoreCase("server") && ms(rec, "published_ms") > 0) {
              return rec;
            }
          }
        }
      } catch (IOException e) {
        LOG.debug("AM not answering: {}", e.getMessage());
      }
      if (YarnPsClient.ended(yarn.getApplicationReport(app).getYarnApplicationState())) {
        throw new IOException(app + " ended before its AM reported the recovery: "
            + yarn.getApplicationReport(app).getDiagnostics());
      }
      Thread.sleep(200);
    }
    throw new IOException("the AM of " + app + " reported no completed recovery within 300 s");
  }

  private static void writeDoc(Options o, List<Run> runs) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Recovering a lost server, measured\n\n");
    md.append(String.format(Locale.ROOT, "`bin/yarnps experiment recovery` ran the counting job on the embedded HDFS + "
        + "YARN (one machine, 2 cores): %d servers x %d workers, each worker adding 1 to each of %,d keys once per "
        + "clock for %d clocks (%d ms apart), and killed one server process with SIGKILL at %.0f%% of the job. "
        + "Without replication the job took a checkpoint every %d clocks.%n%n",
        o.servers, o.workers, o.keys, o.clocks, o.clockMs, 100 * o.killAt, o.checkpointEvery));
    md.append("| replication | detect (s) | container (s) | restore (s) | of which JVM start + registration (s) |"
        + " of which loading the ranges (s) | serving again after kill (s) | workers push again after kill (s) |"
        + " lost updates | checkpoint clock used |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %.0f | %s |%n", r.replication(),
          Run.f(r.detect()), Run.f(r.container()), Run.f(r.restore()), Run.f(r.start()), Run.f(r.load()),
          Run.f(r.total()), Run.f(r.resume()),
          r.lostUpdates(), r.replication() == 0 && r.checkpointClock() >= 0 ? String.valueOf(r.checkpointClock()) : "-"));
    }
    md.append("\nRaw lines:\n\n```\n");
    for (Run r : runs) {
      md.append(r.line()).append('\n');
    }
    md.append("```\n");
    File doc = o.doc.getAbsoluteFile();
    String existing = doc.exists() ? Files.readString(doc.toPath(), StandardCharsets.UTF_8) : "";
    int keep = existing.indexOf("\n## Reading");
    if (keep >= 0) {
      md.append(existing.substring(keep));
    }
    Files.createDirectories(doc.toPath().getParent());
    Files.writeString(doc.toPath(), md.toString(), StandardCharsets.UTF_8);
  }
}
