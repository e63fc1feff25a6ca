package yarnps.server;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.LongAdder;
import yarnps.conf.PsKeys.Consistency;

/**
 * The workers' clocks as one server sees them, and the pulls waiting for them.
 *
 * <p>A worker's clock c means every push it sent with a clock below c has been acknowledged. A
 * pull at clock t may be answered once every worker still in the group reached t - tau (tau 0
 * for sequential consistency; eventual consistency never waits): it is {@linkplain #admit
 * admitted} at once, or parked without holding a thread and run by the clock update that makes
 * it admissible. A worker that leaves stops counting.
 *
 * <p>Under sequential consistency the server also defers applying pushes: before the group's
 * minimum clock is published as m, the {@link Applier} applies every buffered push of a clock
 * below m, so a pull admitted at clock t sees all pushes of clocks below t, applied in an order
 * that does not depend on timing.
 */
final class ClockGroup {

  /** Applies buffered pushes (sequential consistency). */
  interface Applier {
    /** Applies every buffered push with a clock below {@code clock}, in a fixed order. */
    void applyBelow(long clock);
  }

  private final Consistency model;
  private final long tau;
  private final long[] clocks;
  private final boolean[] left;
  private final Applier applier;
  private final Object applyLock = new Object();
  /** Minimum clock of the workers still in the group whose pushes below it are applied; MAX when none is left. */
  private long published;
  /** The published clock does not rise above this (a checkpoint cut in progress); MAX when free. */
  private long cap = Long.MAX_VALUE;
  private final PriorityQueue<Parked> parked = new PriorityQueue<>((a, b) -> Long.compare(a.need, b.need));
  private long sequence;

  final LongAdder pullsAdmitted = new LongAdder();
  final LongAdder pullsDeferred = new LongAdder();
  final LongAdder waitNanos = new LongAdder();
  /** Pulls answered while a worker was further behind than tau allows: must stay 0. */
  final LongAdder boundViolations = new LongAdder();
  private volatile long maxLagSeen;

  private record Parked(long need, long seq, long since, Runnable run) {}

  ClockGroup(Consistency model, int tau, int workers, Applier applier) {
    this.model = model;
    this.tau = model == Consistency.SEQUENTIAL ? 0 : tau;
    this.clocks = new long[workers];
    this.left = new boolean[workers];
    this.applier = applier;
  }

  /** Whether pushes are buffered and applied in order at clock boundaries. */
  boolean ordered() {
    return model == Consistency.SEQUENTIAL;
  }

  /** Whether a pull at clock t would have to wait now (a hint: {@link #park} decides). */
  boolean mustWait(long t) {
    if (model == Consistency.EVENTUAL) {
      return false;
    }
    synchronized (this) {
      return published < t - tau;
    }
  }

  /**
   * Parks pull and returns true if a pull at clock t may not be answered yet; it then runs on the
   * thread of the clock update that makes it admissible. Returns false when it may be answered
   * now: the caller answers it. The check and the park are atomic with updates.
   */
  boolean park(long t, Runnable pull) {
    if (model == Consistency.EVENTUAL) {
      pullsAdmitted.increment();
      return false;
    }
    long need = t - tau;
    synchronized (this) {
      if (published < need) {
        parked.add(new Parked(need, sequence++, System.nanoTime(), pull));
        pullsDeferred.increment();
        return true;
      }
      noteServed(t);
    }
    pullsAdmitted.increment();
    return false;
  }

  /** Counts a pull answered at once after {@link #mustWait} said it need not wait. */
  void admitted(long t) {
    pullsAdmitted.increment();
    if (model != Consistency.EVENTUAL) {
      synchronized (this) {
        noteServed(t);
      }
    }
  }

  /** Records the lag of a pull answered now; the caller holds the monitor. */
  private void noteServed(long t) {
    long lag = published == Long.MAX_VALUE ? 0 : t - published;
    if (lag > maxLagSeen) {
      maxLagSeen = lag;
    }
    if (lag > tau) {
      boundViolations.increment();
    }
  }

  /**
   * A worker's clock advanced (or it left). Applies what sequential consistency buffered, then
   * runs the parked pulls that became admissible, on the calling thread.
   *
   * @throws IllegalArgumentException for an unknown worker index
   */
  void update(int worker, long clock, boolean leaving) {
    if (worker < 0 || worker >= clocks.length) {
      throw new IllegalArgumentException("worker " + worker + " is not in this job (0.." + (clocks.length - 1) + ")");
    }
    synchronized (this) {
      clocks[worker] = Math.max(clocks[worker], clock);
      left[worker] |= leaving;
      notifyAll();
      if (Math.min(minimum(), cap) <= published) {
        return;
      }
    }
    advance();
  }

