package yarnps.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.rpc.Errors;
import yarnps.rpc.PsWire;
import yarnps.thrift.PsError;

/**
 * One server's side of the two-phase checkpoint cut: the state "after clock C" (every push of a
 * clock below C applied, none of a clock at or above it), held still while the shards are written.
 *
 * <ol>
 *   <li>{@link #prepare}: from now on pushes of a clock above the highest this server has seen are
 *       held back (acknowledged, not applied), and the published clock of the {@link ClockGroup}
 *       stops there; returns that highest clock + 1, the lowest clock this server can cut at.
 *   <li>{@link #begin} with the cut clock C (the largest of the servers' answers): holds back only
 *       pushes of clocks &gt;= C, applying the held ones below it; then {@link #awaitClock} waits
 *       until every worker still in the group reached C, i.e. all its pushes below C are
 *       acknowledged, hence applied. The caller then writes the shards.
 *   <li>{@link #release} (or {@link #abort}): the held pushes are applied and holding stops.
 * </ol>
 *
 * <p>Every push passes {@link #hold} before it is applied. Under eventual and bounded consistency
 * it records the push's clock in maxPushClockSeen and then reads the hold threshold; prepare
 * writes the threshold and then reads maxPushClockSeen (both volatile), so a push is either seen
 * by prepare (its clock is below the answer) or sees the threshold (and is held when at or above
 * it). Under sequential consistency the {@link PushBuffer} holds every push already: the cut caps
 * the group's published clock, which is how far the buffer is applied.
 *
 * <p>Memory: a held push costs its own copy of its keys and values (8 + 4 x width bytes per key),
 * for as long as the slowest worker takes to reach C plus the time to write the shards.
 */
