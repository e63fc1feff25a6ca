package yarnps.appmaster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The workers' named barriers. A barrier opens when every worker that has not finished arrived at
 * it; a name can be used again, each use being a new generation.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods. The waiting happens in {@link JobState#barrier}, on JobState's monitor, so
 * that a worker's finish, a loss, a rollback or the job's end wakes the waiters.
 */
final class Barriers {
  private final List<Member> workers;
  /** The workers waiting at each barrier now. */
  private final Map<String, Set<Integer>> arrived = new HashMap<>();
  /** How many times each barrier opened. */
  private final Map<String, Long> generations = new HashMap<>();

  Barriers(List<Member> workers) {
    this.workers = workers;
  }

  /** A worker arrives at the named barrier; returns the generation it waits to see opened. */
  long arrive(int worker, String name) {
    long generation = generations.getOrDefault(name, 0L);
    arrived.computeIfAbsent(name, k -> new HashSet<>()).add(worker);
    return generation;
  }

  /** Whether the barrier's {@code generation} opened. */
  boolean opened(String name, long generation) {
    return generations.getOrDefault(name, 0L) != generation;
  }

  /**
   * Opens the barrier's {@code generation} if every worker that has not finished arrived (the
   * caller wakes the waiters); returns whether it opened.
   */
  boolean openIfComplete(String name, long generation) {
    Set<Integer> here = arrived.getOrDefault(name, Set.of());
    for (Member w : workers) {
      if (w.state != Member.State.FINISHED && !here.contains(w.index)) {
        return false;
      }
    }
    arrived.remove(name);
    generations.put(name, generation + 1);
    return true;
  }

  /** A worker stops waiting at the named barrier (its run ends). */
  void leave(int worker, String name) {
    Set<Integer> here = arrived.get(name);
    if (here != null) {
      here.remove(worker);
    }
  }

  /** A lost worker waits nowhere: its replacement arrives again. */
  void leaveAll(int worker) {
    for (Set<Integer> here : arrived.values()) {
      here.remove(worker);
    }
  }

  /** Every worker stops waiting (a rollback ends their runs); generations keep counting. */
  void clear() {
    arrived.clear();
  }

  /** The workers waiting at the named barrier now. */
  Set<Integer> arrived(String name) {
    return Set.copyOf(arrived.getOrDefault(name, Set.of()));
  }
}
