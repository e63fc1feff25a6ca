package yarnps.bench;

import java.util.Arrays;

/**
 * The statistics of the push/pull benchmark: latency percentiles of one repetition and the
 * median and range of a figure over repetitions. Works on primitive arrays; no boxing.
 */
public final class BenchStats {
  private BenchStats() {}

  /** Mean, median and 99th percentile of one repetition's latencies, in nanoseconds. */
  public record Latency(int count, double meanNs, long p50Ns, long p99Ns) {}

  /** A figure over repetitions: its median, smallest and largest value. */
  public record Spread(double median, double min, double max) {}

  /**
   * The nearest-rank percentile of {@code sorted[0, n)}, sorted ascending: the smallest value
   * such that at least {@code p} percent of the values are at or below it.
   *
   * @throws IllegalArgumentException if n is 0 or p is outside [0, 100]
   */
  public static long percentile(long[] sorted, int n, double p) {
    if (n <= 0 || n > sorted.length) {
      throw new IllegalArgumentException("percentile of " + n + " values (array of " + sorted.length + ")");
    }
    if (!(p >= 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
    }
    long rank = (long) Math.ceil(p / 100.0 * n);
    int index = (int) Math.max(0, Math.min(n - 1, rank - 1));
    return sorted[index];
  }

  /** Mean of {@code v[0, n)}; 0 when n is 0. */
  public static double mean(long[] v, int n) {
    if (n == 0) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += v[i];
    }
    return sum / n;
  }

  /** Sorts {@code v[0, n)} in place and summarizes it. */
  public static Latency latency(long[] v, int n) {
    if (n == 0) {
      return new Latency(0, 0, 0, 0);
    }
    Arrays.sort(v, 0, n);
    return new Latency(n, mean(v, n), percentile(v, n, 50), percentile(v, n, 99));
  }

  /**
   * The median (the mean of the two middle values for an even count), minimum and maximum of
   * {@code values}; {@code values} is not changed.
   *
   * @throws IllegalArgumentException if values is empty
   */
  public static Spread spread(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("spread of no values");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    double median = s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    return new Spread(median, s[0], s[s.length - 1]);
  }
}
