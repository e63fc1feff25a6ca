package yarnps.examples.lr;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.conf.ConfigKey;
import yarnps.conf.PsKeys;
import yarnps.worker.api.InputSplit;
import yarnps.worker.api.LineReader;
import yarnps.worker.api.ParameterClient;
import yarnps.worker.api.PsJob;
import yarnps.worker.api.WorkerContext;

/**
 * Sparse binary logistic regression on libsvm text ({@link LibSvmParser}).
 *
 * <p>Each worker trains on its {@code train} splits in minibatches of {@code lr.batch.size}
 * examples: it pulls the weights of the batch's unique keys from table {@code lr.table} (width 1),
 * computes {@code p = sigmoid(w . x)} per example and pushes the summed logloss gradient
 * {@code g_k = sum (p - y) x_k}; the table's server-side updater ({@code yarnps.table.NAME.updater}:
 * ftrl, adagrad or sgd, with {@code l1}/{@code l2}) turns gradients into weights. Key 0 is the bias,
 * present in every example with value 1. Pulls and pushes overlap the computation
 * ({@link BatchPipeline}).
 *
 * <p>Reports: progress; gauges {@code examples} (this worker's training examples per epoch),
 * {@code examples_trained} (so far, over all epochs) and {@code examples_per_sec}; every
 * {@code lr.report.every.batches} batches the series point {@code train_logloss} (mean over those
 * batches) at clock = batches done. With {@code lr.test.every.epochs} = n > 0, worker 0 evaluates
 * the test set after every n-th epoch and reports the series point {@code test_logloss},
 * {@code test_auc}; it reports that point after training in any case. After training every
 * worker meets at barrier {@code trained}; then worker 0 has the servers save the table to
 * {@code <yarnps.output>/model} ({@code yarnps.model.ModelFormat}), evaluates the whole
 * {@code yarnps.input.test} set if one is given, and reports the final metrics {@code auc},
 * {@code logloss}, {@code test_examples}, {@code train_examples} (its own, per epoch),
 * {@code train_examples_per_sec_per_worker} (its own) and {@code model_keys}, with the label
 * {@code model} = the model directory.
 */
public final class LogisticRegression implements PsJob {
  private static final Logger LOG = LoggerFactory.getLogger(LogisticRegression.class);

  public static final ConfigKey<Integer> EPOCHS =
      ConfigKey.intKey("lr.epochs", 5, 1, 100_000, "Passes over the training data.");
  public static final ConfigKey<Integer> BATCH =
      ConfigKey.intKey("lr.batch.size", 500, 1, 10_000_000, "Examples per minibatch.");
  public static final ConfigKey<String> TABLE =
      ConfigKey.stringKey("lr.table", "w", "Parameter table holding the weights; must have width 1.");
  public static final ConfigKey<Boolean> CACHE =
      ConfigKey.boolKey("lr.cache", true,
          "Keep the parsed training examples in memory across epochs; false re-reads the input every epoch.");
  public static final ConfigKey<Integer> REPORT_EVERY =
      ConfigKey.intKey("lr.report.every.batches", 20, 1, 1_000_000,
          "Report the mean training logloss every this many minibatches.");
  public static final ConfigKey<Integer> TEST_EVERY =
      ConfigKey.intKey("lr.test.every.epochs", 0, 0, 100_000,
          "Worker 0 evaluates the test set every this many epochs and reports test_logloss and test_auc"
              + " (0: only after training).");

