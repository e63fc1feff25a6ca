package yarnps.appmaster;

import yarnps.thrift.Role;

/**
 * A snapshot of one {@link Recovery} for the status API and the AM's saved state. Times are
 * wall-clock ms since the epoch, 0 for a step not reached (or not applicable).
 */
record RecoveryView(long id, Role role, int index, int replication, String cause, long detectMs, long containerMs,
    long registeredMs, long restoredMs, long publishedMs, long layoutVersion, long checkpointClock, String checkpoint,
    long resumeClock, Recovery.Status status) {

  static RecoveryView of(Recovery r) {
    return new RecoveryView(r.id, r.role, r.index, r.replication, r.cause, r.detectMs, r.containerMs, r.registeredMs,
        r.restoredMs, r.publishedMs, r.layoutVersion, r.checkpointClock, r.checkpoint, r.resumeClock, r.status);
  }

  /** A finished recovery of an earlier AM attempt, as this attempt keeps it. */
  Recovery toRecovery() {
    Recovery r = new Recovery(id, role, index, replication, cause, detectMs);
    r.containerMs = containerMs;
    r.registeredMs = registeredMs;
    r.restoredMs = restoredMs;
    r.publishedMs = publishedMs;
    r.layoutVersion = layoutVersion;
    r.checkpointClock = checkpointClock;
    r.checkpoint = checkpoint;
    r.resumeClock = resumeClock;
    r.status = status == Recovery.Status.IN_PROGRESS ? Recovery.Status.FAILED : status;
    return r;
  }
}
