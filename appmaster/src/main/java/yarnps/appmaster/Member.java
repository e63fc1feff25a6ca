package yarnps.appmaster;

import java.util.HashMap;
import java.util.Map;
import yarnps.thrift.Role;

/** One server or worker of the job, as the AM tracks it. Guarded by {@link JobState}'s lock. */
final class Member {

  /** Lifecycle of a member's container. */
  enum State { REQUESTED, LAUNCHING, RUNNING, REGISTERED, FINISHED, FAILED }

  final Role role;
  final int index;
  State state = State.REQUESTED;
  String containerId = "";
  String host = "";
  int port;
  long clock;
  double progress;
  Map<String, Double> metrics = new HashMap<>();
  long lastHeartbeatMs;
  String diagnostics = "";

  Member(Role role, int index) {
    this.role = role;
    this.index = index;
  }

  String name() {
    return role.name().toLowerCase(java.util.Locale.ROOT) + " " + index;
  }

  @Override
  public String toString() {
    return name() + (containerId.isEmpty() ? "" : " (" + containerId + (host.isEmpty() ? "" : " on " + host) + ")");
  }
}
