package yarnps.appmaster;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's recoveries: one {@link Recovery} record per loss of a member, timed from the loss
 * through the replacement's container, registration and restore to its serving again (a server:
 * the layout that carries it published) or resuming (a worker), kept for the tracking page and
 * the next AM attempt. A member's recovery in progress is {@link Member#recovery}.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods. Logs under JobState's name, so the AM's log reads as before the split.
 */
final class Recoveries {
  private static final Logger LOG = LoggerFactory.getLogger(JobState.class);

  private final List<Member> servers;
  private final EventLog events;
  private final int replication;
  /** Every recovery, this attempt's and the earlier attempts', oldest first; ids count from 1. */
  private final List<Recovery> records = new ArrayList<>();

  Recoveries(List<Member> servers, EventLog events, int replication) {
    this.servers = servers;
    this.events = events;
    this.replication = replication;
  }

  /**
   * Member {@code m} was lost at {@code now} for {@code cause}: starts timing a new recovery (a new
   * loss, or the replacement itself lost after registering); a replacement lost before it
   * registered stays in the recovery already timed. Returns the member's recovery.
   */
  Recovery lost(Member m, String cause, long now) {
    Recovery r = m.recovery;
    if (r == null || r.registeredMs > 0) {
      if (r != null) {
        r.status = Recovery.Status.FAILED;
      }
      r = new Recovery(records.size() + 1, m.role, m.index, replication, cause, now);
      records.add(r);
      m.recovery = r;
    }
    return r;
  }

  /** A container for {@code m} was allocated at {@code now}: the first one times its recovery. */
  void containerAllocated(Member m, String containerId, String host, long now) {
    Recovery r = m.recovery;
    if (r != null && r.containerMs == 0) {
      r.containerMs = now;
      LOG.info("recovery {}: {} got container {} on {}, {} ms after the loss", r.id, m.name(), containerId, host,
          r.containerMs - r.detectMs);
    }
  }

  /** {@code m}'s replacement registered at {@code now}: the first registration times its recovery. */
  void registered(Member m, String containerId, long now) {
    Recovery r = m.recovery;
    if (r != null && r.registeredMs == 0) {
      r.registeredMs = now;
      LOG.info("recovery {}: replacement of {} registered ({}): {} ms after the loss", r.id, m.name(), containerId,
          now - r.detectMs);
    }
  }

  /** A replacement server's ranges were filled (from peers or the checkpoint) at {@code now}. */
  void restored(Member server, long rows, long now) {
    Recovery r = server.recovery;
    if (r != null) {
      r.restoredMs = now;
      LOG.info("recovery {}: server {} restored {} rows, {} ms after the loss", r.id, server.index, rows,
          r.restoredMs - r.detectMs);
    }
  }

  /** Notes the checkpoint a rollback restores (clock -1 and dir "" when there is none) in the servers' recoveries. */
  void rollbackSource(long clock, String dir) {
    for (Member s : servers) {
      if (s.recovery != null && s.recovery.status == Recovery.Status.IN_PROGRESS) {
        s.recovery.checkpointClock = Math.max(0, clock);
        s.recovery.checkpoint = dir;
      }
    }
  }

  /**
   * Layout {@code version} was published at {@code now}: completes the recovery of every server
   * whose replacement registered, as it serves in that layout.
   */
  void layoutPublished(long version, long now) {
    for (Member s : servers) {
      Recovery r = s.recovery;
      if (r != null && r.registeredMs > 0) {
        r.publishedMs = now;
        r.restoredMs = r.restoredMs == 0 ? now : r.restoredMs;
        r.layoutVersion = version;
        r.status = Recovery.Status.DONE;
        s.recovery = null;
        LOG.info("recovery {}: {} serving again in layout version {} ({})", r.id, s.name(), version, r.timings());
        events.info("recovery of " + s.name() + " done: " + r.timings());
      }
    }
  }

  /** A replacement worker resumes at {@code clock}: completes its recovery; false if it had none. */
  boolean workerResumed(Member w, long clock) {
    Recovery r = w.recovery;
    if (r == null) {
      return false;
    }
    r.resumeClock = clock;
    r.status = Recovery.Status.DONE;
    w.recovery = null;
    LOG.info("recovery {}: worker {} resumes at clock {} ({})", r.id, w.index, clock, r.timings());
    events.info("recovery of worker " + w.index + " done: resumes at clock " + clock + "; " + r.timings());
    return true;
  }

  /** Indexes of the servers whose replacement is in progress (lost, or registered but not yet serving). */
  List<Integer> replacedServers() {
    List<Integer> out = new ArrayList<>();
    for (Member s : servers) {
      if (s.recovery != null && s.recovery.status == Recovery.Status.IN_PROGRESS) {
        out.add(s.index);
      }
    }
    return out;
  }

  /** Every recovery, oldest first, as immutable views. */
  List<RecoveryView> views() {
    List<RecoveryView> out = new ArrayList<>();
    for (Recovery r : records) {
      out.add(RecoveryView.of(r));
    }
    return out;
  }

  /** Takes over an earlier AM attempt's recoveries (new ids count on after them). */
  void restore(List<RecoveryView> saved) {
    for (RecoveryView r : saved) {
      records.add(r.toRecovery());
    }
  }
}
