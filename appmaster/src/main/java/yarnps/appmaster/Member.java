package yarnps.appmaster;

import java.util.HashMap;
import java.util.Map;
import yarnps.thrift.Role;

/** One server or worker of the job, as the AM tracks it. Guarded by {@link JobState}'s lock. */
final class Member {

  /** Lifecycle of a member's container. */
  enum State { REQUESTED, LAUNCHING, RUNNING, REGISTERED, FINISHED, FAILED }

  /** Server counters whose rates the tracking page shows, as servers send them in heartbeats. */
  static final String[] SERVER_COUNTERS = {"pushes", "pulls", "bytes_in", "bytes_out"};
  /** Rates are taken over this window of heartbeats. */
  static final long RATE_WINDOW_MS = 5_000;

  final Role role;
  final int index;
  State state = State.REQUESTED;
  String containerId = "";
  String host = "";
  /** The NodeManager's web address (host:port) of the member's container, for its log link. */
  String nodeHttpAddress = "";
  int port;
  long clock;
  double progress;
  Map<String, Double> metrics = new HashMap<>();
  long lastHeartbeatMs;
  String diagnostics = "";
  /** The latest value of every metric the member reported (training loss, ...) and the clock of its last report; -1: none yet. */
  Map<String, Double> lastReport = Map.of();
  long lastReportClock = -1;
  /** Every loss of this member's containers, in words (exit status or silence), oldest first. */
  final java.util.List<String> losses = new java.util.ArrayList<>();
  /** Containers of this member that failed by the job's own fault. */
  int failures;
  /** The replacement of this member in progress (a container requested, starting, or restoring), or null. */
  Recovery recovery;
  /** Worker: the clock its current (replacement) container was told to resume at; -1 for none. */
  long resumeClock = -1;
  /** Worker: the newest ROLLBACK it acknowledged (its heartbeat metric {@code rollback_id}). */
  long rollbackAcked;
  final CounterRates rates = new CounterRates(RATE_WINDOW_MS, SERVER_COUNTERS);

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
