package yarnps.appmaster;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import yarnps.common.Json;
import yarnps.thrift.KeyRange;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/**
 * Renders the job's state as the JSON documents of the AM's API under {@code /api/v1/}; the
 * tracking page draws itself from them. The documents and their fields are described in the
 * README ("Watching a job").
 */
final class StatusView {
  private static final double TWO_TO_64 = 0x1p64;

  private final JobState state;
  private final Telemetry telemetry;
  private final LongSupplier clockMs;
  private volatile JobInfo info;
  private volatile CheckpointCoordinator checkpoints;

  StatusView(JobState state, Telemetry telemetry, JobInfo info, LongSupplier clockMs) {
    this.state = state;
    this.telemetry = telemetry;
    this.info = info;
    this.clockMs = clockMs;
  }

  JobInfo info() {
    return info;
  }

  JobState.Outcome outcome() {
    return state.outcome();
  }

  /** The source of the checkpoint documents and columns; none: no checkpoints are shown. */
  void checkpoints(CheckpointCoordinator source) {
    this.checkpoints = source;
  }

  /** Replaces the job facts (the queue is known only once the AM registered). */
  void info(JobInfo updated) {
    this.info = updated;
  }

  /** {@code api/v1/status}: the job's summary. */
  String status() {
    JobInfo ji = info;
    Json j = new Json().beginObject()
        .field("application", ji.appId())
        .field("name", ji.name())
        .field("user", ji.user())
        .field("queue", ji.queue())
        .field("consistency", ji.consistency())
        .field("state", state.outcome().name())
        .field("progress", Math.round(state.progress() * 1e6) / 1e6)
        .field("started_ms", state.startMs())
        .field("elapsed_ms", state.elapsedMs())
        .field("layout_version", state.layout().getVersion())
        .field("diagnostics", state.diagnostics());
    state.withMembers(members -> {
      int[] servers = new int[3];
      int[] workers = new int[4];
      long minClock = Long.MAX_VALUE;
      long maxClock = 0;
      Map<String, double[]> lossSum = new TreeMap<>();
      Map<String, Double> test = new TreeMap<>();
      long testClock = -1;
      for (Member m : members) {
        if (m.role == Role.SERVER) {
          servers[0]++;
          servers[1] += m.state == Member.State.REGISTERED ? 1 : 0;
          servers[2] += m.state == Member.State.FAILED ? 1 : 0;
          continue;
        }
        workers[0]++;
        workers[1] += m.state == Member.State.REGISTERED ? 1 : 0;
        workers[2] += m.state == Member.State.FINISHED ? 1 : 0;
        workers[3] += m.state == Member.State.FAILED ? 1 : 0;
        minClock = Math.min(minClock, m.clock);
        maxClock = Math.max(maxClock, m.clock);
        String loss = lossMetric(m.lastReport);
        if (loss != null) {
          double[] s = lossSum.computeIfAbsent(loss, k -> new double[2]);
          s[0] += m.lastReport.get(loss);
          s[1]++;
        }
        if (m.lastReportClock >= testClock) {
          for (Map.Entry<String, Double> e : m.lastReport.entrySet()) {
            if (e.getKey().startsWith("test_")) {
              test.put(e.getKey(), e.getValue());
              testClock = m.lastReportClock;
            }
          }
        }
      }
      j.name("servers").beginObject().field("total", servers[0]).field("registered", servers[1])
          .field("failed", servers[2]).endObject();
      j.name("workers").beginObject().field("total", workers[0]).field("registered", workers[1])
          .field("finished", workers[2]).field("failed", workers[3]).endObject();
      j.name("clock").beginObject().field("min", minClock == Long.MAX_VALUE ? 0 : minClock).field("max", maxClock)
          .endObject();
      j.name("loss");
      if (lossSum.isEmpty()) {
        j.value((String) null);
      } else {
        Map.Entry<String, double[]> first = lossSum.entrySet().iterator().next();
        j.beginObject().field("metric", first.getKey()).field("mean", first.getValue()[0] / first.getValue()[1])
            .field("workers", (long) first.getValue()[1]).endObject();
      }
      return j.numbers("test", test);
    });
    Telemetry.Sample t = telemetry.latest();
    j.name("throughput").beginObject()
        .field("pushes_per_sec", t == null ? 0 : t.pushesPerSec())
        .field("pulls_per_sec", t == null ? 0 : t.pullsPerSec())
        .field("bytes_in_per_sec", t == null ? 0 : t.bytesInPerSec())
        .field("bytes_out_per_sec", t == null ? 0 : t.bytesOutPerSec())
        .field("examples_per_sec", t == null ? 0 : t.examplesPerSec())
        .endObject();
    CheckpointCoordinator ckpts = checkpoints;
    CheckpointCoordinator.Result last = ckpts == null ? null : ckpts.lastCommitted();
    j.field("checkpoints", ckpts == null ? 0L : ckpts.committed())
        .field("last_checkpoint", last == null ? null : describe(last.clock(), last.rows(), last.bytes(), last.durationMs())
            + ", " + last.path());
    writeRecoveries(j);
    j.numbers("result", state.finalMetrics()).strings("labels", state.finalLabels());
    j.name("am").beginObject().field("host", ji.amHost()).field("container", ji.amContainer())
        .field("logs", ji.amLogsUrl()).endObject();
    return j.endObject().toString();
  }