  public static final ConfigKey<Integer> STRAGGLER =
      ConfigKey.intKey("lr.straggler.worker", -1, -1, 65535,
          "For experiments: this worker computes lr.straggler.factor times slower (-1: none).");
  public static final ConfigKey<Double> STRAGGLER_FACTOR =
      ConfigKey.doubleKey("lr.straggler.factor", 1.0, 1.0, 1000.0,
          "How much slower the straggler computes (it sleeps factor - 1 times its compute time per batch).");
  public static final ConfigKey<Double> STRAGGLER_PROBABILITY =
      ConfigKey.doubleKey("lr.straggler.probability", 1.0, 0.0, 1.0,
          "The share of the straggler's batches that are slowed (1: every batch; less: random bursts).");
  public static final ConfigKey<Double> TARGET_LOGLOSS =
      ConfigKey.doubleKey("lr.target.logloss", 0.0, 0.0, 100.0,
          "For experiments: worker 0 reports time_to_target_s, the training time (evaluations excluded) until"
              + " its periodic test logloss first reached this; 0 turns it off.");

  /** Feature occurrences per pull when evaluating: bounds the unique keys of one pull. */
  static final int EVAL_CHUNK_KEYS = 100_000;

  @Override
  public String configPrefix() {
    return "lr.";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(EPOCHS, BATCH, TABLE, CACHE, REPORT_EVERY, TEST_EVERY, STRAGGLER, STRAGGLER_FACTOR,
        STRAGGLER_PROBABILITY, TARGET_LOGLOSS);
  }

  @Override
  public void run(WorkerContext ctx) throws Exception {
    Configuration conf = ctx.conf();
    int epochs = EPOCHS.get(conf);
    int batch = BATCH.get(conf);
    String table = TABLE.get(conf);
    ParameterClient ps = ctx.params();
    if (ps.width(table) != 1) {
      throw new IllegalArgumentException("lr.table=" + table + " must have width 1, has " + ps.width(table));
    }
    List<InputSplit> splits = ctx.splits("train");
    int testEvery = ctx.workerIndex() == 0 && !PsKeys.INPUT_TEST.get(conf).isEmpty() ? TEST_EVERY.get(conf) : 0;
    Reporter reporter = new Reporter(ctx, REPORT_EVERY.get(conf));
    BatchPipeline pipeline = new BatchPipeline(ps, table, reporter);
    // One batch is one clock: a run that resumes at clock c skips the first c batches.
    pipeline.resumeAt(ctx.resumeClock());
    if (ctx.workerIndex() == STRAGGLER.get(conf)) {
      pipeline.slowdown(STRAGGLER_FACTOR.get(conf), STRAGGLER_PROBABILITY.get(conf));
      LOG.info("worker {} plays a straggler: {}x slower", ctx.workerIndex(), STRAGGLER_FACTOR.get(conf));
    }
    Clockwork time = new Clockwork(TARGET_LOGLOSS.get(conf));
    long examples = 0;
    if (CACHE.get(conf)) {
      RowBlock all = new RowBlock();
      LibSvmParser.Example ex = new LibSvmParser.Example();
      for (InputSplit s : splits) {
        try (LineReader in = ctx.openLines(s)) {
          while (in.next()) {
            if (parse(ctx, in, ex, true)) {
              all.add(ex);
            }
          }
        }
      }
      examples = all.rows();
      ctx.gauge("examples", examples);
      LOG.info("worker {}: {} training examples ({} features) from {} splits cached", ctx.workerIndex(),
          all.rows(), all.nnz(), splits.size());
      reporter.start();
      time.start();
      for (int e = 0; e < epochs; e++) {
        for (int from = 0; from < all.rows(); from += batch) {
          int to = Math.min(all.rows(), from + batch);
          pipeline.submit(all, from, to);
          ctx.progress((e + (double) to / all.rows()) / epochs);
        }
        testAfterEpoch(ctx, table, pipeline, e, epochs, testEvery, time);
      }
    } else {
      reporter.start();
      time.start();
      for (int e = 0; e < epochs; e++) {
        examples = streamEpoch(ctx, splits, pipeline, batch, e, epochs);
        if (e == 0) {
          ctx.gauge("examples", examples);
        }
        testAfterEpoch(ctx, table, pipeline, e, epochs, testEvery, time);
      }
    }
    pipeline.flush();
    time.stop(pipeline.idleNanos());
    // Out of data: no one may wait for this worker's clock now (workers can have uneven splits).
    BatchPipeline.await(ps.leaveClockGroup());
    double rate = reporter.rate();
    ctx.gauge("examples_per_sec", rate);
    ctx.gauge("examples_trained", reporter.examplesTrained);
    ctx.progress(1.0);
    LOG.info("worker {}: trained {} examples in {} batches, {} examples/s", ctx.workerIndex(),
        reporter.examplesTrained, pipeline.batches(), String.format("%.0f", rate));
    ctx.barrier("trained");
    if (ctx.workerIndex() == 0) {
      finish(ctx, table, examples, rate, pipeline.batches(), time);
    }
  }

