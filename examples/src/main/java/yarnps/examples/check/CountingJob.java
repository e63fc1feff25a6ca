package yarnps.examples.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.conf.ConfigKey;
import yarnps.worker.api.KeyList;
import yarnps.worker.api.ParameterClient;
import yarnps.worker.api.PsJob;
import yarnps.worker.api.WorkerContext;

/**
 * A job whose right answer is known, to check that recovery loses and doubles nothing: every worker
 * pushes +1 to each of {@code count.keys} keys once per clock for {@code count.clocks} clocks, so
 * at the end every key must hold exactly workers x clocks. Worker 0 pulls every key after the
 * others finished and reports {@code count_expected}, {@code count_min}, {@code count_max},
 * {@code keys_wrong} and {@code lost_updates} (expected total minus the total held; negative when
 * updates were counted twice).
 *
 * <p>It also measures how long the servers were out of reach: every worker gauges the longest gap
 * between two acknowledged pushes ({@code max_push_gap_ms}) and when the push that ended it was
 * acknowledged ({@code push_resumed_at_ms}, epoch ms), which the recovery experiment reads.
 */
public final class CountingJob implements PsJob {
  private static final Logger LOG = LoggerFactory.getLogger(CountingJob.class);

  static final ConfigKey<Long> CLOCKS =
      ConfigKey.longKey("count.clocks", 200, 1, 1L << 40, "Clocks each worker runs; one push per clock.");
  static final ConfigKey<Integer> KEYS =
      ConfigKey.intKey("count.keys", 10_000, 1, 1 << 26, "Keys every push adds 1 to, spread over the key space.");
  static final ConfigKey<Integer> CLOCK_MS =
      ConfigKey.intKey("count.clock.ms", 20, 0, 600_000, "Pause after each clock, ms, to stretch the job in time.");
  static final ConfigKey<String> FAST_WORKERS =
      ConfigKey.stringKey("count.fast.workers", "", "Workers (comma-separated indexes) that do not pause between clocks"
          + " and finish without waiting for the others, so they finish first.");
  static final ConfigKey<String> TABLE =
      ConfigKey.stringKey("count.table", "w", "Table to count in; its updater must be plain add (the default).");

  /** Kept across runs of this worker (a rollback runs the job again on the same instance). */
  private long lastAckMs;
  private long maxGapMs;
  private long resumedAtMs;

  @Override
  public String configPrefix() {
    return "count.";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(CLOCKS, KEYS, CLOCK_MS, FAST_WORKERS, TABLE);
  }

  /** The job's keys: n keys spread over the whole unsigned key space, sorted (unsigned) and unique. */
  static long[] keys(int n) {
    long[] keys = new long[n];
    long step = Long.divideUnsigned(-1L, n);
    for (int i = 0; i < n; i++) {
      keys[i] = step * i + 12_345;
    }
    return keys;
  }

  @Override
  public void run(WorkerContext ctx) throws Exception {
    Configuration conf = ctx.conf();
    long clocks = CLOCKS.get(conf);
    int n = KEYS.get(conf);
    boolean fast = fast(FAST_WORKERS.get(conf), ctx.workerIndex());
    int pause = fast ? 0 : CLOCK_MS.get(conf);
    String table = TABLE.get(conf);
    ParameterClient ps = ctx.params();
    if (ps.width(table) != 1) {
      throw new IllegalArgumentException("count.table=" + table + " must have width 1, has " + ps.width(table));
    }
    KeyList keys = ps.keys(keys(n));
    float[] ones = new float[n];
    java.util.Arrays.fill(ones, 1f);
    long from = ctx.resumeClock();
    LOG.info("worker {} counts clocks {}..{} on {} keys", ctx.workerIndex(), from, clocks - 1, n);
    for (long c = from; c < clocks; c++) {
      ps.push(table, keys, ones).get();
      noteAck();
      ps.advanceClock();
      ctx.progress((c + 1.0) / clocks);
      if (pause > 0) {
        Thread.sleep(pause);
      }
    }
    ps.leaveClockGroup().get();
    ctx.gauge("max_push_gap_ms", maxGapMs);
    ctx.gauge("push_resumed_at_ms", resumedAtMs);
    if (fast && ctx.workerIndex() != 0) {
      // Finishes now: worker 0's barrier does not wait for a worker that finished.
      return;
    }
    ctx.barrier("counted");
    if (ctx.workerIndex() != 0) {
      return;
    }
    float[] held = ps.pull(table, keys(n)).get();
    long expected = (long) ctx.numWorkers() * clocks;
    double total = 0;
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    long wrong = 0;
    for (float v : held) {
      total += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (v != expected) {
        wrong++;
      }
    }
    double lost = (double) expected * n - total;
    Map<String, Double> result = new LinkedHashMap<>();
    result.put("count_expected", (double) expected);
    result.put("count_min", (double) min);
    result.put("count_max", (double) max);
    result.put("keys_wrong", (double) wrong);
    result.put("lost_updates", lost);
    // This worker's longest wait for the servers, and when it ended (epoch ms): for the recovery experiment.
    result.put("max_push_gap_ms", (double) maxGapMs);
    result.put("push_resumed_at_ms", (double) resumedAtMs);
    LOG.info("counted: expected {} per key, held {}..{}, {} keys wrong, {} updates lost", expected, min, max, wrong,
        lost);
    ctx.reportFinal(result, Map.of());
  }

  /** Whether worker is in the comma-separated list of indexes. */
  static boolean fast(String list, int worker) {
    for (String w : list.split(",")) {
      String t = w.strip();
      if (t.isEmpty()) {
        continue;
      }
      try {
        if (Integer.parseInt(t) == worker) {
          return true;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(FAST_WORKERS.name() + "=" + list + ": '" + t + "' is not a worker index", e);
      }
    }
    return false;
  }

  private void noteAck() {
    long now = System.currentTimeMillis();
    if (lastAckMs > 0 && now - lastAckMs > maxGapMs) {
      maxGapMs = now - lastAckMs;
      resumedAtMs = now;
    }
    lastAckMs = now;
  }
}
