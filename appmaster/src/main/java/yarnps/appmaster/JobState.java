package yarnps.appmaster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.thrift.Command;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/**
 * The AM's view of the job: members and their states, the layout, the input splits, barriers,
 * metrics and the outcome. All methods are thread-safe (one monitor); {@link #awaitOutcome},
 * {@link #awaitChange}, {@link #awaitRollbackAcked}, {@link #awaitServersEnded} and
 * {@link #barrier} block on it. No YARN or Thrift calls happen here, so the rules are unit-tested
 * without a cluster.
 *
 * <p>JobState is the one entry point and owns the job's outcome and change count; each concern's
 * state and rules sit in a part it owns: {@link Roster} (the members), {@link Layouts},
 * {@link Barriers}, {@link Rollbacks}, {@link Recoveries}, {@link Losses}, {@link Takeover} and
 * {@link Reports}. The parts are not thread-safe and have no lock of their own: they are used only
 * from JobState's synchronized methods, so every operation stays one atomic step under JobState's
 * monitor, and every wait and wake-up happens on that monitor (the reported metric series alone is
 * thread-safe on its own and read without it).
 */
final class JobState {
  private static final Logger LOG = LoggerFactory.getLogger(JobState.class);

  /** The ring's seed: every layout of a job (and of every AM attempt) has the same ranges. */
  static final long RING_SEED = 0x5eed_1a70_0175L;
  /** The heartbeat metric by which a worker acknowledges a ROLLBACK: the newest rollback id it acted on. */
  static final String ROLLBACK_METRIC = "rollback_id";

  /**
   * How the job recovers: {@code replication} is yarnps.replication; a role's containers may fail
   * by the job's own fault up to its max-failures times in all before the job fails.
   */
  record Limits(int replication, int serverMaxFailures, int workerMaxFailures) {
    static final Limits DEFAULT = new Limits(0, 3, 3);
  }

  /** How the job ended. */
  enum Outcome { RUNNING, SUCCEEDED, FAILED }

  /** One point of the metric series a worker reported. */
  record MetricPoint(int worker, long clock, long timeMs, Map<String, Double> values) {}

  private static final int MAX_EVENTS = 500;
  private static final int MAX_LATER_FAILURES = 5;

  private final LongSupplier clockMs;
  private final long startMs;
  private final Map<String, List<List<InputSplit>>> splitsByInput;
  private final Limits limits;
  private final FailureTracker failures;
  private final EventLog events;
  private final Roster roster;
  private final Layouts layouts;
  private final Barriers barriers;
  private final Rollbacks rollbacks;
  private final Takeover takeover = new Takeover();
  private final Recoveries recoveries;
  private final Reports reports;
  private final Losses losses;
  /** Finished workers to run again after a rollback, until the AM's loop asks for their containers. */
  private final List<Lost> reruns = new ArrayList<>();
  private Outcome outcome = Outcome.RUNNING;
  private String diagnostics = "";
  private long endMs;
  /** Success waits for the AM's end-of-job work (checkpoint) once every worker finished. */
  private boolean succeedAfterEndWork;
  private boolean workersDone;
  /** Further failures seen after the first (a killed container behind a worker's failed call). */
  private final List<String> laterFailures = new ArrayList<>();
  /** Counts changes worth saving in the AM's state file; every change wakes the monitor's waiters. */
  private long changes;

  JobState(int numServers, int numWorkers, int vnodes, Map<String, List<List<InputSplit>>> splitsByInput,
      LongSupplier clockMs) {
    this(numServers, numWorkers, vnodes, splitsByInput, clockMs, Limits.DEFAULT);
  }

  JobState(int numServers, int numWorkers, int vnodes, Map<String, List<List<InputSplit>>> splitsByInput,
      LongSupplier clockMs, Limits limits) {
    this.limits = limits;
    this.failures = new FailureTracker(limits.serverMaxFailures(), limits.workerMaxFailures());
    this.roster = new Roster(numServers, numWorkers);
    this.layouts = new Layouts(roster.servers(), vnodes);
    this.splitsByInput = splitsByInput;
    this.clockMs = clockMs;
    this.startMs = clockMs.getAsLong();
    this.events = new EventLog(MAX_EVENTS, clockMs);
    this.barriers = new Barriers(roster.workers());
    this.rollbacks = new Rollbacks(roster.workers(), events);
    this.recoveries = new Recoveries(roster.servers(), events, limits.replication());
    this.reports = new Reports(events, clockMs, startMs);
    this.losses = new Losses(roster, failures, barriers, recoveries, takeover, events, clockMs, this::outcome,
        this::fail, this::changed);
  }

