package yarnps.appmaster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.thrift.Role;

/**
 * Losses of members: what a container's end means (expected, or a loss), silent containers, the
 * containers of a new AM attempt's takeover that never came back. A lost member's container is
 * retired (its later registration or exit is refused), the loss is counted toward its role's
 * limit when it is the job's fault, and the member either waits for a new container (returned as
 * {@link JobState.Lost}) or, past the limit, fails the job.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods; {@code fail} and {@code changed} are JobState's, which wake its waiters.
 * Logs under JobState's name, so the AM's log reads as before the split.
 */
final class Losses {
  private static final Logger LOG = LoggerFactory.getLogger(JobState.class);
  /** Exits of yarn-ps's own containers after the AM told them the job failed: not news. */
  private static final Set<Integer> OWN_EXITS = Set.of(0, yarnps.runtime.ExitCodes.ABORTED,
      yarnps.runtime.ExitCodes.JOB_FAILED);

  private final Roster roster;
  private final FailureTracker failures;
  private final Barriers barriers;
  private final Recoveries recoveries;
  private final Takeover takeover;
  private final EventLog events;
  private final LongSupplier clockMs;
  private final Supplier<JobState.Outcome> outcome;
  private final Consumer<String> fail;
  private final Runnable changed;
  /** Containers of members that were replaced (or never came back): their exits and registrations are refused. */
  private final Set<String> retired = new HashSet<>();

  Losses(Roster roster, FailureTracker failures, Barriers barriers, Recoveries recoveries, Takeover takeover,
      EventLog events, LongSupplier clockMs, Supplier<JobState.Outcome> outcome, Consumer<String> fail,
      Runnable changed) {
    this.roster = roster;
    this.failures = failures;
    this.barriers = barriers;
    this.recoveries = recoveries;
    this.takeover = takeover;
    this.events = events;
    this.clockMs = clockMs;
    this.outcome = outcome;
    this.fail = fail;
    this.changed = changed;
  }

  /** Whether {@code containerId} was a member's and has been replaced (or never came back). */
  boolean retired(String containerId) {
    return retired.contains(containerId);
  }

  /** See {@link JobState#containerCompleted}. */
  JobState.Lost containerCompleted(String containerId, int exitStatus, String diag, String meaning) {
    String what = "exit " + exitStatus + " (" + meaning + ")" + (diag == null || diag.isBlank() ? "" : ": " + diag.strip());
    if (retired.contains(containerId)) {
      events.info("replaced container " + containerId + " ended: " + what);
      return null;
    }
    Member m = roster.byContainer(containerId);
    if (m == null) {
      if (takeover.endedUnregistered(containerId)) {
        events.add(EventLog.Kind.WARN, "container " + containerId + " of the previous attempt ended before it registered: "
            + what);
        changed.run();
      }
      return null;
    }
    JobState.Outcome job = outcome.get();
    boolean expected = m.state == Member.State.FINISHED || job == JobState.Outcome.SUCCEEDED
        || (job == JobState.Outcome.FAILED && OWN_EXITS.contains(exitStatus));
    if (expected) {
      events.add(exitStatus == 0 || job != JobState.Outcome.RUNNING ? EventLog.Kind.INFO : EventLog.Kind.WARN,
          m.name() + " container " + containerId + " exited " + exitStatus + " (" + meaning + ")");
      if (m.state != Member.State.FINISHED) {
        m.state = exitStatus == 0 ? Member.State.FINISHED : Member.State.FAILED;
      }
      changed.run();
      return null;
    }
    if (job != JobState.Outcome.RUNNING) {
      m.state = Member.State.FAILED;
      m.diagnostics = what;
      events.add(EventLog.Kind.ERROR, m.name() + " lost: container " + containerId + " on " + m.host + " exited " + what);
      fail.accept(m + " exited unexpectedly with " + what);
      return null;
    }
    return lose(m, "container " + containerId + " on " + m.host + " exited " + what, FailureTracker.countsAsFailure(exitStatus));
  }

  /** See {@link JobState#startFailed}. */
  JobState.Lost startFailed(String containerId, String error) {
    Member m = roster.byContainer(containerId);
    if (m == null || outcome.get() != JobState.Outcome.RUNNING) {
      return null;
    }
    return lose(m, "container " + containerId + " on " + m.host + " could not be started: " + error, true);
  }

