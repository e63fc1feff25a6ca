package yarnps.appmaster;

import java.util.ArrayList;
import java.util.List;
import yarnps.thrift.Role;

/**
 * The job's servers and workers by role and index, and the questions asked of all of them. Not
 * thread-safe: like the {@link Member}s it holds, it is guarded by the owning {@link JobState}'s
 * monitor and used only from JobState's synchronized methods.
 */
final class Roster {
  private final List<Member> servers;
  private final List<Member> workers;

  Roster(int numServers, int numWorkers) {
    Member[] s = new Member[numServers];
    Member[] w = new Member[numWorkers];
    for (int i = 0; i < numServers; i++) {
      s[i] = new Member(Role.SERVER, i);
    }
    for (int i = 0; i < numWorkers; i++) {
      w[i] = new Member(Role.WORKER, i);
    }
    this.servers = List.of(s);
    this.workers = List.of(w);
  }

  /** The servers by index (a fixed list). */
  List<Member> servers() {
    return servers;
  }

  /** The workers by index (a fixed list). */
  List<Member> workers() {
    return workers;
  }

  /** @throws IllegalArgumentException when the job has no such member */
  Member member(Role role, int index) {
    List<Member> group = role == Role.SERVER ? servers : workers;
    if (index < 0 || index >= group.size()) {
      throw new IllegalArgumentException("no " + role.name().toLowerCase() + " " + index + " in this job (it has "
          + group.size() + ")");
    }
    return group.get(index);
  }

  /** The member whose current container is {@code containerId}, or null. */
  Member byContainer(String containerId) {
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

  /** Every member, servers first, in a new list the caller may keep. */
  List<Member> all() {
    List<Member> all = new ArrayList<>(servers.size() + workers.size());
    all.addAll(servers);
    all.addAll(workers);
    return all;
  }

  boolean allServersRegistered() {
    for (Member s : servers) {
      if (s.state != Member.State.REGISTERED) {
        return false;
      }
    }
    return true;
  }

  boolean allWorkersFinished() {
    for (Member w : workers) {
      if (w.state != Member.State.FINISHED) {
        return false;
      }
    }
    return true;
  }

  /** Whether no server has a live container (each finished, failed, or waits for a new one). */
  boolean serversEnded() {
    boolean all = true;
    for (Member s : servers) {
      all &= s.state == Member.State.FINISHED || s.state == Member.State.FAILED || s.state == Member.State.REQUESTED;
    }
    return all;
  }

  /** The lowest clock of the workers that have not finished; -1 when all finished. */
  long minWorkerClock() {
    long min = Long.MAX_VALUE;
    for (Member w : workers) {
      if (w.state != Member.State.FINISHED) {
        min = Math.min(min, w.clock);
      }
    }
    return min == Long.MAX_VALUE ? -1 : min;
  }

  List<Integer> finishedWorkers() {
    List<Integer> out = new ArrayList<>();
    for (Member w : workers) {
      if (w.state == Member.State.FINISHED) {
        out.add(w.index);
      }
    }
    return out;
  }

  /** The sum over workers of a metric from their latest heartbeats. */
  double workerMetricSum(String name) {
    double sum = 0;
    for (Member w : workers) {
      sum += w.metrics.getOrDefault(name, 0.0);
    }
    return sum;
  }

  /** The mean of the workers' progress, within [0, 1]. */
  float progress() {
    double sum = 0;
    for (Member w : workers) {
      sum += w.progress;
    }
    return (float) Math.max(0, Math.min(1, sum / workers.size()));
  }
}