final class CheckpointCut {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCut.class);

  /** Applies a released push: the handler's own apply path (shards, vector clocks). */
  @FunctionalInterface
  interface Sink {
    void apply(Held push);
  }

  /** A push held back by the cut, with its own copies of keys[0, n) and values[0, n * width). */
  record Held(TableShards table, int worker, long clock, long requestId, long[] keys, float[] values, int n) {}

  private enum State { IDLE, PREPARED, WRITING }

  private final int self;
  private final ClockGroup clocks;
  private final Sink sink;
  private final long timeoutMs;
  /** Serializes the control calls; never taken on the push path. */
  private final ReentrantLock control = new ReentrantLock();
  private final AtomicLong maxSeen = new AtomicLong(-1);
  /** Pushes of this clock or above are held (eventual and bounded consistency). */
  private volatile long holdFrom = Long.MAX_VALUE;
  private volatile boolean cancelled;
  private volatile State state = State.IDLE;
  private long id;
  private long prepared;
  /** Guarded by this. */
  private final List<Held> held = new ArrayList<>();
  /** Pulls that would miss held pushes, answered when the cut ends; guarded by this. */
  private final List<ParkedPull> parkedPulls = new ArrayList<>();

  private record ParkedPull(long clock, Runnable run) {}
  private long heldKeys;
  private ScheduledExecutorService expiry;
  final LongAdder pushesHeld = new LongAdder();
  final LongAdder pullsParked = new LongAdder();

  CheckpointCut(int self, ClockGroup clocks, Sink sink, long timeoutMs) {
    this.self = self;
    this.clocks = clocks;
    this.sink = sink;
    this.timeoutMs = timeoutMs;
  }

  /**
   * The push path's hook, before a push is applied: records its clock, and returns true when the
   * cut holds it (the caller acknowledges it without applying it). keys[0, n) and values[0, n *
   * width) are copied when held. Refuses a push with a key of another server before holding it.
   */
  boolean hold(TableShards t, PsWire.Request req, long[] keys, float[] values, int n) throws PsError {
    long c = req.clock;
    long seen = maxSeen.get();
    while (c > seen && !maxSeen.compareAndSet(seen, c)) {
      seen = maxSeen.get();
    }
    if (clocks.ordered() || c < holdFrom) {
      return false;
    }
    int[] runs = new int[3 * Math.max(1, Math.min(n, t.numRanges()))];
    t.runs(keys, n, runs);
    Held h = new Held(t, req.worker, c, req.requestId, Arrays.copyOf(keys, n),
        Arrays.copyOf(values, n * t.width()), n);
    synchronized (this) {
      if (c < holdFrom) {
        return false;
      }
      held.add(h);
      heldKeys += n;
    }
    pushesHeld.increment();
    return true;
  }

  /** First phase of checkpoint id: starts holding back, returns the lowest clock to cut at. */
  long prepare(long checkpointId) throws PsError {
    control.lock();
    try {
      if (state == State.WRITING) {
        throw Errors.badRequest("server " + self + ": checkpoint " + id + " is being written; checkpoint "
            + checkpointId + " cannot start before it ends");
      }
      if (state == State.PREPARED && id == checkpointId) {
        return prepared;
      }
      if (state == State.PREPARED) {
        LOG.warn("server {}: checkpoint {} replaces checkpoint {}, prepared but never taken", self, checkpointId, id);
      }
      // Freeze the published clock first: whatever it allowed to be applied is counted below.
      clocks.capAt(Long.MIN_VALUE);
      long p;
      if (clocks.ordered()) {
        p = maxSeen.get() + 1;
      } else {
        long m1 = maxSeen.get();
        holdFrom = m1 + 1;
        // A push that read the old threshold recorded its clock before this read.
        long m2 = maxSeen.get();
        p = Math.max(m1, m2) + 1;
        applyAll(takeHeld(p));
      }
      clocks.capAt(p);
      state = State.PREPARED;
      id = checkpointId;
      prepared = p;
      cancelled = false;
      scheduleExpiry(checkpointId);
      LOG.info("server {}: checkpoint {} prepared, holding back pushes of clocks >= {}", self, checkpointId, p);
      return p;
    } finally {
      control.unlock();
    }
  }

  /**
   * Second phase: cut at {@code clock} (&gt;= what prepare returned): only pushes of clocks at or
   * above it stay held; the held ones below it are applied now.
   */
  void begin(long checkpointId, long clock) throws PsError {
    control.lock();
    try {
      if (state != State.PREPARED || id != checkpointId) {
        throw Errors.badRequest("server " + self + ": checkpoint " + checkpointId + " was not prepared"
            + (state == State.IDLE ? " (or was aborted or expired)" : " (checkpoint " + id + " is " + state + ")"));
      }
      if (clock < prepared) {
        throw Errors.badRequest("server " + self + ": checkpoint " + checkpointId + " at clock " + clock
            + " is below the lowest clock this server can cut at, " + prepared + " (the maximum of checkpointPrepare's answers)");
      }
      state = State.WRITING;
      if (!clocks.ordered()) {
        applyAll(takeHeld(clock));
      }
      clocks.capAt(clock);
    } finally {
      control.unlock();
    }
    wakePulls();
  }

  /**
   * Waits until every worker still in the group reached {@code clock} (all of its pushes below it
   * applied here), for at most yarnps.checkpoint.timeout.ms.
   *
   * @throws PsError naming the workers behind on timeout, or when the checkpoint was aborted
   */
  void awaitClock(long checkpointId, long clock) throws PsError {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    boolean reached;
    try {
      reached = clocks.awaitPublished(clock, deadline, () -> cancelled);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("checkpoint " + checkpointId, e);
    }
    if (cancelled) {
      throw Errors.badRequest("server " + self + ": checkpoint " + checkpointId + " was aborted");
    }
    if (!reached) {
      throw Errors.internal("checkpoint " + checkpointId, new java.util.concurrent.TimeoutException(
          "server " + self + ": not every worker reached clock " + clock + " within " + timeoutMs
              + " ms (yarnps.checkpoint.timeout.ms): " + clocks.behind(clock)));
    }
  }

  /** Whether the checkpoint being written was aborted (its writers stop early). */
  boolean cancelled() {
    return cancelled;
  }

  /** Ends checkpoint id, taken or not: applies every held push and stops holding. A no-op for another id. */
  void release(long checkpointId) {
    control.lock();
    try {
      if (state == State.IDLE || id != checkpointId) {
        return;
      }
      state = State.IDLE;
      applyAll(takeHeld(Long.MAX_VALUE));
      clocks.capAt(Long.MAX_VALUE);
    } finally {
      control.unlock();
    }
    wakePulls();
  }

  /**
   * Abandons checkpoint id: a prepared one is released at once; one being written stops waiting
   * and writing and releases itself. Unknown ids are ignored (the call is idempotent).
   */
  void abort(long checkpointId) {
    control.lock();
    try {
      if (state == State.WRITING && id == checkpointId) {
        cancelled = true;
        clocks.wakeWaiters();
        LOG.info("server {}: checkpoint {} aborted while being taken", self, checkpointId);
        return;
      }
      release(checkpointId);
    } finally {
      control.unlock();
    }
  }

  /**
   * Starts over after a restore at {@code clock}: held pushes are dropped, nothing is held, a cut
   * being written is cancelled, and the next prepare answers at least {@code clock}.
   */
  void reset(long clock) {
    control.lock();
    try {
      if (state == State.WRITING) {
        cancelled = true;
      }
      state = State.IDLE;
      takeHeld(Long.MAX_VALUE);
      maxSeen.set(clock - 1);
    } finally {
      control.unlock();
    }
    wakePulls();
  }

  /**
   * Parks a pull at clock c that would miss pushes the cut holds back (a pull at c may depend on
   * pushes of clocks up to c, and those from holdFrom on are held): it runs when the cut ends, so
   * that no pull misses a push the server acknowledged before it (a worker reads its own writes,
   * and a job's final pulls see every push). Returns false when the pull may be answered now.
   * Under sequential consistency the clock group's cap keeps such pulls waiting instead.
   */
  boolean parkPull(long c, Runnable pull) {
    if (clocks.ordered()) {
      return false;
    }
    synchronized (this) {
      if (c < holdFrom) {
        return false;
      }
      parkedPulls.add(new ParkedPull(c, pull));
    }
    pullsParked.increment();
    return true;
  }

  /** Whether a pull at clock c would have to wait for the cut (a hint: {@link #parkPull} decides). */
  boolean holds(long c) {
    return !clocks.ordered() && c >= holdFrom;
  }

  /**
   * Runs the parked pulls that held pushes no longer concern: those of clocks below the threshold
   * (raised to the cut's clock when it begins, and past every clock when it ends). A worker still
   * below the cut's clock is never kept waiting, so it can reach the clock the cut waits for.
   */
  private void wakePulls() {
    List<ParkedPull> ready = new ArrayList<>();
    synchronized (this) {
      long from = holdFrom;
      parkedPulls.removeIf(p -> {
        if (p.clock() < from) {
          ready.add(p);
          return true;
        }
        return false;
      });
    }
    for (ParkedPull p : ready) {
      p.run().run();
    }
  }

  /**
   * Waits until no checkpoint is prepared or being written, for at most timeoutMs; returns whether
   * none is. A save waits for this so that the model it writes holds every acknowledged push.
   */
  boolean awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (state != State.IDLE) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Whether a checkpoint is between {@link #begin} and {@link #release} (waiting or writing). */
  boolean writing() {
    return state == State.WRITING;
  }

  /** Keys of the pushes held now. */
  synchronized long heldKeys() {
    return heldKeys;
  }

  /** Sets the threshold to {@code from} and takes the held pushes below it, in arrival order. */
  private synchronized List<Held> takeHeld(long from) {
    holdFrom = from;
    List<Held> due = new ArrayList<>();
    held.removeIf(h -> {
      if (h.clock() < from) {
        due.add(h);
        heldKeys -= h.n();
        return true;
      }
      return false;
    });
    return due;
  }

  private void applyAll(List<Held> due) {
    for (Held h : due) {
      sink.apply(h);
    }
  }

  /** A prepared checkpoint that is neither taken nor aborted within the timeout (its AM died) is released. */
  private void scheduleExpiry(long checkpointId) {
    if (expiry == null) {
      ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "checkpoint-expiry-" + self);
        t.setDaemon(true);
        return t;
      });
      ex.setRemoveOnCancelPolicy(true);
      expiry = ex;
    }
    expiry.schedule(() -> {
      control.lock();
      try {
        if (state != State.PREPARED || id != checkpointId) {
          return;
        }
        LOG.warn("server {}: checkpoint {} prepared {} ms ago and neither taken nor aborted: releasing", self,
            checkpointId, timeoutMs);
        release(checkpointId);
      } finally {
        control.unlock();
      }
    }, timeoutMs, TimeUnit.MILLISECONDS);
  }
}
