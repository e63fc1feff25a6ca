package yarnps.appmaster;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointReader;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.Layout;
import yarnps.thrift.PsError;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ServerStats;

/**
 * Brings lost servers back into the job, on its own thread (never on the RM or NM callback
 * threads), and answers a replacement worker's resume clock.
 *
 * <p>When every server is registered and a replacement is among them (or a new AM attempt took the
 * servers over), it builds the next layout (same ranges, the replacements' new addresses, version
 * v+1) and then:
 * <ul>
 *   <li>replication k >= 1, at most k servers replaced: installs it on the surviving servers, has
 *       each replacement copy its ranges from them ({@code recoverFromPeers}) and then installs it
 *       there too, and publishes it;</li>
 *   <li>k = 0, or more than k servers replaced at once (a range may have lost every copy):
 *       restores every server from the newest valid checkpoint (or to empty tables at clock 0 when
 *       there is none: {@code restore("", layout)}), publishes the layout, has finished workers
 *       run again from the checkpoint in new containers (or, once every worker finished, leave
 *       the restored clock group), and rolls the running workers back to the checkpoint's
 *       clock.</li>
 * </ul>
 * A call refused with a retryable error (NOT_READY, RECOVERING) is tried again for a while; any
 * other failure fails the job, naming the server and the call.
 */
