package yarnps.examples.experiment;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import yarnps.client.EmbeddedCluster;
import yarnps.client.YarnPsClient;
import yarnps.conf.PsKeys;
import yarnps.examples.demo.JobResult;
import yarnps.examples.demo.LrJobConf;
import yarnps.examples.gen.ClickLogGenerator;

/**
 * {@code bin/yarnps experiment staleness}: the consistency trade-off, measured. On one embedded
 * HDFS + YARN it runs the LR example once per delay bound tau (bounded delay; "inf" is eventual
 * consistency) with the last worker slowed down by a factor (a straggler), and prints per tau one
 * line {@code STALENESS tau=<t> time_to_target_s=<n> idle_frac=<n> logloss=<n>}: the training time
 * until worker 0's test logloss (evaluated after every epoch) first reached the target, the share
 * of worker 0's training time spent waiting on the servers, and the final test logloss. It writes
 * the table and a chart to a Markdown page.
 */
public final class StalenessExperiment {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StalenessExperiment.class);

  private StalenessExperiment() {}

  /** Options; see {@link #USAGE}. */
  static final class Options {
    String yarnpsJar;
    String jobJar;
    List<Integer> taus = List.of(0, 1, 2, 4, 8, Integer.MAX_VALUE);
    int servers = 2;
    int workers = 3;
    double straggler = 4;
    double slowShare = 1;
    long trainRows = 90_000;
    long testRows = 10_000;
    int epochs = 6;
    int vocab = 5_000;
    int batch = 200;
    double target = Double.NaN;
    File dir = new File("target/yarnps-staleness");
    File doc = new File("docs/staleness.md");
    File chart = new File("docs/images/staleness.png");
  }

  static final String USAGE = """
      usage: bin/yarnps experiment staleness [--taus 0,1,2,4,8,inf] [--workers 3] [--servers 2]
                 [--straggler-factor 4] [--straggler-probability 1] [--train-rows 90000] [--test-rows 10000] [--epochs 6]
                 [--batch 200] [--target-logloss X] [--doc docs/staleness.md] [--chart docs/images/staleness.png]
        target default: halfway between the hidden model's test logloss and the constant predictor's""";

  static Options parse(String[] args) {
    Options o = new Options();
    int i = 0;
    if (args.length > 0 && args[0].equals("staleness")) {
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
        case "--taus" -> {
          List<Integer> t = new ArrayList<>();
          for (String s : v.split(",")) {
            t.add(s.trim().equals("inf") ? Integer.MAX_VALUE : Integer.parseInt(s.trim()));
          }
          o.taus = List.copyOf(t);
        }
        case "--workers" -> o.workers = Integer.parseInt(v);
        case "--servers" -> o.servers = Integer.parseInt(v);
        case "--straggler-factor" -> o.straggler = Double.parseDouble(v);
        case "--straggler-probability" -> o.slowShare = Double.parseDouble(v);
        case "--train-rows" -> o.trainRows = Long.parseLong(v);
        case "--test-rows" -> o.testRows = Long.parseLong(v);
        case "--epochs" -> o.epochs = Integer.parseInt(v);
        case "--batch" -> o.batch = Integer.parseInt(v);
        case "--target-logloss" -> o.target = Double.parseDouble(v);
        case "--dir" -> o.dir = new File(v);
        case "--doc" -> o.doc = new File(v);
        case "--chart" -> o.chart = new File(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (o.yarnpsJar == null || o.jobJar == null) {
      throw new IllegalArgumentException("--yarnps-jar and --job-jar are required (bin/yarnps sets them)");
    }
    if (o.workers < 2 || !(o.straggler >= 1)) {
      throw new IllegalArgumentException("--workers must be >= 2 and --straggler-factor >= 1");
    }
    return o;
  }

  /** One run's figures. */
  record Run(int tau, double timeToTarget, double idleFraction, double logloss, double auc, double trainSeconds) {
    String tauText() {
      return tau == Integer.MAX_VALUE ? "inf" : String.valueOf(tau);
    }

    String line() {
      return String.format(Locale.ROOT, "STALENESS tau=%s time_to_target_s=%s idle_frac=%.3f logloss=%.4f",
          tauText(), Double.isNaN(timeToTarget) ? "nan" : String.format(Locale.ROOT, "%.2f", timeToTarget),
          idleFraction, logloss);
    }
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("experiment staleness: " + e.getMessage());
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
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = new File(dir, "data");
    g.trainRows = o.trainRows;
    g.testRows = o.testRows;
    g.vocab = o.vocab;
    g.files = 2 * o.workers;
    g.seed = 7;
    ClickLogGenerator.Summary gen = ClickLogGenerator.generate(g);
    double target = Double.isNaN(o.target)
        ? gen.truthLogloss() + 0.5 * (gen.baselineLogloss() - gen.truthLogloss()) : o.target;
    System.out.printf(Locale.ROOT, "data: %,d train / %,d test rows; hidden model logloss %.4f, constant predictor %.4f;"
        + " target %.4f%n", o.trainRows, o.testRows, gen.truthLogloss(), gen.baselineLogloss(), target);
    List<Run> runs = new ArrayList<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.start(new File(dir, "cluster"), 6144, 8)) {
      Configuration conf = cluster.conf();
      FileSystem fs = FileSystem.get(conf);
      Path base = fs.makeQualified(new Path("/user/" + System.getProperty("user.name") + "/staleness"));
      fs.copyFromLocalFile(false, true, new Path(new File(g.out, "train").getAbsolutePath()), new Path(base, "train"));
      fs.copyFromLocalFile(false, true, new Path(new File(g.out, "test").getAbsolutePath()), new Path(base, "test"));
      for (int tau : o.taus) {
        String output = new Path(base, "out-" + (tau == Integer.MAX_VALUE ? "inf" : tau)).toString();
        Configuration job = LrJobConf.of(conf, o.yarnpsJar, o.jobJar, new Path(base, "train").toString(),
            new Path(base, "test").toString(), output, o.servers, o.workers, o.epochs);
        job.set(PsKeys.APP_NAME.name(), "staleness-tau-" + (tau == Integer.MAX_VALUE ? "inf" : tau));
        if (tau == Integer.MAX_VALUE) {
          job.set(PsKeys.CONSISTENCY.name(), "eventual");
        } else {
          job.set(PsKeys.CONSISTENCY.name(), "bounded");
          job.setInt(PsKeys.CONSISTENCY_TAU.name(), tau);
        }
        job.setInt("lr.batch.size", o.batch);
        job.setInt("lr.test.every.epochs", 1);
        job.setInt("lr.straggler.worker", o.workers - 1);
        job.set("lr.straggler.factor", String.valueOf(o.straggler));
        job.set("lr.straggler.probability", String.valueOf(o.slowShare));
        job.set("lr.target.logloss", String.valueOf(target));
        YarnPsClient client = new YarnPsClient(System.out, System.err);
        int rc = ToolRunner.run(job, client, new String[] {"submit"});
        if (rc != YarnPsClient.EXIT_OK) {
          System.out.println("experiment: the job for tau " + tau + " did not succeed (exit " + rc + ")");
          return rc;
        }
        JobResult r = JobResult.read(conf, output);
        Run run = new Run(tau, r.metrics().getOrDefault("time_to_target_s", Double.NaN),
            r.metrics().getOrDefault("idle_frac", Double.NaN), r.metric("logloss"), r.metric("auc"),
            r.metrics().getOrDefault("train_s", Double.NaN));
        runs.add(run);
        System.out.println(run.line());
      }
    }
    System.out.println();
    for (Run r : runs) {
      System.out.println(r.line());
    }
    StalenessChart.write(runs, target, o.chart);
    writeDoc(o, runs, target, gen);
    System.out.println("wrote " + o.doc + " and " + o.chart);
    return 0;
  }

  private static void writeDoc(Options o, List<Run> runs, double target, ClickLogGenerator.Summary gen)
      throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# The staleness trade-off, measured\n\n");
    md.append(String.format(Locale.ROOT, "`bin/yarnps experiment staleness` ran the LR example on the embedded HDFS + YARN, "
        + "%d servers x %d workers, %,d training / %,d test rows, %d epochs of minibatches of %d, with worker %d "
        + "slowed down %.1fx in %.0f%% of its batches (after such a batch it sleeps %.1fx the time the batch took). "
        + "One minibatch is one clock. Per delay bound tau (bounded delay; inf is eventual consistency):%n%n",
        o.servers, o.workers, o.trainRows, o.testRows, o.epochs, o.batch, o.workers - 1, o.straggler,
        100 * o.slowShare, o.straggler - 1));
    md.append("- **time to target**: training time until worker 0's test logloss, evaluated after every epoch, first ")
        .append(String.format(Locale.ROOT, "reached %.4f (halfway between the hidden model's %.4f and the constant "
            + "predictor's %.4f); `nan` when it never did;%n", target, gen.truthLogloss(), gen.baselineLogloss()));
    md.append("- **idle**: the share of worker 0's training time spent waiting for the servers (pulls held back by the "
        + "bound, and pushes);\n- **logloss**: the final test logloss.\n\n");
    md.append("| tau | time to target (s) | idle fraction | final test logloss | final test AUC | training time (s) |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.4f | %.4f | %.1f |%n", r.tauText(),
          Double.isNaN(r.timeToTarget()) ? "nan" : String.format(Locale.ROOT, "%.2f", r.timeToTarget()),
          r.idleFraction(), r.logloss(), r.auc(), r.trainSeconds()));
    }
    md.append("\n![time to target and idle fraction per tau](images/").append(o.chart.getName()).append(")\n\n");
    md.append("Raw lines:\n\n```\n");
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
