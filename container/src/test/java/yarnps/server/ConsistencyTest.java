package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yarnps.common.HashRing;
import yarnps.common.KeyArrays;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ServerStats;
import yarnps.worker.ClientOptions;
import yarnps.worker.ThriftParameterClient;
import yarnps.worker.api.KeyList;

/**
 * The three consistency models through real servers and clients on loopback, with workers that
 * run at different speeds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsistencyTest {
  private final List<DataPlaneServer> servers = new ArrayList<>();
  private final List<ThriftParameterClient> clients = new ArrayList<>();
  private KeyLayout layout;
  private List<ServerAddress> addresses;

  @AfterEach
  void stop() {
    clients.forEach(ThriftParameterClient::close);
    clients.clear();
    servers.forEach(DataPlaneServer::close);
    servers.clear();
  }

  private void start(int numServers, int workers, String model, int tau) throws Exception {
    stop();
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w");
    conf.set("yarnps.table.w.updater", "add");
    conf.setInt(PsKeys.WORKERS.name(), workers);
    conf.set(PsKeys.CONSISTENCY.name(), model);
    conf.setInt(PsKeys.CONSISTENCY_TAU.name(), tau);
    layout = HashRing.build(1, numServers, 8, 5);
    addresses = new ArrayList<>();
    for (int s = 0; s < numServers; s++) {
      ParameterHandler h = new ParameterHandler(s, conf, TableSpec.allFromConf(conf));
      h.install(layout);
      DataPlaneServer d = DataPlaneServer.start("consistency-" + s, h, h, conf, 0);
      servers.add(d);
      addresses.add(new ServerAddress(s, "127.0.0.1", d.port()));
    }
    for (int w = 0; w < workers; w++) {
      clients.add(new ThriftParameterClient(layout, addresses, Map.of("w", 1), w, ClientOptions.defaults()));
    }
  }

  private long counter(String name) {
    long sum = 0;
    for (ServerStats st : clients.get(0).stats()) {
      sum += st.getCounters().getOrDefault(name, 0L);
    }
    return sum;
  }

  /** Stands for computation of the given length (a slow or jittery worker); not a wait for a condition. */
  private static void simulateWork(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every worker pushes +1 to every shared key once per clock and pulls them first; worker 0 is a
   * straggler. Returns, per worker, the smallest margin (pulled value - W * (t - tau)) seen.
   */
  private long[] runCounting(int workers, int clocks, int tau, long[] shared) throws Exception {
    List<CompletableFuture<Long>> runs = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      ThriftParameterClient c = clients.get(w);
      int me = w;
      runs.add(CompletableFuture.supplyAsync(() -> {
        KeyList keys = c.keys(shared);
        float[] ones = new float[shared.length];
        java.util.Arrays.fill(ones, 1f);
        long margin = Long.MAX_VALUE;
        SplittableRandom r = new SplittableRandom(me);
        for (int t = 0; t < clocks; t++) {
          float[] got = c.pull("w", keys, new float[shared.length]).join();
          long required = (long) workers * Math.max(0, t - tau);
          for (float g : got) {
            margin = Math.min(margin, (long) g - required);
          }
          simulateWork(me == 0 ? 15 : r.nextInt(3));
          c.push("w", keys, ones).join();
          c.advanceClock();
        }
        c.leaveClockGroup().join();
        return margin;
      }));
    }
    long[] margins = new long[workers];
    for (int w = 0; w < workers; w++) {
      margins[w] = runs.get(w).get(2, TimeUnit.MINUTES);
    }
    return margins;
  }

  @Test
  void boundedDelayAndSequentialNeverExceedTheirBound() throws Exception {
    long[] shared = {3, 1L << 40, 5L << 50, -7L};
    KeyArrays.sortUnique(shared, shared.length);
    for (int tau : new int[] {0, 2}) {
      start(2, 3, tau == 0 ? "sequential" : "bounded", tau);
      long[] margins = runCounting(3, 20, tau, shared);
      for (int w = 0; w < margins.length; w++) {
        assertTrue(margins[w] >= 0, "tau " + tau + ": worker " + w + " pulled a value missing pushes of clocks "
            + "older than t - tau - 1 (margin " + margins[w] + ")");
      }
      assertEquals(0, counter("consistency_bound_violations"), "tau " + tau);
      assertTrue(counter("pulls_deferred") > 0, "tau " + tau + ": the straggler made some pulls wait");
      assertTrue(counter("max_clock_lag") <= tau, "tau " + tau + ": lag " + counter("max_clock_lag"));
      float[] end = clients.get(1).pull("w", shared).get();
      for (float v : end) {
        assertEquals(3 * 20, v, 0f, "every push counted once");
      }
    }
  }

  @Test
  void eventualConsistencyNeverWaitsForAStuckWorker() throws Exception {
    start(2, 2, "eventual", 0);
    // Worker 1 never advances its clock; worker 0 runs 30 clocks ahead without waiting.
    ThriftParameterClient c = clients.get(0);
    long[] keys = {10, 20, 30};
    for (int t = 0; t < 30; t++) {
      c.pull("w", keys).get(10, TimeUnit.SECONDS);
      c.push("w", keys, new float[] {1, 1, 1}).get(10, TimeUnit.SECONDS);
      c.advanceClock().get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, counter("pulls_deferred"));
    assertArrayEquals(new float[] {30, 30, 30}, c.pull("w", keys).get());
  }

  @Test
  void aWorkerThatLeftIsNotWaitedFor() throws Exception {
    start(1, 2, "sequential", 0);
    ThriftParameterClient a = clients.get(0);
    ThriftParameterClient b = clients.get(1);
    long[] keys = {1, 2};
    b.push("w", keys, new float[] {1, 1}).get();
    b.advanceClock();
    b.leaveClockGroup().get(10, TimeUnit.SECONDS);
    for (int t = 0; t < 10; t++) {
      a.pull("w", keys).get(10, TimeUnit.SECONDS);
      a.push("w", keys, new float[] {1, 1}).get();
      a.advanceClock().get(10, TimeUnit.SECONDS);
    }
    a.leaveClockGroup().get(10, TimeUnit.SECONDS);
    assertArrayEquals(new float[] {11, 11}, a.pull("w", keys).get());
  }

  /** A deterministic LR-like job under sequential consistency: its final weights, bit for bit. */
  private int[] deterministicWeights(int numServers) throws Exception {
    int workers = 3;
    int clocks = 12;
    start(numServers, workers, "sequential", 0);
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    long[] all = new long[400];
    for (int i = 0; i < all.length; i++) {
      all[i] = (i * 0x9E3779B97F4A7C15L) >>> 3;
    }
    KeyArrays.sortUnique(all, all.length);
    for (int w = 0; w < workers; w++) {
      ThriftParameterClient c = clients.get(w);
      int me = w;
      runs.add(CompletableFuture.runAsync(() -> {
        SplittableRandom data = new SplittableRandom(100 + me);
        SplittableRandom timing = new SplittableRandom(System.nanoTime());
        for (int t = 0; t < clocks; t++) {
          long[] batch = new long[60];
          for (int i = 0; i < batch.length; i++) {
            batch[i] = all[data.nextInt(all.length)];
          }
          int n = KeyArrays.sortUnique(batch, batch.length);
          long[] keys = java.util.Arrays.copyOf(batch, n);
          float[] wts = c.pull("w", keys).join();
          float label = data.nextBoolean() ? 1f : 0f;
          float z = 0;
          for (float x : wts) {
            z += x * 0.1f;
          }
          float p = (float) (1 / (1 + Math.exp(-z)));
          float[] grad = new float[n];
          for (int i = 0; i < n; i++) {
            grad[i] = -0.37f * (p - label) * (0.1f + i * 1e-3f);
          }
          simulateWork(timing.nextInt(4));
          c.push("w", keys, grad).join();
          c.advanceClock().join();
        }
        c.leaveClockGroup().join();
      }));
    }
    for (CompletableFuture<Void> r : runs) {
      r.get(2, TimeUnit.MINUTES);
    }
    float[] end = clients.get(0).pull("w", all).get();
    int[] bits = new int[end.length];
    for (int i = 0; i < end.length; i++) {
      bits[i] = Float.floatToRawIntBits(end[i]);
    }
    return bits;
  }

  @Test
  void sequentialConsistencyIsBitIdenticalAcrossRunsAndServerCounts() throws Exception {
    int[] one = deterministicWeights(1);
    int[] two = deterministicWeights(2);
    int[] again = deterministicWeights(2);
    assertArrayEquals(one, two, "1 vs 2 servers");
    assertArrayEquals(two, again, "two runs with 2 servers");
    long nonZero = java.util.Arrays.stream(one).filter(b -> b != 0).count();
    assertTrue(nonZero > 100, "the job changed the weights (" + nonZero + " non-zero)");
  }
}