  Limits limits() {
    return limits;
  }

  int numServers() {
    return roster.servers().size();
  }

  int numWorkers() {
    return roster.workers().size();
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
    return roster.member(role, index);
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
    recoveries.containerAllocated(m, containerId, host, m.lastHeartbeatMs);
    changed();
  }

  /** The NodeManager started a member's container; unknown ids are ignored. */
  synchronized void started(String containerId) {
    Member m = roster.byContainer(containerId);
    if (m != null && m.state == Member.State.LAUNCHING) {
      m.state = Member.State.RUNNING;
      events.info(m.name() + " container started (" + containerId + ")");
    }
  }

  /** {@link #register(Role, int, String, String, int, long, long)} of a new container (no layout, clock 0). */
  synchronized Registration register(Role role, int index, String containerId, String host, int port) {
    return register(role, index, containerId, host, port, 0, 0);
  }

  /**
   * What {@link #register} tells the coordinator: whether the container replaces a lost member, and
   * the clock a replacement worker was already told to resume at (-1: not yet), so that a repeated
   * registration gets the same answer.
   */
  record Registration(boolean replacement, long resumeClock) {}

  /**
   * A container registered. The first layout is built when the last server registers (in a new AM
   * attempt, by the recovery coordinator once the surviving servers are back). A replacement
   * registers with the lost member's index and its own new container id; a container of the
   * previous AM attempt registers with an id this attempt did not launch, and is taken over.
   * {@code layoutVersion} is the layout the container holds, {@code clock} a worker's completed
   * clock (both 0 for a new container).
   *
   * @throws IllegalArgumentException when the member is unknown, or another container is (or was)
   *     that member
   */
  synchronized Registration register(Role role, int index, String containerId, String host, int port,
      long layoutVersion, long clock) {
    Member m = member(role, index);
    if (!m.containerId.isEmpty() && !m.containerId.equals(containerId)) {
      throw new IllegalArgumentException(m.name() + " is " + m.containerId + ", not " + containerId);
    }
    if (m.containerId.isEmpty() && losses.retired(containerId)) {
      throw new IllegalArgumentException(containerId + " was " + m.name() + " and has been replaced");
    }
    if (m.containerId.isEmpty() && takeover.unexpected(containerId)) {
      events.add(EventLog.Kind.WARN, m.name() + " registered from " + containerId
          + ", which is not among the previous attempt's containers");
    }
    long now = clockMs.getAsLong();
    m.containerId = containerId;
    m.host = host;
    m.port = port;
    if (m.state != Member.State.FINISHED) {
      m.state = Member.State.REGISTERED;
    }
    m.lastHeartbeatMs = now;
    m.clock = Math.max(m.clock, clock);
    layouts.held(layoutVersion);
    Recovery r = m.recovery;
    events.info(m.name() + " registered from " + host + (port > 0 ? ":" + port : "")
        + (r == null ? "" : " (replacement, " + containerId + ")")
        + (layoutVersion > 0 ? " holding layout version " + layoutVersion : ""));
    recoveries.registered(m, containerId, now);
    if (role == Role.SERVER && layouts.current().getVersion() == 0 && !takeover.active()
        && roster.allServersRegistered()) {
      publish(nextLayout());
    }
    changed();
    return new Registration(r != null || m.resumeClock >= 0, m.resumeClock);
  }

  /**
   * The next layout: the same ranges as every layout of this job (the same ring), the servers'
   * current addresses, and a version above every one published or held by a registered container.
   * Not published: see {@link #publish}.
   */
  synchronized Layout nextLayout() {
    return layouts.next();
  }

  /**
   * Makes {@code next} the layout that {@code getLayout} returns, and completes the server
   * recoveries it carries (every server recovery in progress whose replacement registered).
   */
  synchronized void publish(Layout next) {
    boolean first = layouts.install(next);
    takeover.layoutPublished();
    long now = clockMs.getAsLong();
    events.info("layout version " + next.getVersion() + (first ? " built: " : " published: ") + next.getRangesSize()
        + " key ranges on " + roster.servers().size() + " servers");
    LOG.info("layout version {} published", next.getVersion());
    recoveries.layoutPublished(next.getVersion(), now);
    changed();
  }

  synchronized Layout layout() {
    return layouts.current();
  }