  /**
   * The training loss among a worker's reported metrics: the first name (sorted) containing
   * "loss" that is not a test metric; null if none.
   */
  static String lossMetric(Map<String, Double> reported) {
    String best = null;
    for (String name : reported.keySet()) {
      if (name.contains("loss") && !name.startsWith("test_") && (best == null || name.compareTo(best) < 0)) {
        best = name;
      }
    }
    return best;
  }

  /** {@code api/v1/servers}: one entry per server. */
  String servers() {
    JobInfo ji = info;
    Layout layout = state.layout();
    long now = clockMs.getAsLong();
    CheckpointCoordinator ckpts = checkpoints;
    CheckpointCoordinator.Result last = ckpts == null ? null : ckpts.lastCommitted();
    Json j = new Json().beginObject().name("servers").beginArray();
    state.withMembers(members -> {
      for (Member m : members) {
        if (m.role != Role.SERVER) {
          continue;
        }
        j.beginObject().field("id", m.index).field("state", m.state.name()).field("host", m.host)
            .field("port", m.port).field("container", m.containerId).field("logs", ji.logsUrl(m.nodeHttpAddress, m.containerId));
        int ranges = 0;
        double share = 0;
        j.name("ranges").beginArray();
        for (KeyRange r : layout.getRanges()) {
          if (r.getServer() == m.index) {
            ranges++;
            share += rangeShare(r, layout.getRangesSize());
            j.value(String.format("[%#018x, %#018x)", r.getStart(), r.getLimit()));
          }
        }
        j.endArray().field("key_ranges", ranges).field("key_share", share);
        j.field("keys", m.metrics.getOrDefault("keys", 0.0))
            .field("memory_bytes", m.metrics.getOrDefault("memory_bytes", 0.0))
            .field("pushes", m.metrics.getOrDefault("pushes", 0.0))
            .field("pulls", m.metrics.getOrDefault("pulls", 0.0))
            .field("pushes_per_sec", m.rates.perSecond("pushes"))
            .field("pulls_per_sec", m.rates.perSecond("pulls"))
            .field("bytes_in_per_sec", m.rates.perSecond("bytes_in"))
            .field("bytes_out_per_sec", m.rates.perSecond("bytes_out"))
            .field("last_checkpoint", lastCheckpoint(last, m.index))
            .field("heartbeat_age_ms", m.lastHeartbeatMs == 0 ? -1 : now - m.lastHeartbeatMs)
            .field("diagnostics", m.diagnostics)
            .numbers("metrics", m.metrics)
            .endObject();
      }
      return j;
    });
    return j.endArray().endObject().toString();
  }

  /** The fraction of the unsigned 64-bit key space a range covers (a limit of 0 means 2^64). */
  static double rangeShare(KeyRange r, int numRanges) {
    if (numRanges == 1) {
      return 1.0;
    }
    long size = r.getLimit() - r.getStart();
    double unsigned = size >= 0 ? size : size + TWO_TO_64;
    return unsigned / TWO_TO_64;
  }

  /** {@code api/v1/workers}: one entry per worker. */
  String workers() {
    JobInfo ji = info;
    long now = clockMs.getAsLong();
    Json j = new Json().beginObject().name("workers").beginArray();
    state.withMembers(members -> {
      for (Member m : members) {
        if (m.role != Role.WORKER) {
          continue;
        }
        String loss = lossMetric(m.lastReport);
        double examples = m.metrics.containsKey("examples_trained") ? m.metrics.get("examples_trained")
            : m.metrics.getOrDefault("examples", 0.0);
        j.beginObject().field("id", m.index).field("state", m.state.name()).field("host", m.host)
            .field("container", m.containerId).field("logs", ji.logsUrl(m.nodeHttpAddress, m.containerId))
            .field("clock", m.clock).field("progress", m.progress)
            .field("examples", examples)
            .field("examples_per_sec", m.metrics.getOrDefault("examples_per_sec", 0.0))
            .field("loss_metric", loss)
            .field("last_loss", loss == null ? Double.NaN : m.lastReport.get(loss))
            .field("malformed_lines", m.metrics.getOrDefault("malformed_lines", 0.0))
            .field("heartbeat_age_ms", m.lastHeartbeatMs == 0 ? -1 : now - m.lastHeartbeatMs)
            .field("diagnostics", m.diagnostics)
            .numbers("metrics", m.metrics)
            .numbers("last_report", m.lastReport)
            .endObject();
      }
      return j;
    });
    return j.endArray().endObject().toString();
  }

