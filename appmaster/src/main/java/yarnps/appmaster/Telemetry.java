package yarnps.appmaster;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The job's throughput over time, for the tracking page's chart and {@code api/v1/metrics}: every
 * {@code intervalMs} one sample of the servers' push and pull rates and bytes in and out (from the
 * counters in their heartbeats, see {@link CounterRates}), the running workers' examples per
 * second (their {@code examples_per_sec} gauge) and the job's progress.
 */
final class Telemetry {

  /** One sample; {@code tMs} is the time since the AM started. */
  record Sample(long tMs, double pushesPerSec, double pullsPerSec, double bytesInPerSec, double bytesOutPerSec,
      double examplesPerSec, double progress) {}

  private static final int CAPACITY = 3_600;

  private final JobState state;
  private final LongSupplier clockMs;
  private final long intervalMs;
  private final Series<Sample> samples = new Series<>(CAPACITY);
  private long lastSampleMs = Long.MIN_VALUE;

  Telemetry(JobState state, LongSupplier clockMs, long intervalMs) {
    this.state = state;
    this.clockMs = clockMs;
    this.intervalMs = intervalMs;
  }

  /** Takes a sample if {@code intervalMs} passed since the last; returns whether it did. */
  synchronized boolean maybeSample() {
    long now = clockMs.getAsLong();
    if (lastSampleMs != Long.MIN_VALUE && now - lastSampleMs < intervalMs) {
      return false;
    }
    lastSampleMs = now;
    samples.add(current(now - state.startMs()));
    return true;
  }

  private Sample current(long tMs) {
    double progress = state.progress();
    return state.withMembers(members -> {
      double[] sum = new double[5];
      for (Member m : members) {
        if (m.state == Member.State.FAILED) {
          continue;
        }
        switch (m.role) {
          case SERVER -> {
            sum[0] += m.rates.perSecond("pushes");
            sum[1] += m.rates.perSecond("pulls");
            sum[2] += m.rates.perSecond("bytes_in");
            sum[3] += m.rates.perSecond("bytes_out");
          }
          case WORKER -> {
            if (m.state == Member.State.REGISTERED) {
              sum[4] += m.metrics.getOrDefault("examples_per_sec", 0.0);
            }
          }
          default -> { }
        }
      }
      return new Sample(tMs, sum[0], sum[1], sum[2], sum[3], sum[4], progress);
    });
  }

  /** The samples after sequence number {@code seq}, oldest first. */
  List<Series.Point<Sample>> since(long seq) {
    return samples.since(seq);
  }

  /** The newest sample, or null before the first. */
  Sample latest() {
    return samples.last();
  }
}
