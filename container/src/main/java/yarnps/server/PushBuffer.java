package yarnps.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pushes a server holds back under sequential consistency: acknowledged at once, applied when
 * every worker has passed their clock, in (clock, worker, requestId, arrival) order, so that the
 * parameters after clock c do not depend on timing nor on how keys are spread over servers.
 */
final class PushBuffer implements ClockGroup.Applier {

  /** One held push: its own copies of the keys (or a cached, immutable list) and values. */
  record Held(TableShards table, long clock, int worker, long requestId, long arrival, long[] keys, float[] values,
      int n) {}

  private static final Comparator<Held> ORDER = Comparator.comparingLong(Held::clock)
      .thenComparingInt(Held::worker).thenComparingLong(Held::requestId).thenComparingLong(Held::arrival);

  private final TreeMap<Long, List<Held>> byClock = new TreeMap<>();
  private long arrivals;
  private long heldKeys;

  synchronized void add(TableShards table, long clock, int worker, long requestId, long[] keys, float[] values, int n) {
    byClock.computeIfAbsent(clock, c -> new ArrayList<>())
        .add(new Held(table, clock, worker, requestId, arrivals++, keys, values, n));
    heldKeys += n;
  }

  @Override
  public void applyBelow(long clock) {
    List<Held> due = new ArrayList<>();
    synchronized (this) {
      Map<Long, List<Held>> head = byClock.headMap(clock);
      head.values().forEach(due::addAll);
      head.clear();
      for (Held h : due) {
        heldKeys -= h.n();
      }
    }
    due.sort(ORDER);
    int[] runs = new int[96];
    for (Held h : due) {
      int need = 3 * Math.max(1, Math.min(h.n(), h.table().numRanges()));
      if (runs.length < need) {
        runs = new int[need];
      }
      try {
        int numRuns = h.table().runs(h.keys(), h.n(), runs);
        h.table().push(h.keys(), h.values(), runs, numRuns, h.n());
      } catch (yarnps.thrift.PsError e) {
        // Checked when the push arrived; the layout does not change while it is held.
        throw new IllegalStateException("held push no longer fits this server: " + e.getMessage(), e);
      }
    }
  }

  /** Drops every held push unapplied (a restore replaced the parameters they were meant for). */
  synchronized void clear() {
    byClock.clear();
    heldKeys = 0;
  }

  synchronized long heldKeys() {
    return heldKeys;
  }
}