  /**
   * {@code api/v1/metrics}: the reported metric series (after sequence number {@code seriesSince})
   * and the throughput samples (after {@code throughputSince}), each with the sequence number to
   * ask for next.
   */
  String metrics(long seriesSince, long throughputSince) {
    Json j = new Json().beginObject().name("series").beginArray();
    List<Series.Point<JobState.MetricPoint>> series = state.historySince(seriesSince);
    long seriesNext = seriesSince;
    for (Series.Point<JobState.MetricPoint> p : series) {
      JobState.MetricPoint m = p.value();
      j.beginObject().field("seq", p.seq()).field("worker", m.worker()).field("clock", m.clock())
          .field("t_ms", m.timeMs()).numbers("values", m.values()).endObject();
      seriesNext = p.seq();
    }
    j.endArray().field("series_next", seriesNext).name("throughput").beginArray();
    long throughputNext = throughputSince;
    for (Series.Point<Telemetry.Sample> p : telemetry.since(throughputSince)) {
      Telemetry.Sample s = p.value();
      j.beginObject().field("seq", p.seq()).field("t_ms", s.tMs())
          .field("pushes_per_sec", s.pushesPerSec()).field("pulls_per_sec", s.pullsPerSec())
          .field("bytes_in_per_sec", s.bytesInPerSec()).field("bytes_out_per_sec", s.bytesOutPerSec())
          .field("examples_per_sec", s.examplesPerSec()).field("progress", s.progress())
          .endObject();
      throughputNext = p.seq();
    }
    return j.endArray().field("throughput_next", throughputNext).endObject().toString();
  }

  /** A server's part of the newest committed checkpoint, for its "last checkpoint" column; null: none. */
  private static String lastCheckpoint(CheckpointCoordinator.Result last, int server) {
    if (last == null) {
      return null;
    }
    long[] rowsBytes = last.perServer().getOrDefault(server, new long[2]);
    return describe(last.clock(), rowsBytes[0], rowsBytes[1], last.durationMs());
  }

  /** "clock 120: 1000 rows, 20.1 KB in 35 ms". */
  static String describe(long clock, long rows, long bytes, long ms) {
    return "clock " + clock + ": " + rows + " rows, " + bytesString(bytes) + " in " + ms + " ms";
  }

  static String bytesString(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String units = "KMGTPE";
    int u = -1;
    double v = b;
    while (v >= 1024 && u < units.length() - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %sB", v, units.charAt(u));
  }

  /**
   * {@code api/v1/recoveries}: every replacement of a lost server or worker, oldest first. Step
   * times ({@code detect_ms}, {@code container_ms}, {@code registered_ms}, {@code restore_ms},
   * {@code published_ms}) are wall-clock ms since the epoch, 0 for a step not reached; see
   * docs/recovery.md.
   */
  String recoveries() {
    return writeRecoveries(new Json().beginObject()).endObject().toString();
  }

  private Json writeRecoveries(Json j) {
    j.name("recoveries").beginArray();
    for (RecoveryView r : state.recoveries()) {
      AmState.writeRecovery(j, r);
    }
    return j.endArray();
  }

  /**
   * {@code api/v1/checkpoints}: the recent checkpoint attempts, oldest first (a running one last),
   * each with its outcome ("committed", "skipped", "failed", "running"), clock (-1 before the cut),
   * path, rows, bytes, start time, duration, message and per-server rows and bytes; and the root.
   */
  String checkpoints() {
    CheckpointCoordinator ckpts = checkpoints;
    Json j = new Json().beginObject();
    j.field("root", ckpts == null ? null : ckpts.root().toString());
    j.field("committed", ckpts == null ? 0L : ckpts.committed());
    j.name("checkpoints").beginArray();
    if (ckpts != null) {
      for (CheckpointCoordinator.Result r : ckpts.recent()) {
        String outcome = r.committed() ? "committed" : r.skipped() ? "skipped"
            : "running".equals(r.message()) ? "running" : "failed";
        j.beginObject().field("outcome", outcome).field("reason", r.reason()).field("clock", r.clock())
            .field("path", r.path()).field("rows", r.rows()).field("bytes", r.bytes())
            .field("started_ms", r.startMs()).field("duration_ms", r.durationMs()).field("message", r.message());
        j.name("servers").beginArray();
        for (Map.Entry<Integer, long[]> e : r.perServer().entrySet()) {
          j.beginObject().field("id", e.getKey()).field("rows", e.getValue()[0]).field("bytes", e.getValue()[1])
              .endObject();
        }
        j.endArray().endObject();
      }
    }
    return j.endArray().endObject().toString();
  }

  /** {@code api/v1/events}: the recent events after sequence number {@code since}, oldest first. */
  String events(long since) {
    Json j = new Json().beginObject().name("events").beginArray();
    long next = since;
    for (EventLog.Event e : state.events().since(since)) {
      j.beginObject().field("seq", e.seq()).field("time_ms", e.timeMs()).field("t_ms", e.timeMs() - state.startMs())
          .field("kind", e.kind().name()).field("text", e.text()).endObject();
      next = e.seq();
    }
    return j.endArray().field("next", next).endObject().toString();
  }
}