  /** After every testEvery-th epoch but the last (evaluated after training anyway): test metrics as a series point. */
  private static void testAfterEpoch(WorkerContext ctx, String table, BatchPipeline pipeline, int epoch, int epochs,
      int testEvery, Clockwork time) throws IOException {
    if (testEvery > 0 && (epoch + 1) % testEvery == 0 && epoch + 1 < epochs && !pipeline.skipping()) {
      pipeline.flush();
      long e0 = System.nanoTime();
      Evaluator.Result r = evaluate(ctx, table);
      time.evaluated(e0, r.logloss());
      ctx.report(pipeline.batches(), Map.of("test_logloss", r.logloss(), "test_auc", r.auc()));
      LOG.info("after epoch {}: test AUC {} logloss {}", epoch + 1, r.auc(), r.logloss());
    }
  }

  /** Parses the reader's current line; a malformed one goes to ctx.malformed when {@code count}. */
  private static boolean parse(WorkerContext ctx, LineReader in, LibSvmParser.Example ex, boolean count)
      throws IOException {
    String err = LibSvmParser.parse(in.bytes(), in.length(), ex);
    if (err == null) {
      return true;
    }
    if (count && err != LibSvmParser.BLANK) {
      ctx.malformed(in, err);
    }
    return false;
  }

  /** One epoch over the splits read afresh; returns the examples trained on. */
  private static long streamEpoch(WorkerContext ctx, List<InputSplit> splits, BatchPipeline pipeline, int batch,
      int epoch, int epochs) throws IOException {
    RowBlock rows = new RowBlock();
    LibSvmParser.Example ex = new LibSvmParser.Example();
    long total = 0;
    for (int si = 0; si < splits.size(); si++) {
      InputSplit split = splits.get(si);
      try (LineReader in = ctx.openLines(split)) {
        // Malformed lines are reported in the first epoch only, so each is counted once.
        while (in.next()) {
          if (!parse(ctx, in, ex, epoch == 0)) {
            continue;
          }
          rows.add(ex);
          if (rows.rows() == batch) {
            pipeline.submit(rows, 0, batch);
            total += batch;
            rows.clear();
            double inSplit = Math.min(1.0, in.bytesRead() / (double) Math.max(1, split.length()));
            ctx.progress((epoch + (si + inSplit) / splits.size()) / epochs);
          }
        }
      }
    }
    pipeline.submit(rows, 0, rows.rows());
    total += rows.rows();
    ctx.progress((epoch + 1.0) / epochs);
    return total;
  }

  /** Training loss series, gauges and throughput. */
  private static final class Reporter implements BatchPipeline.Listener {
    private final WorkerContext ctx;
    private final int every;
    private long startNanos;
    long examplesTrained;
    private double lossSum;
    private long lossRows;

    Reporter(WorkerContext ctx, int every) {
      this.ctx = ctx;
      this.every = every;
    }

    void start() {
      startNanos = System.nanoTime();
    }

    double rate() {
      return examplesTrained / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    }

    @Override
    public void batchDone(long batches, int rows, double loss) throws IOException {
      examplesTrained += rows;
      lossSum += loss;
      lossRows += rows;
      if (batches % every == 0) {
        ctx.report(batches, Map.of("train_logloss", lossSum / lossRows));
        ctx.gauge("examples_per_sec", rate());
        ctx.gauge("examples_trained", examplesTrained);
        lossSum = 0;
        lossRows = 0;
      }
    }
  }