  /**
   * Publishes min(minimum, cap), applying first under sequential consistency what the new
   * published clock needs, and runs the pulls that became admissible on the calling thread.
   */
  private void advance() {
    List<Parked> ready = new ArrayList<>();
    if (applier != null && ordered()) {
      // Under applyLock, so that capAt() returning means no application past the cap is under way.
      synchronized (applyLock) {
        long target;
        synchronized (this) {
          target = Math.min(minimum(), cap);
          if (target <= published) {
            return;
          }
        }
        applier.applyBelow(target);
        synchronized (this) {
          publish(target, ready);
        }
      }
    } else {
      synchronized (this) {
        publish(Math.min(minimum(), cap), ready);
      }
    }
    for (Parked p : ready) {
      p.run.run();
    }
  }

  /** Raises published to target (never lowers it) and collects the pulls now admissible; holds the monitor. */
  private void publish(long target, List<Parked> ready) {
    if (target > published) {
      published = target;
      notifyAll();
    }
    while (!parked.isEmpty() && parked.peek().need <= published) {
      Parked p = parked.poll();
      waitNanos.add(System.nanoTime() - p.since);
      ready.add(p);
    }
  }

  /**
   * Stops the published clock (and so, under sequential consistency, the application of buffered
   * pushes) at {@code cap}: from when this returns, no push of a clock at or above the cap is
   * applied by the group and no pull that would need one is admitted, until the cap is raised.
   * A published clock already above the cap stays. Raising the cap publishes (and applies) what
   * it allows at once; {@code Long.MAX_VALUE} lifts it. Used by the checkpoint cut.
   */
  void capAt(long cap) {
    synchronized (applyLock) {
      synchronized (this) {
        this.cap = cap;
      }
    }
    advance();
  }

  /**
   * Waits until the published clock is at least {@code clock} (every worker still in the group
   * reached it, and under sequential consistency the pushes below it are applied), or
   * {@code cancelled} says so (checked whenever the group changes or {@link #wakeWaiters} is
   * called), or the deadline ({@link System#nanoTime()}) passes. Returns whether it got there.
   */
  boolean awaitPublished(long clock, long deadlineNanos, java.util.function.BooleanSupplier cancelled)
      throws InterruptedException {
    synchronized (this) {
      while (published < clock && !cancelled.getAsBoolean()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return published >= clock;
    }
  }

  /** Wakes {@link #awaitPublished} callers so that they check their cancellation. */
  synchronized void wakeWaiters() {
    notifyAll();
  }

  /**
   * Starts the group over at {@code clock}, as after a restore: every worker is at it and in the
   * group again, published is it, the cap is lifted, and waiting pulls (of the job before the
   * rollback) are dropped unanswered.
   */
  void reset(long clock) {
    synchronized (applyLock) {
      synchronized (this) {
        java.util.Arrays.fill(clocks, clock);
        java.util.Arrays.fill(left, false);
        published = clock;
        cap = Long.MAX_VALUE;
        parked.clear();
        notifyAll();
      }
    }
  }

  /** Worker w's clock as this server saw it last. */
  synchronized long clock(int w) {
    return clocks[w];
  }

  int workers() {
    return clocks.length;
  }

  /** The workers still in the group whose clock is below {@code clock}, as "worker W at clock C". */
  synchronized List<String> behind(long clock) {
    List<String> out = new ArrayList<>();
    for (int w = 0; w < clocks.length; w++) {
      if (!left[w] && clocks[w] < clock) {
        out.add("worker " + w + " at clock " + clocks[w]);
      }
    }
    return out;
  }

  /** Minimum clock of the workers in the group; Long.MAX_VALUE when all have left. */
  private long minimum() {
    long m = Long.MAX_VALUE;
    for (int w = 0; w < clocks.length; w++) {
      if (!left[w]) {
        m = Math.min(m, clocks[w]);
      }
    }
    return m;
  }

  /** A worker's clock as this server knows it (0 for an index outside the job). */
  synchronized long clockOf(int worker) {
    return worker >= 0 && worker < clocks.length ? clocks[worker] : 0;
  }

  /** Whether a worker left the group. */
  synchronized boolean hasLeft(int worker) {
    return left[worker];
  }

  int numWorkers() {
    return clocks.length;
  }

  synchronized long published() {
    return published;
  }

  synchronized int parkedPulls() {
    return parked.size();
  }

  long maxLagSeen() {
    return maxLagSeen;
  }
}
