package yarnps.appmaster;

import java.util.ArrayList;
import java.util.List;
import yarnps.common.HashRing;
import yarnps.common.KeyLayout;
import yarnps.thrift.KeyRange;
import yarnps.thrift.Layout;
import yarnps.thrift.ServerAddress;

/**
 * The job's key layout: the one published, the next one to build and when it is due. Every
 * layout of a job, in every AM attempt, has the same ranges (one ring, {@link JobState#RING_SEED});
 * a new one differs in its version and the servers' addresses.
 *
 * <p>Not thread-safe: guarded by the owning {@link JobState}'s monitor and used only from its
 * synchronized methods.
 */
final class Layouts {
  private final List<Member> servers;
  private final int vnodes;
  private Layout current = new Layout(0, List.of(), List.of());
  /** The highest layout version a registering container held (a new attempt builds above it). */
  private long maxSeen;
  /** The layout must be rebuilt (and installed on every server) even without a replaced server. */
  private boolean rebuild;

  Layouts(List<Member> servers, int vnodes) {
    this.servers = servers;
    this.vnodes = vnodes;
  }

  /** The published layout; version 0 (no ranges) before the first. */
  Layout current() {
    return current;
  }

  /** A registering container holds layout {@code version} (0: none). */
  void held(long version) {
    maxSeen = Math.max(maxSeen, version);
  }

  /** The highest version published or held by a container. */
  long highestVersion() {
    return Math.max(current.getVersion(), maxSeen);
  }

  /**
   * The next layout: the job's ranges, the servers' current addresses, and a version above every
   * one published or held by a registered container.
   */
  Layout next() {
    long version = highestVersion() + 1;
    KeyLayout kl = HashRing.build(version, servers.size(), vnodes, JobState.RING_SEED);
    List<KeyRange> ranges = kl.toThriftRanges();
    List<ServerAddress> addrs = new ArrayList<>();
    for (Member s : servers) {
      addrs.add(new ServerAddress(s.index, s.host, s.port));
    }
    return new Layout(version, ranges, addrs);
  }

  /**
   * Makes {@code next} the published layout, which no longer needs a rebuild; returns whether it
   * is the job's first.
   *
   * @throws IllegalArgumentException when its version is not above the published one's
   */
  boolean install(Layout next) {
    if (next.getVersion() <= current.getVersion()) {
      throw new IllegalArgumentException("layout version " + next.getVersion() + " is not above the current "
          + current.getVersion());
    }
    boolean first = current.getVersion() == 0;
    current = next;
    rebuild = false;
    return first;
  }

  /** The next layout must be built and installed even if no server was replaced. */
  void rebuild() {
    rebuild = true;
  }

  boolean rebuildDue() {
    return rebuild;
  }
}
