package yarnps.appmaster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A new AM attempt's takeover of the previous attempt's containers: they re-register on their own,
 * and until the takeover ends ({@link JobState#endTakeover}) the members without a container are
 * not replaced and no layout is built on registration; the next layout published ends it.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods.
 */
final class Takeover {
  /** Containers of the previous AM attempt that have not registered (or ended) yet. */
  private final Set<String> adopted = new HashSet<>();
  /** Between {@link #begin} and the next published layout. */
  private boolean active;

  /** This attempt waits for the previous attempt's {@code containerIds}. */
  void begin(List<String> containerIds) {
    active = true;
    adopted.addAll(containerIds);
  }

  /** Whether this attempt waits for the previous attempt's containers, or for the layout after them. */
  boolean active() {
    return active;
  }

  /** Whether every container of the previous attempt registered (or ended). */
  boolean allBack() {
    return adopted.isEmpty();
  }

  /**
   * A container registered for a member that had none. Returns true when a takeover is active and
   * the container is not one of the previous attempt's (worth a warning).
   */
  boolean unexpected(String containerId) {
    return !adopted.remove(containerId) && active;
  }

  /** A container ended; returns whether it was one of the previous attempt's that never registered. */
  boolean endedUnregistered(String containerId) {
    return adopted.remove(containerId);
  }

  /** Stops waiting: returns the previous attempt's containers that did not register, to be retired. */
  List<String> stopWaiting() {
    List<String> missing = new ArrayList<>(adopted);
    adopted.clear();
    return missing;
  }

  /** A layout was published: the servers the takeover waited for are in it. */
  void layoutPublished() {
    active = false;
  }
}
