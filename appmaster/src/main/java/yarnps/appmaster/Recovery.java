package yarnps.appmaster;

import yarnps.thrift.Role;

/**
 * One replacement of a lost server or worker, with the wall-clock time (ms since the epoch; 0 =
 * not yet) of each step, for the tracking page, the AM's saved state and the recovery experiment.
 * Guarded by {@link JobState}'s lock.
 */
final class Recovery {

  /** Where a recovery stands. */
  enum Status { IN_PROGRESS, DONE, FAILED }

  final long id;
  final Role role;
  final int index;
  /** yarnps.replication of the job: 0 means a lost server is restored from a checkpoint (rollback). */
  final int replication;
  /** Why the member was declared lost (its container's exit, or its silence). */
  final String cause;
  /** When the AM saw the loss: the container's completion, or the heartbeat timeout. */
  final long detectMs;
  /** When the replacement container was allocated. */
  long containerMs;
  /** When the replacement registered with the AM. */
  long registeredMs;
  /** Server: when its ranges were restored (from peers, or every server from the checkpoint). */
  long restoredMs;
  /** Server: when the layout with its new address was published to the workers. */
  long publishedMs;
  /** The layout version published for this recovery; 0 until then. */
  long layoutVersion;
  /** k = 0: the checkpoint's clock the job rolled back to (0 with no checkpoint); -1 otherwise. */
  long checkpointClock = -1;
  /** k = 0: the checkpoint directory restored; empty for none. */
  String checkpoint = "";
  /** Worker: the clock the replacement resumed at; -1 otherwise. */
  long resumeClock = -1;
  Status status = Status.IN_PROGRESS;

  Recovery(long id, Role role, int index, int replication, String cause, long detectMs) {
    this.id = id;
    this.role = role;
    this.index = index;
    this.replication = replication;
    this.cause = cause;
    this.detectMs = detectMs;
  }

  String memberName() {
    return role.name().toLowerCase(java.util.Locale.ROOT) + " " + index;
  }

  /** The step times relative to the detection, for log lines. */
  String timings() {
    return "container +" + since(containerMs) + " ms, registered +" + since(registeredMs) + " ms"
        + (role == Role.SERVER ? ", restored +" + since(restoredMs) + " ms, published +" + since(publishedMs) + " ms" : "");
  }

  private long since(long t) {
    return t == 0 ? -1 : t - detectMs;
  }
}