  /** See {@link JobState#checkLiveness}. */
  List<JobState.Lost> checkLiveness(long timeoutMs, long recoveryTimeoutMs) {
    long now = clockMs.getAsLong();
    List<JobState.Lost> lost = new ArrayList<>();
    for (Member m : roster.all()) {
      if (outcome.get() != JobState.Outcome.RUNNING) {
        break;
      }
      boolean live = m.state == Member.State.LAUNCHING || m.state == Member.State.RUNNING
          || m.state == Member.State.REGISTERED;
      if (live && now - m.lastHeartbeatMs > timeoutMs) {
        JobState.Lost l = lose(m, "container " + m.containerId + " on " + m.host + " sent no heartbeat for "
            + (now - m.lastHeartbeatMs) / 1000 + " s (yarnps.heartbeat.timeout.ms=" + timeoutMs + ")", true);
        if (l != null) {
          lost.add(l);
        }
      } else if (m.recovery != null && m.recovery.status == Recovery.Status.IN_PROGRESS
          && now - m.recovery.detectMs > recoveryTimeoutMs) {
        fail.accept(m.name() + " was lost " + (now - m.recovery.detectMs) / 1000 + " s ago and is not back"
            + " (yarnps.recovery.timeout.ms=" + recoveryTimeoutMs + "): " + m.recovery.cause);
      }
    }
    return lost;
  }

  /**
   * The takeover's wait ended: the previous attempt's containers that did not register are retired
   * (returned with index -1, to be stopped), and every member without a container that has not
   * finished is lost, not by the job's fault.
   */
  List<JobState.Lost> takeoverEnded() {
    List<JobState.Lost> out = new ArrayList<>();
    for (String id : takeover.stopWaiting()) {
      retired.add(id);
      out.add(new JobState.Lost(null, -1, id));
    }
    for (Member m : roster.all()) {
      if (outcome.get() != JobState.Outcome.RUNNING) {
        break;
      }
      if (m.containerId.isEmpty() && m.state != Member.State.FINISHED) {
        JobState.Lost l = lose(m, "its container did not come back to the new ApplicationMaster attempt", false);
        if (l != null) {
          out.add(l);
        }
      }
    }
    return out;
  }

  /**
   * After a rollback to {@code clock}: every worker that finished lost its updates since that
   * clock with the servers' state, so it must run again from there. Each is declared lost, not by
   * the job's fault (its old container is retired), and returned to get a new container.
   */
  List<JobState.Lost> rerunFinished(long clock) {
    List<JobState.Lost> out = new ArrayList<>();
    for (Member m : roster.workers()) {
      if (m.state == Member.State.FINISHED && outcome.get() == JobState.Outcome.RUNNING) {
        JobState.Lost l = lose(m, "finished before the servers rolled back to clock " + clock
            + ": its updates since then are redone in a new container", false);
        if (l != null) {
          out.add(l);
        }
      }
    }
    return out;
  }

  /**
   * Declares a member lost for {@code cause}: its container is retired (a later registration or
   * completion of it is ignored), a failure is counted when {@code counted}, and past its role's
   * limit the job fails naming the member and its losses. Otherwise the member waits for a new
   * container: returns it.
   */
  private JobState.Lost lose(Member m, String cause, boolean counted) {
    long now = clockMs.getAsLong();
    String old = m.containerId;
    if (!old.isEmpty()) {
      retired.add(old);
    }
    m.losses.add(cause);
    m.diagnostics = cause;
    String failed = failures.lost(m, counted);
    if (failed != null) {
      m.state = Member.State.FAILED;
      events.add(EventLog.Kind.ERROR, m.name() + " lost: " + cause);
      fail.accept(failed);
      return null;
    }
    m.state = Member.State.REQUESTED;
    m.resumeClock = -1;
    m.containerId = "";
    m.port = 0;
    m.lastHeartbeatMs = now;
    if (m.role == Role.WORKER) {
      barriers.leaveAll(m.index);
    }
    Recovery r = recoveries.lost(m, cause, now);
    events.add(EventLog.Kind.WARN, m.name() + " lost (" + (counted ? "failure " + failures.failures(m.role) + " of "
        + failures.limit(m.role) + " allowed" : "not the job's fault") + "): " + cause + "; requesting a new container");
    LOG.info("recovery {}: {} lost ({}): {}", r.id, m.name(), counted ? "counted" : "not counted", cause);
    changed.run();
    return new JobState.Lost(m.role, m.index, old);
  }
}
