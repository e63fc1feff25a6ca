package yarnps.appmaster;

import java.util.Locale;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import yarnps.thrift.Role;

/**
 * Counts the failures of the job's containers per role against yarnps.server.max-failures and
 * yarnps.worker.max-failures. A container the framework took (preempted, killed by the RM or the
 * AM, its node or disks lost) is no failure of the job. Not thread-safe: guarded by
 * {@link JobState}'s lock.
 */
final class FailureTracker {
  private final int serverMaxFailures;
  private final int workerMaxFailures;
  private int serverFailures;
  private int workerFailures;

  FailureTracker(int serverMaxFailures, int workerMaxFailures) {
    this.serverMaxFailures = serverMaxFailures;
    this.workerMaxFailures = workerMaxFailures;
  }

  /** Whether a container's exit status is the job's fault (counts toward the limit). */
  static boolean countsAsFailure(int exitStatus) {
    switch (exitStatus) {
      case ContainerExitStatus.PREEMPTED:
      case ContainerExitStatus.KILLED_BY_RESOURCEMANAGER:
      case ContainerExitStatus.KILLED_BY_APPMASTER:
      case ContainerExitStatus.KILLED_AFTER_APP_COMPLETION:
      case ContainerExitStatus.KILLED_BY_CONTAINER_SCHEDULER:
      case ContainerExitStatus.ABORTED:
      case ContainerExitStatus.DISKS_FAILED:
        return false;
      default:
        return true;
    }
  }

  /**
   * Records a lost container of member {@code m} (a failure when {@code counted}); returns the job's
   * failure diagnostic when its role went past the limit, naming the member and every loss of its
   * containers ({@code m.losses}, the newest included), else null.
   */
  String lost(Member m, boolean counted) {
    if (!counted) {
      return null;
    }
    m.failures++;
    int total = m.role == Role.SERVER ? ++serverFailures : ++workerFailures;
    int limit = limit(m.role);
    if (total <= limit) {
      return null;
    }
    String role = m.role.name().toLowerCase(Locale.ROOT);
    return m.name() + " failed: " + total + " " + role + " failures by the job's fault, more than yarnps." + role
        + ".max-failures=" + limit + "; its containers: " + String.join("; ", m.losses);
  }

  int failures(Role role) {
    return role == Role.SERVER ? serverFailures : workerFailures;
  }

  int limit(Role role) {
    return role == Role.SERVER ? serverMaxFailures : workerMaxFailures;
  }

  /** Takes over the counts of an earlier AM attempt. */
  void restore(int servers, int workers) {
    serverFailures = servers;
    workerFailures = workers;
  }
}
