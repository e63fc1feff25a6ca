package yarnps.appmaster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import yarnps.common.HashRing;
import yarnps.common.KeyLayout;
import yarnps.thrift.InputSplit;
import yarnps.thrift.KeyRange;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;
import yarnps.thrift.ServerAddress;

/**
 * The AM's view of the job: members and their states, the layout, the input splits, barriers,
 * metrics and the outcome. All methods are thread-safe (one monitor); {@link #awaitOutcome} and
 * {@link #barrier} block on it. No YARN or Thrift calls happen here, so the rules are unit-tested
 * without a cluster.
 */
final class JobState {

  /** How the job ended. */
  enum Outcome { RUNNING, SUCCEEDED, FAILED }

  /** One point of the metric series a worker reported. */
  record MetricPoint(int worker, long clock, long timeMs, Map<String, Double> values) {}

  /** Points of the reported metric series kept for the charts (thinned beyond this). */
  private static final int MAX_HISTORY = 20_000;
  private static final int MAX_EVENTS = 500;
  private static final int MAX_LATER_FAILURES = 5;
  /** Exits of yarn-ps's own containers after the AM told them the job failed: not news. */
  private static final java.util.Set<Integer> OWN_EXITS = java.util.Set.of(0, yarnps.runtime.ExitCodes.ABORTED,
      yarnps.runtime.ExitCodes.JOB_FAILED);

  private final Member[] servers;
  private final Member[] workers;
  private final int vnodes;
  private final LongSupplier clockMs;
  private final long startMs;
  private final Map<String, List<List<InputSplit>>> splitsByInput;
  private Layout layout = new Layout(0, List.of(), List.of());
  private final Map<String, Set<Integer>> barriers = new HashMap<>();
  private final Map<String, Long> barrierGenerations = new HashMap<>();
  private final Series<MetricPoint> history = new Series<>(MAX_HISTORY);
  private final EventLog events;
  private final Map<String, Double> finalMetrics = new LinkedHashMap<>();
  private final Map<String, String> finalLabels = new LinkedHashMap<>();
  private Outcome outcome = Outcome.RUNNING;
  private String diagnostics = "";
  private long endMs;
  /** Success waits for the AM's end-of-job work (checkpoint) once every worker finished. */
  private boolean succeedAfterEndWork;
  private boolean workersDone;
  /** Further failures seen after the first (a killed container behind a worker's failed call). */
  private final List<String> laterFailures = new ArrayList<>();

  JobState(int numServers, int numWorkers, int vnodes, Map<String, List<List<InputSplit>>> splitsByInput,
      LongSupplier clockMs) {
    this.servers = new Member[numServers];
    this.workers = new Member[numWorkers];
    for (int i = 0; i < numServers; i++) {
      servers[i] = new Member(Role.SERVER, i);
    }
    for (int i = 0; i < numWorkers; i++) {
      workers[i] = new Member(Role.WORKER, i);
    }
    this.vnodes = vnodes;
    this.splitsByInput = splitsByInput;
    this.clockMs = clockMs;
    this.startMs = clockMs.getAsLong();
    this.events = new EventLog(MAX_EVENTS, clockMs);
  }

  int numServers() {
    return servers.length;
  }

  int numWorkers() {
    return workers.length;
  }

  long startMs() {
    return startMs;
  }

  /** Time since the AM started, up to the job's end once it ended. */
  synchronized long elapsedMs() {
    return (outcome == Outcome.RUNNING ? clockMs.getAsLong() : endMs) - startMs;
  }

  /** The job's recent events, for the tracking page. */
  EventLog events() {
    return events;
  }

  synchronized Member member(Role role, int index) {
    Member[] group = role == Role.SERVER ? servers : workers;
    if (index < 0 || index >= group.length) {
      throw new IllegalArgumentException("no " + role.name().toLowerCase() + " " + index + " in this job (it has "
          + group.length + ")");
    }
    return group[index];
  }

