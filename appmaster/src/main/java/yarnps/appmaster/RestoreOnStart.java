package yarnps.appmaster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointReader;
import yarnps.conf.PsKeys;
import yarnps.thrift.Layout;

/**
 * Starting a job from a checkpoint ({@code yarnps.restore.from}, set by {@code submit --restore-from}).
 * The AM opens the checkpoint at start ({@link #open}: its manifest and shards are checked, so a bad
 * one fails the job before any container runs), then, once the layout is built and every server
 * installed it, {@link #run}s {@code restore(dir, layout)} on every server in parallel. Workers'
 * registrations wait in {@link #awaitRestored} until that is done, and start at the checkpoint's clock.
 */
final class RestoreOnStart {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreOnStart.class);

  private enum Phase { WAITING, RUNNING, DONE, FAILED }

  private final String dir;
  private final long clock;
  private final long registrationWaitMs;
  private Phase phase = Phase.WAITING;
  private String failure = "";

  /**
   * @param registrationWaitMs how long a worker's registration may wait for the restore: below
   *     the workers' RPC timeout (they get an answer rather than a broken call) and the heartbeat
   *     timeout (a registered worker sends no heartbeat while it waits)
   */
  RestoreOnStart(String dir, long clock, long registrationWaitMs) {
    this.dir = dir;
    this.clock = clock;
    this.registrationWaitMs = registrationWaitMs;
  }

  /**
   * The checkpoint of {@code yarnps.restore.from}, checked ({@link Checkpoint.Verification#QUICK});
   * null when the key is empty.
   *
   * @throws IOException naming the directory and what is wrong with it
   */
  static RestoreOnStart open(Configuration conf) throws IOException {
    String from = PsKeys.RESTORE_FROM.get(conf);
    if (from == null || from.isBlank()) {
      return null;
    }
    Path p = new Path(from.trim());
    FileSystem fs = p.getFileSystem(conf);
    Checkpoint ckpt;
    try {
      ckpt = new CheckpointReader(fs).open(p);
      ckpt.verify(Checkpoint.Verification.QUICK);
    } catch (java.io.FileNotFoundException e) {
      throw new IOException("yarnps.restore.from=" + p + " is not a checkpoint: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IOException("yarnps.restore.from=" + p + " cannot be restored: " + e.getMessage(), e);
    }
    return new RestoreOnStart(fs.makeQualified(p).toString(), ckpt.clock(),
        Math.max(1000, Math.min(PsKeys.RPC_TIMEOUT_MS.get(conf), PsKeys.HEARTBEAT_TIMEOUT_MS.get(conf)) * 4L / 5));
  }

  /** The checkpoint's clock: where the workers start. */
  long clock() {
    return clock;
  }

  String dir() {
    return dir;
  }

  /** Whether the servers were restored. */
  synchronized boolean done() {
    return phase == Phase.DONE;
  }

  /** Claims the restore: true once, for the caller that must then {@link #run} it. */
  synchronized boolean claim() {
    if (phase != Phase.WAITING) {
      return false;
    }
    phase = Phase.RUNNING;
    return true;
  }

  /**
   * Restores every server of {@code layout} from the checkpoint, in parallel; returns the rows
   * loaded. On failure the workers waiting in {@link #awaitRestored} are refused.
   */
  long run(Layout layout, CheckpointServers servers) throws IOException, InterruptedException {
    synchronized (this) {
      phase = Phase.RUNNING;
    }
    int n = layout.getServersSize();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, n));
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int s = 0; s < n; s++) {
        int server = s;
        futures.add(pool.submit(() -> servers.restore(server, dir, layout)));
      }
      long rows = 0;
      for (int s = 0; s < n; s++) {
        try {
          rows += futures.get(s).get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          throw new IOException("restoring " + dir + " on server " + s + " failed: "
              + (c.getMessage() == null ? c.toString() : c.getMessage()), c);
        }
      }
      LOG.info("restored {} rows from {} (clock {}) on {} servers", rows, dir, clock, n);
      synchronized (this) {
        phase = Phase.DONE;
        notifyAll();
      }
      return rows;
    } catch (IOException | InterruptedException | RuntimeException e) {
      synchronized (this) {
        phase = Phase.FAILED;
        failure = e.getMessage();
        notifyAll();
      }
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Blocks a worker's registration until the servers are restored; returns the clock to start at.
   *
   * @throws IOException if the restore failed or is still running after 4/5 of the smaller of
   *     yarnps.rpc.timeout.ms and yarnps.heartbeat.timeout.ms
   */
  synchronized long awaitRestored() throws IOException, InterruptedException {
    long timeoutMs = registrationWaitMs;
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (phase == Phase.WAITING || phase == Phase.RUNNING) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new IOException("the servers are still being restored from " + dir + " after " + timeoutMs + " ms");
      }
      wait(left);
    }
    if (phase == Phase.FAILED) {
      throw new IOException("the job could not be restored from " + dir + ": " + failure);
    }
    return clock;
  }

  /** Whether every server's heartbeat shows an installed layout (it reports its tables' "keys"). */
  static boolean serversInstalled(JobState state) {
    return state.withMembers(members -> {
      for (Member m : members) {
        if (m.role == yarnps.thrift.Role.SERVER && !m.metrics.containsKey("keys")) {
          return false;
        }
      }
      return true;
    });
  }
}