  /** Records a heartbeat; throws IllegalArgumentException if the member is unknown. */
  synchronized void heartbeat(Role role, int index, long clock, double progress, Map<String, Double> metrics) {
    Member m = member(role, index);
    m.clock = clock;
    m.progress = progress;
    m.metrics = new HashMap<>(metrics);
    m.lastHeartbeatMs = clockMs.getAsLong();
    if (role == Role.SERVER) {
      m.rates.add(m.lastHeartbeatMs, metrics);
    }
    rollbacks.heartbeat(m, clock, metrics);
  }

  /**
   * The answer to a member's heartbeat: the job's command and layout version. A worker that has not
   * acknowledged the newest rollback (see {@link #startRollback}) gets ROLLBACK with its clock,
   * layout version and id, again on every heartbeat until it reports the id back.
   */
  synchronized HeartbeatResponse heartbeatResponse(Role role, int index) {
    Member m = member(role, index);
    HeartbeatResponse r = new HeartbeatResponse(switch (outcome) {
      case RUNNING -> Command.CONTINUE;
      case SUCCEEDED -> Command.SHUTDOWN;
      case FAILED -> Command.ABORT;
    }, layouts.current().getVersion());
    if (outcome == Outcome.RUNNING) {
      rollbacks.command(r, m, layouts.current().getVersion());
    }
    return r;
  }

  /**
   * Every worker still running rolls back to {@code clock} (the parameters were restored from a
   * checkpoint at that clock into layout {@code layoutVersion}): their heartbeats answer ROLLBACK
   * until they acknowledge it. Returns the rollback's id.
   */
  synchronized long startRollback(long clock, long layoutVersion) {
    long id = rollbacks.start(clock, layoutVersion);
    barriers.clear();
    changed();
    return id;
  }

  /**
   * Waits until every running worker acknowledged the newest rollback (it dropped every call of
   * the old parameters), or timeoutMs passed; returns the workers still pending (empty: all did).
   */
  synchronized List<Integer> awaitRollbackAcked(long timeoutMs) throws InterruptedException {
    long deadline = clockMs.getAsLong() + timeoutMs;
    while (true) {
      List<Integer> pending = rollbacks.unacknowledged();
      long left = deadline - clockMs.getAsLong();
      if (pending.isEmpty() || left <= 0 || outcome != Outcome.RUNNING) {
        return pending;
      }
      wait(Math.min(left, 100));
    }
  }

  /** Whether a worker still has to acknowledge the newest rollback. */
  synchronized boolean rollbackPending(int worker) {
    return rollbacks.pending(member(Role.WORKER, worker));
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
    reports.report(member(Role.WORKER, worker), clock, values, isFinal, labels);
  }

  /**
   * Blocks until every worker that has not finished arrived at the named barrier. A name can be
   * used again: each use is a new generation. A worker being replaced has not finished, so the
   * barrier waits for its replacement. Throws IllegalStateException if the job ends while waiting.
   */
  synchronized void barrier(int worker, String name) throws InterruptedException {
    member(Role.WORKER, worker);
    long generation = barriers.arrive(worker, name);
    long rollbackAtEntry = rollbacks.id();
    while (!barriers.opened(name, generation)) {
      if (rollbacks.id() != rollbackAtEntry) {
        // The parameters were rolled back while this worker waited: its run ends, and it runs again.
        barriers.leave(worker, name);
        throw new IllegalStateException("rollback " + rollbacks.id() + " to clock " + rollbacks.clock()
            + " while waiting at barrier '" + name + "': the worker runs again from there");
      }
      if (barriers.openIfComplete(name, generation)) {
        notifyAll();
        return;
      }
      if (outcome != Outcome.RUNNING) {
        throw new IllegalStateException("job ended while waiting at barrier '" + name + "': " + diagnostics);
      }
      wait(1000);
    }
  }