  /**
   * A container was allocated for a member and is being launched; {@code nodeHttpAddress} is its
   * NodeManager's web address (host:port), for the link to the container's logs.
   */
  synchronized void launching(Role role, int index, String containerId, String host, String nodeHttpAddress) {
    Member m = member(role, index);
    m.containerId = containerId;
    m.host = host;
    m.nodeHttpAddress = nodeHttpAddress == null ? "" : nodeHttpAddress;
    m.state = Member.State.LAUNCHING;
    m.lastHeartbeatMs = clockMs.getAsLong();
    events.info(m.name() + " launching in " + containerId + " on " + host);
  }

  /** The NodeManager started a member's container; unknown ids are ignored. */
  synchronized void started(String containerId) {
    Member m = byContainer(containerId);
    if (m != null && m.state == Member.State.LAUNCHING) {
      m.state = Member.State.RUNNING;
      events.info(m.name() + " container started (" + containerId + ")");
    }
  }

  /**
   * A container registered. The layout is built when the last server registers. Throws when the
   * container id does not match the one launched for that member.
   */
  synchronized void register(Role role, int index, String containerId, String host, int port) {
    Member m = member(role, index);
    if (!m.containerId.isEmpty() && !m.containerId.equals(containerId)) {
      throw new IllegalArgumentException(m.name() + " is " + m.containerId + ", not " + containerId);
    }
    m.containerId = containerId;
    m.host = host;
    m.port = port;
    m.state = Member.State.REGISTERED;
    m.lastHeartbeatMs = clockMs.getAsLong();
    events.info(m.name() + " registered from " + host + (port > 0 ? ":" + port : ""));
    if (role == Role.SERVER && layout.getVersion() == 0 && allServersRegistered()) {
      buildLayout();
      events.info("layout version " + layout.getVersion() + " built: " + layout.getRangesSize() + " key ranges on "
          + servers.length + " servers");
    }
    notifyAll();
  }

  private boolean allServersRegistered() {
    for (Member s : servers) {
      if (s.state != Member.State.REGISTERED) {
        return false;
      }
    }
    return true;
  }

  private void buildLayout() {
    KeyLayout kl = HashRing.build(1, servers.length, vnodes, 0x5eed_1a70_0175L);
    List<KeyRange> ranges = kl.toThriftRanges();
    List<ServerAddress> addrs = new ArrayList<>();
    for (Member s : servers) {
      addrs.add(new ServerAddress(s.index, s.host, s.port));
    }
    layout = new Layout(kl.version(), ranges, addrs);
  }

  synchronized Layout layout() {
    return layout;
  }

  /** Records a heartbeat; returns false if the member is unknown. */
  synchronized void heartbeat(Role role, int index, long clock, double progress, Map<String, Double> metrics) {
    Member m = member(role, index);
    m.clock = clock;
    m.progress = progress;
    m.metrics = new HashMap<>(metrics);
    m.lastHeartbeatMs = clockMs.getAsLong();
    if (role == Role.SERVER) {
      m.rates.add(m.lastHeartbeatMs, metrics);
    }
  }

  /** Splits of an input for a worker; worker -1 means every split. Unknown input: empty. */
  synchronized List<InputSplit> splits(int worker, String input) {
    List<List<InputSplit>> perWorker = splitsByInput.get(input);
    if (perWorker == null) {
      return List.of();
    }
    if (worker == -1) {
      List<InputSplit> all = new ArrayList<>();
      perWorker.forEach(all::addAll);
      return all;
    }
    member(Role.WORKER, worker);
    return perWorker.get(worker);
  }

  synchronized void report(int worker, long clock, Map<String, Double> values, boolean isFinal, Map<String, String> labels) {
    Member m = member(Role.WORKER, worker);
    if (isFinal) {
      finalMetrics.putAll(values);
      if (labels != null) {
        finalLabels.putAll(labels);
      }
      events.info("result from " + m.name() + ": " + new java.util.TreeMap<>(values)
          + (labels == null || labels.isEmpty() ? "" : " " + new java.util.TreeMap<>(labels)));
      return;
    }
    history.add(new MetricPoint(worker, clock, clockMs.getAsLong() - startMs, Map.copyOf(values)));
    Map<String, Double> merged = new HashMap<>(m.lastReport);
    merged.putAll(values);
    m.lastReport = merged;
    m.lastReportClock = clock;
  }

