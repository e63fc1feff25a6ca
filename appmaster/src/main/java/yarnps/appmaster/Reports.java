package yarnps.appmaster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What the workers report: the metric series (training loss, ...) kept for the charts, each
 * worker's latest values, and the job's final results and labels.
 *
 * <p>{@link #report} and the final results are guarded by the owning {@link JobState}'s monitor
 * (used only from its synchronized methods); the series is thread-safe on its own, so the charts
 * read it without that lock.
 */
final class Reports {
  /** Points of the reported metric series kept for the charts (thinned beyond this). */
  private static final int MAX_HISTORY = 20_000;

  private final EventLog events;
  private final LongSupplier clockMs;
  private final long startMs;
  private final Series<JobState.MetricPoint> history = new Series<>(MAX_HISTORY);
  private final Map<String, Double> finalMetrics = new LinkedHashMap<>();
  private final Map<String, String> finalLabels = new LinkedHashMap<>();

  Reports(EventLog events, LongSupplier clockMs, long startMs) {
    this.events = events;
    this.clockMs = clockMs;
    this.startMs = startMs;
  }

  /**
   * Worker {@code m} reported {@code values} at {@code clock}: a final report adds to the job's
   * results (and {@code labels}, may be null), any other to the series and the worker's latest values.
   */
  void report(Member m, long clock, Map<String, Double> values, boolean isFinal, Map<String, String> labels) {
    if (isFinal) {
      finalMetrics.putAll(values);
      if (labels != null) {
        finalLabels.putAll(labels);
      }
      events.info("result from " + m.name() + ": " + new TreeMap<>(values)
          + (labels == null || labels.isEmpty() ? "" : " " + new TreeMap<>(labels)));
      return;
    }
    history.add(new JobState.MetricPoint(m.index, clock, clockMs.getAsLong() - startMs, Map.copyOf(values)));
    Map<String, Double> merged = new HashMap<>(m.lastReport);
    merged.putAll(values);
    m.lastReport = merged;
    m.lastReportClock = clock;
  }

  Map<String, Double> finalMetrics() {
    return new LinkedHashMap<>(finalMetrics);
  }

  Map<String, String> finalLabels() {
    return new LinkedHashMap<>(finalLabels);
  }

  /** Every kept point of the series, oldest first. Thread-safe. */
  List<JobState.MetricPoint> history() {
    List<JobState.MetricPoint> out = new ArrayList<>();
    for (Series.Point<JobState.MetricPoint> p : history.since(0)) {
      out.add(p.value());
    }
    return out;
  }

  /** The series' points after sequence number {@code seq}. Thread-safe. */
  List<Series.Point<JobState.MetricPoint>> historySince(long seq) {
    return history.since(seq);
  }
}