  private static void finish(WorkerContext ctx, String table, long trainExamples, double rate, long clock,
      Clockwork time) throws Exception {
    Configuration conf = ctx.conf();
    String modelDir = PsKeys.OUTPUT.require(conf) + "/model";
    List<ParameterClient.SavedPart> parts = BatchPipeline.await(ctx.params().save(table, modelDir));
    long keys = parts.stream().mapToLong(ParameterClient.SavedPart::keys).sum();
    LOG.info("model saved to {}: {} keys in {} parts", modelDir, keys, parts.size());
    Map<String, Double> metrics = new HashMap<>();
    metrics.put("model_keys", (double) keys);
    metrics.put("train_examples", (double) trainExamples);
    metrics.put("train_examples_per_sec_per_worker", rate);
    if (!PsKeys.INPUT_TEST.get(conf).isEmpty()) {
      Evaluator.Result r = evaluate(ctx, table);
      metrics.put("auc", r.auc());
      metrics.put("logloss", r.logloss());
      metrics.put("test_examples", (double) r.examples());
      time.finalLogloss(r.logloss());
      ctx.report(clock, Map.of("test_logloss", r.logloss(), "test_auc", r.auc()));
      LOG.info("test AUC {} logloss {} on {} examples", r.auc(), r.logloss(), r.examples());
    }
    metrics.putAll(time.metrics());
    ctx.reportFinal(metrics, Map.of("model", modelDir));
  }

  /**
   * Training time with evaluations left out, and when a test logloss target was first met: for the
   * staleness experiment ({@code time_to_target_s}, {@code idle_frac}, {@code train_s}).
   */
  static final class Clockwork {
    private final double target;
    private long start;
    private long evalNanos;
    private long trainNanos = -1;
    private long idleNanos;
    private double reachedSeconds = Double.NaN;

    Clockwork(double target) {
      this.target = target;
    }

    void start() {
      start = System.nanoTime();
    }

    /** An evaluation that began at e0 (ns) ended now with this test logloss. */
    void evaluated(long e0, double logloss) {
      long now = System.nanoTime();
      evalNanos += now - e0;
      if (target > 0 && Double.isNaN(reachedSeconds) && logloss <= target) {
        reachedSeconds = (e0 - start - (evalNanos - (now - e0))) / 1e9;
      }
    }

    void stop(long idle) {
      trainNanos = System.nanoTime() - start - evalNanos;
      idleNanos = idle;
    }

    /** The evaluation after training: the target may be met only now. */
    void finalLogloss(double logloss) {
      if (target > 0 && Double.isNaN(reachedSeconds) && logloss <= target && trainNanos >= 0) {
        reachedSeconds = trainNanos / 1e9;
      }
    }

    Map<String, Double> metrics() {
      Map<String, Double> m = new HashMap<>();
      if (trainNanos > 0) {
        m.put("train_s", trainNanos / 1e9);
        m.put("idle_frac", Math.min(1.0, idleNanos / (double) trainNanos));
      }
      if (!Double.isNaN(reachedSeconds)) {
        m.put("time_to_target_s", reachedSeconds);
      }
      return m;
    }
  }

  /** Test metrics over every test split with the servers' current weights. */
  static Evaluator.Result evaluate(WorkerContext ctx, String table) throws IOException {
    Evaluator eval = new Evaluator(ctx.params(), table, EVAL_CHUNK_KEYS);
    LibSvmParser.Example ex = new LibSvmParser.Example();
    for (InputSplit s : ctx.allSplits("test")) {
      try (LineReader in = ctx.openLines(s)) {
        while (in.next()) {
          if (parse(ctx, in, ex, true)) {
            eval.add(ex);
          }
        }
      }
    }
    return eval.finish();
  }
}