  /**
   * Blocks until every worker that has not finished arrived at the named barrier. A name can be
   * used again: each use is a new generation. Throws IllegalStateException if the job ends while
   * waiting.
   */
  synchronized void barrier(int worker, String name) throws InterruptedException {
    member(Role.WORKER, worker);
    long generation = barrierGenerations.getOrDefault(name, 0L);
    barriers.computeIfAbsent(name, k -> new HashSet<>()).add(worker);
    while (barrierGenerations.getOrDefault(name, 0L) == generation) {
      if (barrierComplete(name)) {
        barriers.remove(name);
        barrierGenerations.put(name, generation + 1);
        notifyAll();
        return;
      }
      if (outcome != Outcome.RUNNING) {
        throw new IllegalStateException("job ended while waiting at barrier '" + name + "': " + diagnostics);
      }
      wait(1000);
    }
  }

  private boolean barrierComplete(String name) {
    Set<Integer> arrived = barriers.getOrDefault(name, Set.of());
    for (Member w : workers) {
      if (w.state != Member.State.FINISHED && !arrived.contains(w.index)) {
        return false;
      }
    }
    return true;
  }

  /** A worker says it finished. Success of every worker ends the job as SUCCEEDED. */
  synchronized void finish(Role role, int index, boolean success, String diag) {
    Member m = member(role, index);
    if (!success) {
      m.state = Member.State.FAILED;
      m.diagnostics = diag;
      events.add(EventLog.Kind.ERROR, m.name() + " failed: " + diag);
      fail(m + " failed: " + diag);
      return;
    }
    m.state = Member.State.FINISHED;
    m.progress = 1.0;
    events.info(m.name() + " finished");
    notifyAll();
    if (role == Role.WORKER && outcome == Outcome.RUNNING) {
      for (Member w : workers) {
        if (w.state != Member.State.FINISHED) {
          return;
        }
      }
      workersDone = true;
      if (succeedAfterEndWork) {
        notifyAll();
        return;
      }
      succeed();
    }
  }

  /**
   * From now on the last worker's finish leaves the job RUNNING ({@link #workersDone}) until the
   * AM calls {@link #succeed}: the end-of-job checkpoint runs in between, servers still up.
   */
  synchronized void succeedAfterEndWork() {
    succeedAfterEndWork = true;
  }

  /** Whether every worker finished while the job still runs (see {@link #succeedAfterEndWork}). */
  synchronized boolean workersDone() {
    return workersDone && outcome == Outcome.RUNNING;
  }

  /** Ends the job as SUCCEEDED, if it still runs. */
  synchronized void succeed() {
    if (outcome == Outcome.RUNNING) {
      outcome = Outcome.SUCCEEDED;
      endMs = clockMs.getAsLong();
      events.info("job succeeded: every worker finished");
      notifyAll();
    }
  }

  /**
   * A member's container ended. An exit the job expects (a finished worker exiting 0, any
   * container after the job ended) is recorded; any other fails the job naming the container.
   */
  synchronized void containerCompleted(String containerId, int exitStatus, String diag, String meaning) {
    Member m = byContainer(containerId);
    if (m == null) {
      return;
    }
    boolean expected = (m.state == Member.State.FINISHED && exitStatus == 0)
        || (outcome == Outcome.SUCCEEDED)
        || (outcome == Outcome.FAILED && OWN_EXITS.contains(exitStatus));
    if (expected) {
      if (m.state != Member.State.FINISHED) {
        m.state = exitStatus == 0 ? Member.State.FINISHED : Member.State.FAILED;
      }
      events.info(m.name() + " container " + containerId + " exited " + exitStatus + " (" + meaning + ")");
      notifyAll();
      return;
    }
    m.state = Member.State.FAILED;
    m.diagnostics = "exit " + exitStatus + " (" + meaning + ")" + (diag == null || diag.isBlank() ? "" : ": " + diag.strip());
    events.add(EventLog.Kind.ERROR, m.name() + " lost: container " + containerId + " on " + m.host + " exited "
        + m.diagnostics);
    fail(m + " exited unexpectedly with " + m.diagnostics);
  }

  private Member byContainer(String containerId) {
    for (Member m : servers) {
      if (m.containerId.equals(containerId)) {
        return m;
      }
    }
    for (Member m : workers) {
      if (m.containerId.equals(containerId)) {
        return m;
      }
    }
    return null;
  }

