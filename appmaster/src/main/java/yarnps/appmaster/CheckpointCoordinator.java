package yarnps.appmaster;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;
import yarnps.checkpoint.CheckpointManifest.TableEntry;
import yarnps.checkpoint.CheckpointPruner;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.Layout;
import yarnps.thrift.ShardInfo;

/**
 * Takes the job's checkpoints, one at a time, on a thread of its own in the AM.
 *
 * <p>Triggers: every {@code yarnps.checkpoint.interval.clocks} clocks of the slowest worker still
 * running, every {@code yarnps.checkpoint.interval.sec} seconds, on demand ({@link #requestNow},
 * the client's {@code checkpoint <appId>}), and once at the end ({@link #atEnd}, called by the AM
 * when every worker finished, before the servers are told to shut down).
 *
 * <p>A checkpoint: {@code checkpointPrepare(id)} on every server in parallel; the cut clock C is
 * the largest answer; {@code checkpoint(id, C, dir)} on every server in parallel, where dir is
 * {@code ckpt-<C>} under {@link CheckpointFormat#root}; then the manifest (layout, tables, the
 * servers' shards) is committed by atomic rename and old checkpoints are pruned to
 * {@code yarnps.checkpoint.keep}. A complete checkpoint at C already there is kept and nothing is
 * written (the servers are released with an abort); an incomplete one is deleted first. A server
 * that fails, or a checkpoint not done within {@code yarnps.checkpoint.timeout.ms}, aborts it on
 * every server; no manifest is written, and the failure is logged and put in the event log.
 */
