package yarnps.examples.lr;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import yarnps.worker.api.KeyList;
import yarnps.worker.api.ParameterClient;

/**
 * Runs minibatches against the parameter servers with communication overlapped: when batch i+1 is
 * submitted its pull is sent at once, then batch i is computed and its gradient pushed without
 * waiting. So while batch i is computed, the pull of batch i+1 and the push of batch i-1 are in
 * flight. Three {@link BatchTrainer}s rotate; a trainer is reused only after its push completed.
 *
 * <p>Staleness is bounded: the pull of batch i is sent after the push of batch i-2 was sent and
 * the push of batch i-3 completed, so its weights miss at most this worker's last two batches
 * (plus, as always, what other workers push meanwhile). {@link #flush} computes what is pending
 * and waits for every push.
 */
final class BatchPipeline {

  /** Told after each batch is computed and its push sent. */
  @FunctionalInterface
  interface Listener {
    void batchDone(long batches, int rows, double lossSum) throws IOException;
  }

  private static final int DEPTH = 3;

  private final ParameterClient ps;
  private final String table;
  private final Listener listener;
  private final BatchTrainer[] trainers = new BatchTrainer[DEPTH];
  @SuppressWarnings({"unchecked", "rawtypes"})
  private final CompletableFuture<float[]>[] pulls = new CompletableFuture[DEPTH];
  @SuppressWarnings({"unchecked", "rawtypes"})
  private final CompletableFuture<Void>[] pushes = new CompletableFuture[DEPTH];
  /** The key list of each slot's batch: pulled, then pushed; with key caching the push sends no keys. */
  private final KeyList[] keyLists = new KeyList[DEPTH];
  private CompletableFuture<Void> clockSent = CompletableFuture.completedFuture(null);
  private long submitted;
  private long idleNanos;
  private double slowdown = 1;
  private long cycleStart;
  private double slowProbability = 1;
  private final java.util.SplittableRandom slowRandom = new java.util.SplittableRandom(17);
  private long computed;
  private long skip;

  BatchPipeline(ParameterClient ps, String table, Listener listener) {
    this.ps = ps;
    this.table = table;
    this.listener = listener;
    for (int i = 0; i < DEPTH; i++) {
      trainers[i] = new BatchTrainer();
      pushes[i] = CompletableFuture.completedFuture(null);
    }
  }

  /**
   * Makes the first {@code batches} batches submitted no-ops: the job resumes at that clock (from
   * a checkpoint, as a replaced worker, or after a rollback), and the parameters already hold them.
   */
  void resumeAt(long batches) {
    this.skip = batches;
  }

  /** Whether batches are still being skipped to reach the resume clock. */
  boolean skipping() {
    return submitted < skip;
  }

  /** Queues rows[from, to) (copied, so {@code rows} may be reused on return) and sends its pull. */
  void submit(RowBlock rows, int from, int to) throws IOException {
    if (from == to) {
      return;
    }
    if (submitted < skip) {
      // Done in an earlier run: its clock is already counted in the parameters.
      submitted++;
      computed++;
      return;
    }
    int s = (int) (submitted % DEPTH);
    idle(pushes[s]);
    BatchTrainer t = trainers[s];
    t.prepare(rows, from, to);
    keyLists[s] = ps.keys(t.keys());
    pulls[s] = ps.pull(table, keyLists[s], t.weights());
    submitted++;
    if (submitted - computed > 1) {
      computeNext();
    }
  }

  private void computeNext() throws IOException {
    int s = (int) (computed % DEPTH);
    BatchTrainer t = trainers[s];
    idle(pulls[s]);
    pulls[s] = null;
    double loss = t.compute();
    if (slowdown > 1) {
      // A straggler, for experiments: each batch takes slowdown times as long as it did (its
      // compute and its own waits since the last batch), as on a slower or busier machine.
      long now = System.nanoTime();
      if (cycleStart != 0 && slowRandom.nextDouble() < slowProbability) {
        java.util.concurrent.locks.LockSupport.parkNanos((long) ((slowdown - 1) * (now - cycleStart)));
      }
      cycleStart = System.nanoTime();
    }
    pushes[s] = ps.push(table, keyLists[s], t.grads());
    // One batch is one iteration: under sequential or bounded-delay consistency, other workers'
    // pulls wait on this clock. Advancing returns at once; the servers hear of it once the push is in.
    clockSent = ps.advanceClock();
    computed++;
    listener.batchDone(computed, t.rows(), loss);
  }

  /** Computes every submitted batch and waits until all pushes are done. */
  void flush() throws IOException {
    while (computed < submitted) {
      computeNext();
    }
    for (CompletableFuture<Void> p : pushes) {
      await(p);
    }
    // The servers know this worker's last clock: what they hold back for it is applied.
    await(clockSent);
  }

  /** Waits for f, counting the time as idle (waiting on the servers: pulls held back, pushes). */
  private void idle(CompletableFuture<?> f) throws IOException {
    if (f.isDone()) {
      await(f);
      return;
    }
    long t0 = System.nanoTime();
    try {
      await(f);
    } finally {
      idleNanos += System.nanoTime() - t0;
    }
  }

  /**
   * Makes this worker a straggler, to study consistency: each batch, with the given probability,
   * takes {@code factor} times as long (1 = normal; probability 1 = always slow, below 1 = slow in
   * random bursts).
   */
  void slowdown(double factor, double probability) {
    this.slowdown = factor;
    this.slowProbability = probability;
  }

  /** Time spent waiting for the servers so far (pulls and pushes not answered yet), ns. */
  long idleNanos() {
    return idleNanos;
  }

  /** Batches computed so far. */
  long batches() {
    return computed;
  }

  /** The future's value; its failure rethrown with the cause's message (which names the server). */
  static <T> T await(CompletableFuture<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted waiting for the parameter servers");
      ie.initCause(e);
      throw ie;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(String.valueOf(c.getMessage()), c);
    }
  }
}
