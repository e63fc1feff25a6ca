package yarnps.appmaster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.thrift.Command;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.Role;

/**
 * The workers' rollbacks: when the servers' parameters were restored from a checkpoint, every
 * running worker is told (by its heartbeat answer) to go back to the checkpoint's clock, until it
 * reports the rollback's id back in its heartbeat metric {@link JobState#ROLLBACK_METRIC}.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods; JobState does the waiting ({@link JobState#awaitRollbackAcked}) and the
 * notifying. Logs under JobState's name, so the AM's log reads as before the split.
 */
final class Rollbacks {
  private static final Logger LOG = LoggerFactory.getLogger(JobState.class);

  private final List<Member> workers;
  private final EventLog events;
  /** The newest rollback's id (0: none yet), its clock and the layout version it restored into. */
  private long id;
  private long clock;
  private long layout;

  Rollbacks(List<Member> workers, EventLog events) {
    this.workers = workers;
    this.events = events;
  }

  /** The newest rollback's id; 0 before the first. */
  long id() {
    return id;
  }

  /** The clock the newest rollback went back to. */
  long clock() {
    return clock;
  }

  /**
   * Starts the next rollback to {@code toClock} in layout {@code layoutVersion} and returns its id.
   * A worker not running now (finished, or being replaced) starts from the restored state, so it
   * counts as having acknowledged; every unfinished worker's clock drops to {@code toClock}.
   */
  long start(long toClock, long layoutVersion) {
    id++;
    clock = toClock;
    layout = layoutVersion;
    for (Member w : workers) {
      if (w.state != Member.State.REGISTERED) {
        w.rollbackAcked = id;
      }
      w.clock = w.state == Member.State.FINISHED ? w.clock : Math.min(w.clock, toClock);
    }
    events.add(EventLog.Kind.WARN, "rollback " + id + ": every running worker goes back to clock " + toClock);
    LOG.info("rollback {}: workers told to resume at clock {} with layout version {}", id, toClock, layoutVersion);
    return id;
  }

  /** Takes the rollback acknowledgement, if any, out of a member's heartbeat metrics. */
  void heartbeat(Member m, long memberClock, Map<String, Double> metrics) {
    Double acked = metrics.get(JobState.ROLLBACK_METRIC);
    if (acked != null && acked.longValue() > m.rollbackAcked) {
      m.rollbackAcked = acked.longValue();
      if (m.rollbackAcked == id) {
        LOG.info("rollback {}: worker {} acknowledged (clock {})", id, m.index, memberClock);
        events.info("worker " + m.index + " rolled back to clock " + clock);
      }
    }
  }

  /**
   * Turns a running job's heartbeat answer to a worker that has not acknowledged the newest
   * rollback into ROLLBACK with its clock, layout version (at least {@code layoutVersion}) and id.
   */
  void command(HeartbeatResponse r, Member m, long layoutVersion) {
    if (m.role == Role.WORKER && pending(m)) {
      r.setCommand(Command.ROLLBACK);
      r.setResumeClock(clock);
      r.setLayoutVersion(Math.max(layoutVersion, layout));
      r.setRollbackId(id);
    }
  }

  /** Whether a worker that has not finished still has to acknowledge the newest rollback. */
  boolean pending(Member w) {
    return w.state != Member.State.FINISHED && w.rollbackAcked < id;
  }

  /** The registered workers that have not acknowledged the newest rollback yet. */
  List<Integer> unacknowledged() {
    List<Integer> out = new ArrayList<>();
    for (Member w : workers) {
      if (w.state == Member.State.REGISTERED && w.rollbackAcked < id) {
        out.add(w.index);
      }
    }
    return out;
  }

  /** A replacement worker starts from the servers' state as it is now, after every rollback so far. */
  void caughtUp(Member w) {
    w.rollbackAcked = id;
  }

  /** Continues an earlier AM attempt's rollbacks: new ids go above {@code savedId}; every worker has acknowledged. */
  void restore(long savedId, long savedClock) {
    id = savedId;
    clock = savedClock;
    for (Member w : workers) {
      w.rollbackAcked = id;
    }
  }
}