  /** The sum over workers of a metric from their latest heartbeats (e.g. malformed_lines). */
  synchronized double workerMetricSum(String name) {
    double sum = 0;
    for (Member w : workers) {
      sum += w.metrics.getOrDefault(name, 0.0);
    }
    return sum;
  }

  /**
   * Fails the job with a diagnostic. The first failure is the job's diagnostic; later ones (up to
   * a few) are appended, so that a worker's failed call and the container death behind it both show.
   */
  synchronized void fail(String diag) {
    if (outcome == Outcome.RUNNING) {
      outcome = Outcome.FAILED;
      diagnostics = diag;
      endMs = clockMs.getAsLong();
      events.add(EventLog.Kind.ERROR, "job failed: " + diag);
      notifyAll();
    } else if (outcome == Outcome.FAILED && laterFailures.size() < MAX_LATER_FAILURES) {
      laterFailures.add(diag);
      events.add(EventLog.Kind.WARN, "then: " + diag);
    }
  }

  synchronized Outcome outcome() {
    return outcome;
  }

  synchronized String diagnostics() {
    if (laterFailures.isEmpty()) {
      return diagnostics;
    }
    return diagnostics + "; then: " + String.join("; ", laterFailures);
  }

  /** Waits up to timeoutMs for the job to end; returns the outcome then (RUNNING if it did not end). */
  synchronized Outcome awaitOutcome(long timeoutMs) throws InterruptedException {
    if (outcome == Outcome.RUNNING) {
      wait(timeoutMs);
    }
    return outcome;
  }

  /**
   * Fails the job if a launched container has been silent (no registration or heartbeat) for
   * longer than timeoutMs: a hung JVM or a lost node must not leave the job waiting forever.
   */
  synchronized void checkLiveness(long timeoutMs) {
    long now = clockMs.getAsLong();
    for (Member m : allMembers()) {
      boolean live = m.state == Member.State.LAUNCHING || m.state == Member.State.RUNNING
          || m.state == Member.State.REGISTERED;
      if (live && now - m.lastHeartbeatMs > timeoutMs) {
        fail(m + " sent no heartbeat for " + (now - m.lastHeartbeatMs) / 1000 + " s (yarnps.heartbeat.timeout.ms="
            + timeoutMs + ")");
        return;
      }
    }
  }

  private List<Member> allMembers() {
    List<Member> all = new ArrayList<>(servers.length + workers.length);
    Collections.addAll(all, servers);
    Collections.addAll(all, workers);
    return all;
  }

  /** Blocks until every server container ended or the deadline passed; true if all ended. */
  synchronized boolean awaitServersEnded(long timeoutMs) throws InterruptedException {
    long deadline = clockMs.getAsLong() + timeoutMs;
    while (true) {
      boolean all = true;
      for (Member s : servers) {
        all &= s.state == Member.State.FINISHED || s.state == Member.State.FAILED || s.state == Member.State.REQUESTED;
      }
      long left = deadline - clockMs.getAsLong();
      if (all || left <= 0) {
        return all;
      }
      wait(Math.min(left, 200));
    }
  }

  /** The job's progress for YARN: the mean of the workers' progress. */
  synchronized float progress() {
    double sum = 0;
    for (Member w : workers) {
      sum += w.progress;
    }
    return (float) Math.max(0, Math.min(1, sum / workers.length));
  }

  synchronized Map<String, Double> finalMetrics() {
    return new LinkedHashMap<>(finalMetrics);
  }

  synchronized Map<String, String> finalLabels() {
    return new LinkedHashMap<>(finalLabels);
  }

  /** Every kept point of the reported metric series, oldest first. */
  List<MetricPoint> history() {
    List<MetricPoint> out = new ArrayList<>();
    for (Series.Point<MetricPoint> p : history.since(0)) {
      out.add(p.value());
    }
    return out;
  }

  /** The reported metric series' points after sequence number {@code seq}. */
  List<Series.Point<MetricPoint>> historySince(long seq) {
    return history.since(seq);
  }

  /** Applies f to every member (servers first) under the state's lock, for the status page. */
  synchronized <T> T withMembers(java.util.function.Function<List<Member>, T> f) {
    return f.apply(allMembers());
  }
}