  /** The workers waiting at the named barrier now. */
  synchronized Set<Integer> arrived(String name) {
    return barriers.arrived(name);
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
    changed();
    if (role == Role.WORKER && outcome == Outcome.RUNNING && allWorkersFinished()) {
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

  /** Whether every worker finished (the hook for the checkpoint at the end). */
  synchronized boolean allWorkersFinished() {
    return roster.allWorkersFinished();
  }

  /** The lowest clock of the workers that have not finished (their heartbeats); -1 when all finished. */
  synchronized long minWorkerClock() {
    return roster.minWorkerClock();
  }

  /** A member that was declared lost and needs a new container; {@code containerId} is the lost one's. */
  record Lost(Role role, int index, String containerId) {}

  /**
   * A container ended. An exit the job expects (a finished worker's, any container's after the
   * job ended, an old container of a replaced member) is recorded; any other makes the member lost:
   * returns it, to be given a new container, or null when the job failed because the member's
   * role went past its failure limit.
   */
  synchronized Lost containerCompleted(String containerId, int exitStatus, String diag, String meaning) {
    return losses.containerCompleted(containerId, exitStatus, diag, meaning);
  }

  /**
   * The container of a member could not be started: the member is lost (counted as a failure).
   * Returns it, or null if the id is not a member's current container or the job failed.
   */
  synchronized Lost startFailed(String containerId, String error) {
    return losses.startFailed(containerId, error);
  }

  /** The sum over workers of a metric from their latest heartbeats (e.g. malformed_lines). */
  synchronized double workerMetricSum(String name) {
    return roster.workerMetricSum(name);
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
   * Finds launched containers silent (no registration or heartbeat) for longer than timeoutMs: a
   * hung JVM or a lost node must not leave the job waiting. Each is declared lost (a failure) and
   * returned, for its container to be stopped and replaced. A member whose replacement has not
   * come back within {@code recoveryTimeoutMs} of its loss fails the job.
   */
  synchronized List<Lost> checkLiveness(long timeoutMs, long recoveryTimeoutMs) {
    List<Lost> out = new ArrayList<>(reruns);
    reruns.clear();
    out.addAll(losses.checkLiveness(timeoutMs, recoveryTimeoutMs));
    return out;
  }

  /**
   * After a rollback to {@code clock}, while some worker still runs: the workers that finished
   * must redo their clocks since {@code clock}, whose updates the servers no longer hold. Each is
   * lost (not counted) and handed out by the next {@link #checkLiveness} for a new container,
   * which resumes at the servers' clock for it. Returns their indexes; none once every worker
   * finished (the job's results are written; they leave the restored clock group instead).
   */
  synchronized List<Integer> rerunFinishedWorkers(long clock) {
    if (outcome != Outcome.RUNNING || allWorkersFinished()) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>();
    for (Lost l : losses.rerunFinished(clock)) {
      reruns.add(l);
      out.add(l.index());
    }
    if (!out.isEmpty()) {
      notifyAll();
    }
    return out;
  }

  // --- Recovery coordination (used by RecoveryCoordinator) ---

  /**
   * Whether the layout must change (a lost server's replacement, or a new AM attempt taking the
   * servers over) and every server is registered, so that the next layout can be built now.
   */
  synchronized boolean layoutChangeReady() {
    if (outcome != Outcome.RUNNING || !roster.allServersRegistered()
        || (layouts.current().getVersion() == 0 && !takeover.active())) {
      return false;
    }
    return layouts.rebuildDue() || !replacedServers().isEmpty();
  }

  /** A layout change that is due: the servers replaced in it and the layout to install. */
  record LayoutChange(List<Integer> replaced, Layout next) {}

  /** The layout change that is due now (see {@link #layoutChangeReady}), taken under one lock; null if none. */
  synchronized LayoutChange layoutChange() {
    return layoutChangeReady() ? new LayoutChange(replacedServers(), nextLayout()) : null;
  }

  /** Indexes of the servers whose replacement is in progress (lost, or registered but not yet serving). */
  synchronized List<Integer> replacedServers() {
    return recoveries.replacedServers();
  }

  /** Whether a lost server is waiting for its replacement or its data (checkpoints should wait). */
  synchronized boolean recovering() {
    return takeover.active() || layouts.rebuildDue() || !replacedServers().isEmpty();
  }

  /** A replacement server's ranges are filled (from peers or the checkpoint). */
  synchronized void restored(int server, long rows) {
    recoveries.restored(member(Role.SERVER, server), rows, clockMs.getAsLong());
  }

  /** Notes the checkpoint a rollback restores (clock -1 and dir "" when there is none) in the servers' recoveries. */
  synchronized void rollbackSource(long clock, String dir) {
    recoveries.rollbackSource(clock, dir);
  }

  /** A replacement worker resumes at {@code clock}; completes its recovery. */
  synchronized void resumed(int worker, long clock) {
    Member w = member(Role.WORKER, worker);
    w.clock = clock;
    w.resumeClock = clock;
    if (recoveries.workerResumed(w, clock)) {
      rollbacks.caughtUp(w);
    }
    changed();
  }

  /** A worker's clock from its last heartbeat or registration. */
  synchronized long workerClock(int worker) {
    return member(Role.WORKER, worker).clock;
  }

  /** Indexes of the workers that finished. */
  synchronized List<Integer> finishedWorkers() {
    return roster.finishedWorkers();
  }

  /** Every recovery of this job (and of earlier AM attempts), oldest first, as immutable views. */
  synchronized List<RecoveryView> recoveries() {
    return recoveries.views();
  }

  /** Counts changes worth saving in the AM's state file. */
  synchronized long changes() {
    return changes;
  }

  private void changed() {
    changes++;
    notifyAll();
  }

  /** Waits until something changed after {@code seenChanges}, or timeoutMs passed; returns the count now. */
  synchronized long awaitChange(long seenChanges, long timeoutMs) throws InterruptedException {
    if (changes == seenChanges && outcome == Outcome.RUNNING) {
      wait(timeoutMs);
    }
    return changes;
  }

  // --- A new AM attempt ---

  /**
   * This attempt takes over the previous attempt's containers: they re-register on their own; the
   * layout is rebuilt once every server is back. Until {@link #endTakeover} the members without a
   * container are not replaced.
   */
  synchronized void adopt(List<String> containerIds) {
    takeover.begin(containerIds);
    events.info("taking over " + containerIds.size() + " containers of the previous attempt");
    changed();
  }

  /** Whether every container of the previous attempt registered (or ended). */
  synchronized boolean adoptedAllBack() {
    return takeover.allBack();
  }

  /**
   * Ends the wait for the previous attempt's containers: every member without a container (and not
   * finished) is lost, not by the job's fault; the containers that did not register are retired and
   * returned in {@code Lost} records with index -1 (to be stopped). The layout is rebuilt next.
   */
  synchronized List<Lost> endTakeover() {
    List<Lost> out = losses.takeoverEnded();
    layouts.rebuild();
    events.info("takeover of the previous attempt's containers ended; " + out.size() + " to stop or replace");
    changed();
    return out;
  }

  /** What a next AM attempt needs of this one; see {@link AmState}. */
  synchronized AmState snapshot(int attempt) {
    List<AmState.MemberFailures> members = new ArrayList<>();
    for (Member m : roster.all()) {
      if (m.failures > 0 || !m.losses.isEmpty()) {
        members.add(new AmState.MemberFailures(m.role, m.index, m.failures, List.copyOf(m.losses)));
      }
    }
    return new AmState(attempt, layouts.highestVersion(), rollbacks.id(), rollbacks.clock(),
        failures.failures(Role.SERVER), failures.failures(Role.WORKER), finishedWorkers(), members, recoveries());
  }

  /**
   * Takes over what an earlier attempt saved: finished workers stay finished, failures keep counting
   * toward the limits, new layouts and rollbacks get versions and ids above the saved ones.
   */
  synchronized void restore(AmState saved) {
    for (int w : saved.finishedWorkers()) {
      Member m = member(Role.WORKER, w);
      m.state = Member.State.FINISHED;
      m.progress = 1.0;
    }
    for (AmState.MemberFailures f : saved.members()) {
      Member m = member(f.role(), f.index());
      m.failures = f.failures();
      m.losses.addAll(f.losses());
    }
    failures.restore(saved.serverFailures(), saved.workerFailures());
    layouts.held(saved.layoutVersion());
    rollbacks.restore(saved.rollbackId(), saved.rollbackClock());
    recoveries.restore(saved.recoveries());
    events.info("state of attempt " + saved.attempt() + " taken over: " + saved.finishedWorkers().size()
        + " workers finished, " + saved.serverFailures() + " server and " + saved.workerFailures()
        + " worker failures counted,"
        + " layout version " + saved.layoutVersion());
    changed();
  }

  /** Blocks until every server container ended or the deadline passed; true if all ended. */
  synchronized boolean awaitServersEnded(long timeoutMs) throws InterruptedException {
    long deadline = clockMs.getAsLong() + timeoutMs;
    while (true) {
      boolean all = roster.serversEnded();
      long left = deadline - clockMs.getAsLong();
      if (all || left <= 0) {
        return all;
      }
      wait(Math.min(left, 200));
    }
  }

  /** The job's progress for YARN: the mean of the workers' progress. */
  synchronized float progress() {
    return roster.progress();
  }

  synchronized Map<String, Double> finalMetrics() {
    return reports.finalMetrics();
  }

  synchronized Map<String, String> finalLabels() {
    return reports.finalLabels();
  }

  /** Every kept point of the reported metric series, oldest first. */
  List<MetricPoint> history() {
    return reports.history();
  }

  /** The reported metric series' points after sequence number {@code seq}. */
  List<Series.Point<MetricPoint>> historySince(long seq) {
    return reports.historySince(seq);
  }

  /** Applies f to every member (servers first) under the state's lock, for the status page. */
  synchronized <T> T withMembers(java.util.function.Function<List<Member>, T> f) {
    return f.apply(roster.all());
  }
}
