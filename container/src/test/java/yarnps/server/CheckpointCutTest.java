package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointReader;
import yarnps.common.KeyArrays;
import yarnps.conf.PsKeys;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.PsError;
import yarnps.worker.ThriftParameterClient;

/**
 * The checkpoint cut through real servers on loopback: a checkpoint at clock C holds exactly the
 * pushes of clocks below C, whatever the workers do meanwhile; held pushes are never lost.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CheckpointCutTest {
  @TempDir
  java.nio.file.Path tmp;
  private ServerGroup group;

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
  }

  private static Configuration conf(String model, int workers) {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w");
    conf.set("yarnps.table.w.updater", "add");
    conf.setInt(PsKeys.WORKERS.name(), workers);
    conf.set(PsKeys.CONSISTENCY.name(), model);
    conf.setInt(PsKeys.CONSISTENCY_TAU.name(), 2);
    return conf;
  }

  /** Whether worker w pushes +1 to shared key i at clock t: a fixed pseudo-random two thirds. */
  private static boolean pushes(int w, long t, int i) {
    long h = (w * 1_000_003L + t) * 0x9E3779B97F4A7C15L + i * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return Math.floorMod(h, 3) != 0;
  }

  /** How many pushes of clocks below {@code below} shared key i gets. */
  private static int expected(int workers, long below, int i) {
    int n = 0;
    for (int w = 0; w < workers; w++) {
      for (long t = 0; t < below; t++) {
        n += pushes(w, t, i) ? 1 : 0;
      }
    }
    return n;
  }

  private static long[] sharedKeys(int n) {
    long[] k = new long[n];
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < n; i++) {
      k[i] = r.nextLong();
    }
    k[0] = 0;
    int m = KeyArrays.sortUnique(k, n);
    return java.util.Arrays.copyOf(k, m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eventual", "bounded", "sequential"})
  void everyCheckpointHoldsExactlyThePushesOfClocksBelowItsClock(String model) throws Exception {
    int workers = 3;
    int clocks = 120;
    int gate = 60;
    long[] shared = sharedKeys(400);
    group = new ServerGroup(conf(model, workers), 2, 1);
    Path root = new Path(tmp.toUri());
    AtomicInteger taken = new AtomicInteger();
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      ThriftParameterClient c = group.client(w);
      int me = w;
      yarnps.worker.api.KeyList all = c.keys(shared);
      runs.add(CompletableFuture.runAsync(() -> {
        SplittableRandom jitter = new SplittableRandom(System.nanoTime() + me);
        for (int t = 0; t < clocks; t++) {
          if (t % 4 == me) {
            // The cut must not break the consistency model: a pull at t sees every push below t (sequential:
            // exactly those), or below t - tau (bounded).
            float[] seen = c.pull("w", shared).join();
            for (int i = 0; i < shared.length; i++) {
              long below = model.equals("sequential") ? t : model.equals("bounded") ? Math.max(0, t - 2) : 0;
              int need = expected(workers, below, i);
              if (seen[i] < need || model.equals("sequential") && seen[i] != need) {
                throw new AssertionError(model + ": worker " + me + " pulled " + seen[i] + " for key " + shared[i]
                    + " at clock " + t + ", the pushes of clocks below " + below + " are " + need);
              }
            }
          }
          long[] keys = new long[shared.length];
          int n = 0;
          for (int i = 0; i < shared.length; i++) {
            if (pushes(me, t, i)) {
              keys[n++] = shared[i];
            }
          }
          long[] mine = java.util.Arrays.copyOf(keys, n);
          float[] ones = new float[n];
          java.util.Arrays.fill(ones, 1f);
          // Pushes through the key cache (all shared keys, 0 where not pushed), in two parts (several pushes
          // of a clock in flight), or whole.
          int way = jitter.nextInt(3);
          if (way == 0) {
            float[] zeroOne = new float[shared.length];
            for (int i = 0; i < shared.length; i++) {
              zeroOne[i] = pushes(me, t, i) ? 1f : 0f;
            }
            c.push("w", all, zeroOne);
          } else if (way == 1) {
            c.push("w", java.util.Arrays.copyOf(mine, n / 2), java.util.Arrays.copyOf(ones, n / 2));
            c.push("w", java.util.Arrays.copyOfRange(mine, n / 2, n), java.util.Arrays.copyOfRange(ones, n / 2, n));
          } else {
            c.push("w", mine, ones);
          }
          if (jitter.nextInt(4) == 0) {
            simulateWork(jitter.nextInt(3));
          }
          CompletableFuture<Void> advanced = c.advanceClock();
          if (jitter.nextInt(8) == 0) {
            advanced.join();
          }
          if (t + 1 == gate) {
            // The run cannot end before two checkpoints were cut while it was going on.
            advanced.join();
            waitFor(() -> taken.get() >= 2);
          }
        }
        c.leaveClockGroup().join();
      }));
    }
    List<Path> dirs = new ArrayList<>();
    long id = 1;
    while (dirs.size() < 4 || !CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).isDone()) {
      dirs.add(group.checkpoint(id++, root));
      taken.incrementAndGet();
      if (dirs.size() > 200) {
        break;
      }
    }
    for (CompletableFuture<Void> r : runs) {
      r.get(2, TimeUnit.MINUTES);
    }
    FileSystem fs = root.getFileSystem(new Configuration(false));
    int midRun = 0;
    for (Path dir : dirs) {
      Checkpoint ckpt = new CheckpointReader(fs).open(dir);
      long cut = ckpt.clock();
      Map<Long, Float> got = new HashMap<>();
      ckpt.readRange("w", 0, 0, (key, row) -> got.put(key, row[0]));
      for (int i = 0; i < shared.length; i++) {
        int expected = expected(workers, Math.min(cut, clocks), i);
        float actual = got.getOrDefault(shared[i], 0f);
        assertEquals(expected, actual, 0f, model + ": checkpoint at clock " + cut + ", key " + shared[i]
            + " holds " + actual + " pushes, the pushes of clocks below " + cut + " are " + expected);
      }
      if (cut > 0 && cut < clocks) {
        midRun++;
      }
    }
    assertTrue(midRun >= 2, model + ": " + midRun + " checkpoints cut while the workers ran");
    float[] end = group.clients.get(0).pull("w", shared).get();
    for (int i = 0; i < shared.length; i++) {
      int expected = expected(workers, clocks, i);
      assertEquals(expected, end[i], 0f, model + ": every push applied once in the end (key " + shared[i] + ")");
    }
    assertEquals(0, counter("checkpoint_held_keys"), "nothing left held");
    assertTrue(counter("key_cache_hits") > 0, "some pushes named their keys through the key cache");
  }

  @Test
  void anAbortedCheckpointAppliesTheHeldPushes() throws Exception {
    group = new ServerGroup(conf("eventual", 1), 1, 1);
    ParameterHandler h = group.handlers.get(0);
    ThriftParameterClient c = group.client(0);
    long[] keys = {1, 2, 3};
    c.push("w", keys, new float[] {1, 1, 1}).get();
    c.advanceClock().get();
    assertEquals(1, h.checkpointPrepare(7), "pushes of clock 0 seen: the cut can be at 1");
    c.push("w", keys, new float[] {10, 10, 10}).get();
    assertEquals(3, counter("checkpoint_held_keys"), "the push of clock 1 is held, acknowledged");
    // A pull at clock 1 would miss it: it waits for the cut to end instead of reading around it.
    java.util.concurrent.CompletableFuture<float[]> waiting = c.pull("w", keys);
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> waiting.get(300, java.util.concurrent.TimeUnit.MILLISECONDS), "answered while the push is held");
    h.checkpointAbort(7);
    assertArrayEquals(new float[] {11, 11, 11}, waiting.get(), "abort applied the held push, then the pull ran");
    assertArrayEquals(new float[] {11, 11, 11}, c.pull("w", keys).get(), "abort applied the held push");
    assertEquals(0, counter("checkpoint_held_keys"));
    PsError e = assertThrows(PsError.class, () -> h.checkpoint(7, 1, tmp.resolve("x").toUri().toString()));
    assertEquals(ErrorCode.BAD_REQUEST, e.getCode());
    assertTrue(e.getMessage().contains("not prepared"), e.getMessage());
    c.push("w", keys, new float[] {1, 1, 1}).get();
    assertArrayEquals(new float[] {12, 12, 12}, c.pull("w", keys).get(), "nothing is held any more");
  }

  @Test
  void aCheckpointWaitingForAStuckWorkerTimesOutNamingItAndLetsGo() throws Exception {
    Configuration conf = conf("eventual", 2);
    conf.setInt(PsKeys.CHECKPOINT_TIMEOUT_MS.name(), 1000);
    group = new ServerGroup(conf, 1, 1);
    ParameterHandler h = group.handlers.get(0);
    ThriftParameterClient c = group.client(0);
    long[] keys = {5, 6};
    for (int t = 0; t < 3; t++) {
      c.push("w", keys, new float[] {1, 1}).get();
      c.advanceClock().get();
    }
    long clock = h.checkpointPrepare(1);
    assertEquals(3, clock);
    c.push("w", keys, new float[] {1, 1}).get();
    PsError e = assertThrows(PsError.class, () -> h.checkpoint(1, clock, tmp.resolve("ckpt").toUri().toString()));
    assertTrue(e.getMessage().contains("worker 1 at clock 0") && e.getMessage().contains("yarnps.checkpoint.timeout.ms"),
        e.getMessage());
    assertArrayEquals(new float[] {4, 4}, c.pull("w", keys).get(), "the held push was applied after the failure");
    // Worker 1 leaves: the next checkpoint no longer waits for it.
    group.client(1).leaveClockGroup().get();
    c.advanceClock().get();
    assertEquals(4, h.checkpointPrepare(2));
    List<yarnps.thrift.ShardInfo> shards = h.checkpoint(2, 4, tmp.resolve("ckpt2").toUri().toString());
    assertEquals(group.layout.numRanges(), shards.size(), "one shard per range of the only server");
    assertEquals(2, shards.stream().mapToLong(yarnps.thrift.ShardInfo::getRows).sum());
  }

  @Test
  void abortingACheckpointThatWaitsEndsItAndAppliesTheHeldPushes() throws Exception {
    group = new ServerGroup(conf("eventual", 2), 1, 1);
    ParameterHandler h = group.handlers.get(0);
    ThriftParameterClient c = group.client(0);
    long[] keys = {8, 9};
    c.push("w", keys, new float[] {1, 1}).get();
    c.advanceClock().get();
    long clock = h.checkpointPrepare(3);
    c.push("w", keys, new float[] {1, 1}).get();
    // Worker 1 never reaches the clock: the checkpoint waits (for the default 2 minutes) until aborted.
    CompletableFuture<Object> taking = CompletableFuture.supplyAsync(() -> {
      try {
        return h.checkpoint(3, clock, tmp.resolve("never").toUri().toString());
      } catch (PsError e) {
        return e;
      }
    });
    waitFor(() -> counter("checkpoint_writing") == 1);
    assertEquals(2, counter("checkpoint_held_keys"));
    h.checkpointAbort(3);
    Object outcome = taking.get(1, TimeUnit.MINUTES);
    assertTrue(outcome instanceof PsError e && e.getMessage().contains("aborted"), String.valueOf(outcome));
    assertEquals(0, counter("checkpoint_writing"));
    assertArrayEquals(new float[] {2, 2}, c.pull("w", keys).get(), "the held push was applied");
  }

  @Test
  void workerClocksAreReportedPerWorker() throws Exception {
    group = new ServerGroup(conf("eventual", 2), 1, 1);
    ThriftParameterClient c = group.client(1);
    c.push("w", new long[] {1}, new float[] {1}).get();
    c.advanceClock().get();
    c.advanceClock().get();
    Map<String, Long> counters = group.handlers.get(0).counters();
    assertEquals(0L, counters.get("worker_clock_0"));
    assertEquals(2L, counters.get("worker_clock_1"));
  }

  private long counter(String name) {
    long sum = 0;
    for (ParameterHandler h : group.handlers) {
      sum += h.counters().getOrDefault(name, 0L);
    }
    return sum;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met within 2 minutes");
      }
      simulateWork(5);
    }
  }

  /** Stands for computation of the given length (jitter); not a wait for a condition. */
  private static void simulateWork(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