final class CheckpointCoordinator implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);
  /** Checkpoints kept for the tracking page. */
  private static final int HISTORY = 50;
  /** How long the abort calls of a failed checkpoint may take. */
  private static final long ABORT_WAIT_MS = 10_000;

  /** What the coordinator needs of the job; the AM's is over {@link JobState}. */
  interface Job {
    /** The current layout; version 0 while it is not built. */
    Layout layout();

    /** Null when a checkpoint may be taken now, else why not (job not running, recovering...). */
    String notReady();

    /** The lowest clock among workers still running, -1 when none runs. */
    long slowestWorkerClock();

    void event(EventLog.Kind kind, String text);
  }

  /**
   * One checkpoint attempt. {@code committed}: the manifest was written; {@code skipped}: a
   * complete checkpoint at this clock existed (or none could be taken); else it failed, and
   * {@code message} says why.
   */
  record Result(String reason, boolean committed, boolean skipped, long clock, String path, long rows, long bytes,
      long startMs, long durationMs, String message, Map<Integer, long[]> perServer) {}

  private final FileSystem fs;
  private final Path root;
  private final CheckpointServers servers;
  private final Job job;
  private final LongSupplier clockMs;
  private final List<TableEntry> tables;
  private final long intervalClocks;
  private final long intervalMs;
  private final boolean endCheckpoint;
  private final int keep;
  private final long timeoutMs;
  private final long pollMs;
  private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "checkpoint-call");
    t.setDaemon(true);
    return t;
  });
  private final ReentrantLock oneAtATime = new ReentrantLock();
  private final Deque<Result> history = new ArrayDeque<>();
  private Thread thread;
  private long nextId;
  private long nextClock;
  private long nextTimeMs;
  private String requested;
  private boolean ending;
  private boolean closed;
  private Result running;
  private long committedCount;

  /**
   * @param startClock the clock the job starts at (a restored checkpoint's, else 0): the first
   *     clock-interval checkpoint comes {@code interval.clocks} after it
   * @param pollMs how often the triggers are looked at
   */
  CheckpointCoordinator(Configuration conf, FileSystem fs, Path root, CheckpointServers servers, Job job,
      LongSupplier clockMs, long startClock, long pollMs) {
    this.fs = fs;
    this.root = fs.makeQualified(root);
    this.servers = servers;
    this.job = job;
    this.clockMs = clockMs;
    this.tables = TableSpec.allFromConf(conf).stream().map(TableEntry::of).toList();
    this.intervalClocks = PsKeys.CHECKPOINT_INTERVAL_CLOCKS.get(conf);
    this.intervalMs = PsKeys.CHECKPOINT_INTERVAL_SEC.get(conf) * 1000L;
    this.endCheckpoint = PsKeys.CHECKPOINT_AT_END.get(conf);
    this.keep = PsKeys.CHECKPOINT_KEEP.get(conf);
    this.timeoutMs = PsKeys.CHECKPOINT_TIMEOUT_MS.get(conf);
    this.pollMs = pollMs;
    long now = clockMs.getAsLong();
    this.nextId = now;
    this.nextClock = intervalClocks > 0 ? startClock + intervalClocks : Long.MAX_VALUE;
    this.nextTimeMs = intervalMs > 0 ? now + intervalMs : Long.MAX_VALUE;
  }

  /** Where this job's checkpoints go. */
  Path root() {
    return root;
  }

  /** Starts the thread that watches the triggers. */
  synchronized void start() {
    thread = new Thread(this::loop, "checkpoint-coordinator");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (true) {
        String reason = awaitTrigger();
        if (reason == null) {
          return;
        }
        oneAtATime.lockInterruptibly();
        try {
          take(reason, clockMs.getAsLong() + timeoutMs);
        } finally {
          oneAtATime.unlock();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until a trigger fires; returns its reason, or null once closed or ending. */
  private synchronized String awaitTrigger() throws InterruptedException {
    while (!closed && !ending) {
      String reason = dueTrigger();
      if (reason != null) {
        return reason;
      }
      wait(pollMs);
    }
    return null;
  }

  /** The reason of a trigger due now (an on-demand request is consumed), or null. */
  synchronized String dueTrigger() {
    if (closed || ending || job.notReady() != null) {
      return null;
    }
    if (requested != null) {
      String r = "on demand (" + requested + ")";
      requested = null;
      return r;
    }
    long slowest = job.slowestWorkerClock();
    if (slowest >= 0 && slowest >= nextClock) {
      return "every " + intervalClocks + " clocks (slowest worker at clock " + slowest + ")";
    }
    if (clockMs.getAsLong() >= nextTimeMs) {
      return "every " + intervalMs / 1000 + " s";
    }
    return null;
  }

  /**
   * Asks for a checkpoint as soon as possible (after the one running, if any); returns at once
   * with a sentence saying what will happen, or why nothing will.
   */
  synchronized String requestNow(String reason) {
    String why = reason == null || reason.isBlank() ? "requested" : reason.strip();
    if (closed || ending) {
      return "no checkpoint: the job is ending" + (endCheckpoint ? " (its final checkpoint is being taken)" : "");
    }
    String notReady = job.notReady();
    if (notReady != null) {
      return "no checkpoint: " + notReady;
    }
    String where = " under " + root;
    if (requested != null) {
      return "a checkpoint was already requested (" + requested + "); it will be written" + where;
    }
    requested = why;
    notifyAll();
    if (running != null) {
      return "checkpoint requested; the one in progress (" + running.reason() + ") finishes first, then the AM"
          + " cuts a new one at the servers' next clock and writes it" + where;
    }
    return "checkpoint requested: the AM cuts it at the servers' next clock and writes it" + where
        + "/ckpt-<clock> (watch the tracking page or the AM log)";
  }

  /**
   * The end-of-job checkpoint, when {@code yarnps.checkpoint.at.end}: stops the triggers, waits
   * for a running checkpoint, takes one, all within {@code yarnps.checkpoint.timeout.ms}. Returns
   * null when end checkpoints are off; a failure is in the result (and logged), never thrown.
   */
  Result atEnd() throws InterruptedException {
    long deadline = clockMs.getAsLong() + timeoutMs;
    synchronized (this) {
      ending = true;
      notifyAll();
    }
    if (!endCheckpoint) {
      return null;
    }
    if (!oneAtATime.tryLock(timeoutMs, TimeUnit.MILLISECONDS)) {
      String msg = "end-of-job checkpoint not taken: the previous one still runs after " + timeoutMs + " ms";
      LOG.warn(msg);
      job.event(EventLog.Kind.WARN, msg);
      return null;
    }
    try {
      return take("end of job", deadline);
    } finally {
      oneAtATime.unlock();
    }
  }

  /** Takes one checkpoint now, on the caller's thread, after the running one if any. */
  Result takeNow(String reason) throws InterruptedException {
    oneAtATime.lockInterruptibly();
    try {
      return take(reason, clockMs.getAsLong() + timeoutMs);
    } finally {
      oneAtATime.unlock();
    }
  }

  private Result take(String reason, long deadline) throws InterruptedException {
    long start = clockMs.getAsLong();
    Layout layout = job.layout();
    long id;
    synchronized (this) {
      id = ++nextId;
      running = new Result(reason, false, false, -1, "", 0, 0, start, 0, "running", Map.of());
    }
    Result r;
    long clock = -1;
    try {
      if (layout.getVersion() == 0) {
        r = new Result(reason, false, true, -1, "", 0, 0, start, 0, "no layout yet", Map.of());
      } else {
        int n = layout.getServersSize();
        List<Long> cuts = onAll(n, s -> servers.prepare(s, id), deadline, "checkpointPrepare");
        clock = cuts.stream().mapToLong(Long::longValue).max().orElseThrow();
        r = write(reason, id, layout, clock, start, deadline);
      }
    } catch (IOException | RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      abortAll(layout.getServersSize(), id);
      String text = "checkpoint " + (clock >= 0 ? "at clock " + clock + " " : "") + "(" + reason + ") failed after "
          + (clockMs.getAsLong() - start) + " ms and was aborted on every server: " + msg;
      LOG.warn(text, e);
      job.event(EventLog.Kind.WARN, text);
      r = new Result(reason, false, false, clock, "", 0, 0, start, clockMs.getAsLong() - start, msg, Map.of());
    }
    synchronized (this) {
      running = null;
      if (!r.skipped() || r.clock() >= 0) {
        history.addLast(r);
        if (history.size() > HISTORY) {
          history.removeFirst();
        }
      }
      committedCount += r.committed() ? 1 : 0;
      long slowest = job.slowestWorkerClock();
      if (intervalClocks > 0) {
        nextClock = Math.max(r.clock(), slowest) + intervalClocks;
      }
      if (intervalMs > 0) {
        nextTimeMs = clockMs.getAsLong() + intervalMs;
      }
    }
    return r;
  }

  private Result write(String reason, long id, Layout layout, long clock, long start, long deadline)
      throws IOException, InterruptedException {
    Path dir = CheckpointFormat.dir(root, clock);
    if (fs.exists(new Path(dir, CheckpointFormat.MANIFEST))) {
      abortAll(layout.getServersSize(), id);
      String msg = "checkpoint at clock " + clock + " (" + reason + ") already exists at " + dir + "; kept";
      LOG.info(msg);
      job.event(EventLog.Kind.INFO, msg);
      return new Result(reason, false, true, clock, dir.toString(), 0, 0, start, clockMs.getAsLong() - start, msg,
          Map.of());
    }
    if (fs.exists(dir)) {
      LOG.info("deleting the incomplete checkpoint {} before writing it again", dir);
      fs.delete(dir, true);
    }
    int n = layout.getServersSize();
    List<List<ShardInfo>> written = onAll(n, s -> servers.checkpoint(s, id, clock, dir.toString()), deadline,
        "checkpoint");
    long version = job.layout().getVersion();
    if (version != layout.getVersion()) {
      throw new IOException("the layout changed from version " + layout.getVersion() + " to " + version
          + " while the servers wrote");
    }
    List<ShardEntry> shards = new ArrayList<>();
    Map<Integer, long[]> perServer = new TreeMap<>();
    for (int s = 0; s < n; s++) {
      long[] rowsBytes = perServer.computeIfAbsent(s, k -> new long[2]);
      for (ShardInfo i : written.get(s)) {
        shards.add(new ShardEntry(i.getTable(), i.getRange(), i.getPath(), i.getRows(), i.getBytes(), i.getCrc()));
        rowsBytes[0] += i.getRows();
        rowsBytes[1] += i.getBytes();
      }
    }
    CheckpointManifest m = new CheckpointManifest(clock, clockMs.getAsLong(), KeyLayout.fromThrift(layout), tables,
        shards);
    if (clockMs.getAsLong() > deadline) {
      throw new IOException("not written within yarnps.checkpoint.timeout.ms=" + timeoutMs);
    }
    m.commit(fs, dir);
    long ms = clockMs.getAsLong() - start;
    LOG.info("checkpoint {} committed: {} rows, {} bytes, {} ms, {}", clock, m.totalRows(), m.totalBytes(), ms, dir);
    job.event(EventLog.Kind.INFO, "checkpoint at clock " + clock + " committed (" + reason + "): " + m.totalRows()
        + " rows, " + m.totalBytes() + " bytes in " + ms + " ms, " + dir);
    try {
      new CheckpointPruner(fs).prune(root, keep);
    } catch (IOException e) {
      LOG.warn("pruning old checkpoints under {} failed", root, e);
      job.event(EventLog.Kind.WARN, "pruning old checkpoints under " + root + " failed: " + e.getMessage());
    }
    return new Result(reason, true, false, clock, dir.toString(), m.totalRows(), m.totalBytes(), start, ms, "committed",
        perServer);
  }

  private interface ServerCall<T> {
    T call(int server) throws IOException;
  }

  /** Runs a call on every server in parallel; the first failure (in server order) or the deadline throws. */
  private <T> List<T> onAll(int n, ServerCall<T> call, long deadline, String what)
      throws IOException, InterruptedException {
    List<Future<T>> futures = new ArrayList<>(n);
    for (int s = 0; s < n; s++) {
      int server = s;
      futures.add(calls.submit(() -> call.call(server)));
    }
    List<T> out = new ArrayList<>(n);
    try {
      for (int s = 0; s < n; s++) {
        long left = deadline - clockMs.getAsLong();
        try {
          out.add(futures.get(s).get(Math.max(0, left), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
          throw new IOException("server " + s + " did not answer " + what + " within yarnps.checkpoint.timeout.ms="
              + timeoutMs);
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          throw new IOException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
        }
      }
    } finally {
      for (Future<T> f : futures) {
        f.cancel(true);
      }
    }
    return out;
  }

  private void abortAll(int n, long id) throws InterruptedException {
    try {
      List<Future<Void>> futures = new ArrayList<>(n);
      for (int s = 0; s < n; s++) {
        int server = s;
        futures.add(calls.submit(() -> {
          servers.abort(server, id);
          return null;
        }));
      }
      long deadline = clockMs.getAsLong() + ABORT_WAIT_MS;
      for (int s = 0; s < n; s++) {
        try {
          futures.get(s).get(Math.max(0, deadline - clockMs.getAsLong()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
          LOG.warn("checkpointAbort({}) on server {} failed: {}", id, s, e.getCause() == null ? e : e.getCause());
        }
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.warn("checkpoint {} not aborted: the AM is stopping", id);
    }
  }

  /** Checkpoints committed so far. */
  synchronized long committed() {
    return committedCount;
  }

  /** The newest committed checkpoint, or null. */
  synchronized Result lastCommitted() {
    for (var it = history.descendingIterator(); it.hasNext(); ) {
      Result r = it.next();
      if (r.committed()) {
        return r;
      }
    }
    return null;
  }

  /** Recent attempts, oldest first, and the running one last (its message "running"). */
  synchronized List<Result> recent() {
    List<Result> out = new ArrayList<>(history);
    if (running != null) {
      out.add(running);
    }
    return out;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      notifyAll();
      t = thread;
    }
    if (t != null) {
      t.interrupt();
    }
    calls.shutdownNow();
  }
}