final class RecoveryCoordinator implements Runnable, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(RecoveryCoordinator.class);

  /** The AM's control calls to one server (see {@link ServerControl}). */
  interface Server {
    void installLayout(Layout layout) throws IOException;

    /** Restores from the checkpoint in {@code dir} ("" = empty tables at clock 0); returns the rows loaded. */
    long restore(String dir, Layout layout) throws IOException;

    long recoverFromPeers() throws IOException;

    /** The server's stats counters (it reports {@code worker_clock_<w>} among them). */
    Map<String, Long> counters() throws IOException;

    /** A worker's clock update, as the AM sends it for a finished worker after a rollback. */
    void clock(ClockUpdate update) throws IOException;

    void close();
  }

  /** Opens control connections. */
  interface Servers {
    Server open(int index, String host, int port);
  }

  /** Where the rollback's checkpoint comes from. */
  interface Checkpoints {
    CheckpointReader.Selection newestValid() throws IOException;
  }

  /** How long a control call refused with a retryable error is tried again. */
  static final long RETRY_MS = 30_000;
  /** How long running workers have to acknowledge a rollback (their heartbeat thread does it at once). */
  static final long ACK_TIMEOUT_MS = 60_000;

  private final JobState state;
  private final int replication;
  private final Servers servers;
  private final Checkpoints checkpoints;
  private final Map<Integer, Server> open = new HashMap<>();
  private final Map<Integer, String> openAddress = new HashMap<>();
  private final ExecutorService pool;

  RecoveryCoordinator(JobState state, int replication, Servers servers, Checkpoints checkpoints) {
    this.state = state;
    this.replication = replication;
    this.servers = servers;
    this.checkpoints = checkpoints;
    this.pool = Executors.newFixedThreadPool(Math.min(16, state.numServers()), r -> {
      Thread t = new Thread(r, "recovery-call");
      t.setDaemon(true);
      return t;
    });
  }

  /** The recovery thread: does what is due whenever the job state changes, until the job ends. */
  @Override
  public void run() {
    long seen = -1;
    try {
      while (state.outcome() == JobState.Outcome.RUNNING) {
        seen = state.awaitChange(seen, 1000);
        runOnce();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("recovery thread failed", e);
      state.fail("recovery failed: " + e);
    }
  }

  /** Does the layout change that is due, if any; returns whether it did one. */
  boolean runOnce() throws InterruptedException {
    JobState.LayoutChange change = state.layoutChange();
    if (change == null) {
      return false;
    }
    List<Integer> replaced = change.replaced();
    Layout next = change.next();
    try {
      if (replaced.size() > replication) {
        if (replication > 0) {
          // More servers lost than copies of a range: some range may have no copy left.
          LOG.warn("{} servers replaced at once with replication {}: restoring every server from the newest checkpoint",
              replaced.size(), replication);
        }
        rollback(replaced, next);
      } else {
        fromPeers(replaced, next);
      }
      return true;
    } catch (IOException e) {
      LOG.error("recovery of servers {} failed", replaced, e);
      state.fail("recovery of server(s) " + replaced + " into layout version " + next.getVersion() + " failed: "
          + e.getMessage());
      return false;
    }
  }

  private void fromPeers(List<Integer> replaced, Layout next) throws IOException, InterruptedException {
    List<Integer> survivors = new ArrayList<>();
    for (ServerAddress a : next.getServers()) {
      if (!replaced.contains(a.getIndex())) {
        survivors.add(a.getIndex());
      }
    }
    long t0 = System.currentTimeMillis();
    parallel(next, survivors, s -> {
      s.installLayout(next);
      return 0L;
    });
    LOG.info("layout version {} installed on {} surviving server(s) in {} ms", next.getVersion(), survivors.size(),
        System.currentTimeMillis() - t0);
    for (int index : replaced) {
      long t1 = System.currentTimeMillis();
      Server s = server(next, index);
      long rows = retrying(index, "recoverFromPeers", s::recoverFromPeers);
      // Its ranges are unchanged, so the copied data stays; it then refuses requests of the old layout too.
      retrying(index, "installLayout", () -> {
        s.installLayout(next);
        return 0L;
      });
      LOG.info("server {} copied {} rows from its peers in {} ms", index, rows, System.currentTimeMillis() - t1);
      state.restored(index, rows);
    }
    state.publish(next);
  }

  /** A control call that may be refused for now. */
  private interface Attempt {
    long run() throws IOException;
  }

  /**
   * Runs {@code call}, again while the server refuses it with a retryable error (a replacement
   * that has not fetched its first layout yet answers NOT_READY), for up to {@link #RETRY_MS}.
   */
  private static long retrying(int index, String what, Attempt call) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + RETRY_MS * 1_000_000L;
    long backoff = 50;
    while (true) {
      try {
        return call.run();
      } catch (IOException e) {
        if (!(e.getCause() instanceof PsError pe) || !pe.isCanRetry() || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.info("server {} not ready for {} ({}); trying again in {} ms", index, what, e.getMessage(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(1000, backoff * 2);
      }
    }
  }

  /**
   * Rolls every server and worker back to the newest valid checkpoint. The order matters: first
   * every running worker drops its calls (it acknowledges the ROLLBACK), so that no push or clock
   * update of the old parameters reaches a restored server; then every server restores the
   * checkpoint into the new layout; then the layout is published and the workers run again.
   */
  private void rollback(List<Integer> replaced, Layout next) throws IOException, InterruptedException {
    Optional<Checkpoint> ckpt = newestCheckpoint();
    String dir = ckpt.map(c -> c.dir().toString()).orElse("");
    long clock = ckpt.map(Checkpoint::clock).orElse(0L);
    state.rollbackSource(clock, dir);
    List<Integer> all = new ArrayList<>();
    for (ServerAddress a : next.getServers()) {
      all.add(a.getIndex());
    }
    long t0 = System.currentTimeMillis();
    state.startRollback(clock, next.getVersion());
    List<Integer> pending = state.awaitRollbackAcked(ACK_TIMEOUT_MS);
    if (!pending.isEmpty()) {
      throw new IOException("workers " + pending + " did not acknowledge the rollback within " + ACK_TIMEOUT_MS + " ms");
    }
    LOG.info("every running worker dropped its calls for the rollback in {} ms", System.currentTimeMillis() - t0);
    long t1 = System.currentTimeMillis();
    long rows = parallel(next, all, s -> s.restore(dir, next));
    LOG.info("every server restored {} rows from {} into layout version {} in {} ms", rows,
        dir.isEmpty() ? "nothing (no checkpoint: empty tables at clock 0)" : dir, next.getVersion(),
        System.currentTimeMillis() - t1);
    for (int index : replaced) {
      state.restored(index, rows);
    }
    // Finished workers redo their clocks since the checkpoint in new containers; once every worker
    // finished (the results are written) they leave the restored clock group instead.
    List<Integer> rerun = state.rerunFinishedWorkers(clock);
    if (!rerun.isEmpty()) {
      LOG.info("finished workers {} run again from clock {} in new containers", rerun, clock);
    }
    List<Integer> finished = state.finishedWorkers();
    for (int w : finished) {
      ClockUpdate leave = new ClockUpdate(w, clock, true);
      parallel(next, all, s -> {
        s.clock(leave);
        return 0L;
      });
    }
    state.publish(next);
  }

  /** The newest valid checkpoint; each one refused is logged and put in the event log with its reason. */
  private Optional<Checkpoint> newestCheckpoint() throws IOException {
    CheckpointReader.Selection sel = checkpoints.newestValid();
    for (CheckpointReader.Skipped s : sel.skipped()) {
      LOG.warn("rollback: checkpoint {} (clock {}) refused: {}", s.dir(), s.clock(), s.reason());
      state.events().add(EventLog.Kind.WARN, "checkpoint " + s.dir() + " (clock " + s.clock() + ") refused: " + s.reason());
    }
    if (sel.checkpoint().isPresent()) {
      Checkpoint c = sel.checkpoint().get();
      LOG.info("rollback: restoring checkpoint {} (clock {})", c.dir(), c.clock());
      state.events().info("rolling back to checkpoint " + c.dir() + " (clock " + c.clock() + ")");
    } else {
      LOG.warn("rollback: no valid checkpoint; every server restarts with empty tables at clock 0");
      state.events().add(EventLog.Kind.WARN, "no valid checkpoint: the job starts again from empty tables at clock 0");
    }
    return sel.checkpoint();
  }

  /**
   * The clock a replacement of worker {@code w} resumes at: the lowest of the servers' clocks for
   * it (counter {@code worker_clock_<w>}), and the worker's last heartbeat clock when a server
   * cannot answer.
   */
  long workerResumeClock(int w) {
    String counter = "worker_clock_" + w;
    Layout layout = state.layout();
    long min = Long.MAX_VALUE;
    boolean allAnswered = layout.getVersion() > 0;
    for (ServerAddress a : layout.getServers()) {
      try {
        Long c = server(layout, a.getIndex()).counters().get(counter);
        if (c == null) {
          LOG.warn("server {} reports no {}", a.getIndex(), counter);
          allAnswered = false;
        } else {
          min = Math.min(min, c);
        }
      } catch (IOException e) {
        LOG.warn("server {} cannot tell worker {}'s clock: {}", a.getIndex(), w, e.getMessage());
        allAnswered = false;
      }
    }
    if (!allAnswered) {
      min = Math.min(min, state.workerClock(w));
    }
    return min;
  }

  private interface Call {
    long run(Server s) throws IOException;
  }

  /** Runs {@code call} on the given servers in parallel; returns the sum of the results. */
  private long parallel(Layout layout, List<Integer> indexes, Call call) throws IOException, InterruptedException {
    List<Future<Long>> futures = new ArrayList<>();
    for (int index : indexes) {
      Server s = server(layout, index);
      futures.add(pool.submit(() -> retrying(index, "a control call", () -> call.run(s))));
    }
    long sum = 0;
    IOException first = null;
    for (Future<Long> f : futures) {
      try {
        sum += f.get();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        IOException io = c instanceof IOException ? (IOException) c : new IOException(c.toString(), c);
        if (first == null) {
          first = io;
        } else {
          first.addSuppressed(io);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return sum;
  }

  /** The control connection to server {@code index} at its address in {@code layout}. */
  private synchronized Server server(Layout layout, int index) {
    for (ServerAddress a : layout.getServers()) {
      if (a.getIndex() == index) {
        String address = a.getHost() + ":" + a.getPort();
        Server s = open.get(index);
        if (s == null || !address.equals(openAddress.get(index))) {
          if (s != null) {
            s.close();
          }
          s = servers.open(index, a.getHost(), a.getPort());
          open.put(index, s);
          openAddress.put(index, address);
        }
        return s;
      }
    }
    throw new IllegalArgumentException("server " + index + " is not in layout version " + layout.getVersion());
  }

  @Override
  public synchronized void close() {
    pool.shutdownNow();
    for (Server s : open.values()) {
      s.close();
    }
    open.clear();
  }

  /** {@link Servers} over real {@link ServerControl} connections; calls time out after {@code timeoutMs}. */
  static Servers controls(int timeoutMs) {
    return (index, host, port) -> {
      ServerControl c = new ServerControl(index, host, port, timeoutMs);
      return new Server() {
        @Override
        public void installLayout(Layout layout) throws IOException {
          c.installLayout(layout);
        }

        @Override
        public long restore(String dir, Layout layout) throws IOException {
          return c.restore(dir, layout);
        }

        @Override
        public long recoverFromPeers() throws IOException {
          return c.recoverFromPeers();
        }

        @Override
        public Map<String, Long> counters() throws IOException {
          ServerStats st = c.stats();
          return st.getCounters() == null ? Map.of() : st.getCounters();
        }

        @Override
        public void clock(ClockUpdate update) throws IOException {
          c.clock(update);
        }

        @Override
        public void close() {
          c.close();
        }
      };
    };
  }
}
