package yarnps.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import yarnps.bench.BenchCase.Op;
import yarnps.bench.BenchStats.Spread;

/**
 * Prints the benchmark's results: a human table per case as it finishes, and at the end one
 * machine-readable line per loopback size and per (handler, shape, case, op):
 * <pre>
 * BENCH handler=&lt;store|empty|none&gt; case=&lt;c&gt; op=&lt;push|pull|pushpull|stream&gt; servers=&lt;S&gt; workers=&lt;W&gt;
 *       ops_s=&lt;n&gt; mkeys_s=&lt;n&gt; value_mb_s=&lt;n&gt; p50_ms=&lt;n&gt;
 * </pre>
 * (one line each). Figures are medians over repetitions; ops/s, keys/s and MB/s are summed over
 * workers; MB is 10^6 bytes of float32 values (keys not counted), a push+pull counting both
 * value blocks; latency is per operation, issue to completion, over all workers' operations.
 */
final class BenchReport {
  /** One repetition of one (case, op) across all workers. */
  record Rep(double opsPerSec, BenchStats.Latency latency) {}

  /** The repetitions of one (handler, shape, case, op) reduced to spreads. */
  record Result(String handler, int servers, int workers, String caseId, String op, Spread opsPerSec,
      Spread mkeysPerSec, Spread valueMbPerSec, Spread meanMs, Spread p50Ms, Spread p99Ms) {}

  private final PrintStream out;
  private final List<Result> results = new ArrayList<>();

  BenchReport(PrintStream out) {
    this.out = out;
  }

  Result add(String handler, int servers, int workers, BenchCase c, Op op, List<Rep> reps) {
    int n = reps.size();
    double[] ops = new double[n];
    double[] keys = new double[n];
    double[] mb = new double[n];
    double[] mean = new double[n];
    double[] p50 = new double[n];
    double[] p99 = new double[n];
    for (int i = 0; i < n; i++) {
      Rep r = reps.get(i);
      ops[i] = r.opsPerSec();
      keys[i] = r.opsPerSec() * c.keysPerOp / 1e6;
      mb[i] = r.opsPerSec() * c.valueBytesPerOp(op) / 1e6;
      mean[i] = r.latency().meanNs() / 1e6;
      p50[i] = r.latency().p50Ns() / 1e6;
      p99[i] = r.latency().p99Ns() / 1e6;
    }
    Result res = new Result(handler, servers, workers, c.id, op.id(), BenchStats.spread(ops), BenchStats.spread(keys),
        BenchStats.spread(mb), BenchStats.spread(mean), BenchStats.spread(p50), BenchStats.spread(p99));
    results.add(res);
    return res;
  }

  /** The loopback reference of one write size. */
  void addLoopback(String caseId, List<LoopbackBench.Run> runs) {
    int n = runs.size();
    double[] writes = new double[n];
    double[] mb = new double[n];
    double[] p50 = new double[n];
    for (int i = 0; i < n; i++) {
      LoopbackBench.Run r = runs.get(i);
      writes[i] = r.writesPerSecond();
      mb[i] = r.mbPerSecond();
      long[] w = r.writeNanos().clone();
      p50[i] = BenchStats.latency(w, w.length).p50Ns() / 1e6;
    }
    Spread zero = new Spread(0, 0, 0);
    Spread mbs = BenchStats.spread(mb);
    results.add(new Result("none", 1, 1, caseId, "stream", BenchStats.spread(writes), zero, mbs, zero,
        BenchStats.spread(p50), zero));
    out.printf(Locale.ROOT, "loopback TCP, %s writes, %d reps: %s MB/s, %s writes/s%n", caseId.substring("loopback".length()),
        n, spread(mbs), spread(BenchStats.spread(writes)));
    out.flush();
  }

  /** The human table of one case: one row per op, each cell "median [min-max]". */
  void printCase(String handler, int servers, int workers, BenchCase c, int reps, long millis, List<Result> rows) {
    out.printf(Locale.ROOT, "%nhandler=%s servers=%d workers=%d case=%s: %,d keys/op, %d in flight per worker, "
        + "%d reps x %.1f s; median [min-max] over reps%n", handler, servers, workers, c.id, c.keysPerOp, c.inFlight,
        reps, millis / 1000.0);
    out.printf(Locale.ROOT, "%-9s %-26s %-26s %-26s %-26s %-26s %-26s%n", "op", "ops/s", "Mkeys/s", "value MB/s",
        "mean ms", "p50 ms", "p99 ms");
    for (Result r : rows) {
      out.printf(Locale.ROOT, "%-9s %-26s %-26s %-26s %-26s %-26s %-26s%n", r.op(), spread(r.opsPerSec()),
          spread(r.mkeysPerSec()), spread(r.valueMbPerSec()), spread(r.meanMs()), spread(r.p50Ms()),
          spread(r.p99Ms()));
    }
    out.flush();
  }

  /** Every result so far as one BENCH line each, loopback first. */
  void printBenchLines() {
    out.println();
    for (Result r : results) {
      out.println(benchLine(r));
    }
    out.flush();
  }

  static String benchLine(Result r) {
    return String.format(Locale.ROOT, "BENCH handler=%s case=%s op=%s servers=%d workers=%d ops_s=%.1f mkeys_s=%.3f "
        + "value_mb_s=%.1f p50_ms=%.4f", r.handler(), r.caseId(), r.op(), r.servers(), r.workers(),
        r.opsPerSec().median(), r.mkeysPerSec().median(), r.valueMbPerSec().median(), r.p50Ms().median());
  }

  static String spread(Spread s) {
    return num(s.median()) + " [" + num(s.min()) + "-" + num(s.max()) + "]";
  }

  /** Three to four significant digits, no exponent. */
  static String num(double v) {
    double a = Math.abs(v);
    String f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 1 ? "%.3f" : "%.4f";
    return String.format(Locale.ROOT, f, v);
  }
}
