package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import yarnps.common.HashRing;
import yarnps.common.KeyArrays;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.common.Replicas;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.Layout;
import yarnps.thrift.RangeChunk;
import yarnps.thrift.ServerAddress;
import yarnps.worker.ClientOptions;
import yarnps.worker.ThriftParameterClient;
import yarnps.worker.api.KeyList;
import yarnps.worker.api.Task;

/**
 * Chain replication (k = 1) through real servers and clients on loopback: a server is killed while
 * three workers push, a replacement with the same index restores from its peers the way the AM
 * drives it, the workers resend what was not acknowledged, and every key ends at exactly the
 * number of pushes acknowledged.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicationTest {
  private static final int SERVERS = 3;
  private static final int WORKERS = 3;
  private final DataPlaneServer[] servers = new DataPlaneServer[SERVERS];
  private final ParameterHandler[] handlers = new ParameterHandler[SERVERS];
  private final List<ThriftParameterClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(ThriftParameterClient::close);
    for (DataPlaneServer s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  private static Configuration conf(String model) {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w");
    conf.set("yarnps.table.w.updater", "add");
    conf.setInt(PsKeys.WORKERS.name(), WORKERS);
    conf.setInt(PsKeys.REPLICATION.name(), 1);
    conf.set(PsKeys.CONSISTENCY.name(), model);
    return conf;
  }

  /** Starts the SERVERS handlers and their data-plane servers on loopback; returns their addresses. */
  private List<ServerAddress> startServers(Configuration conf) throws IOException {
    List<ServerAddress> addresses = new ArrayList<>();
    for (int s = 0; s < SERVERS; s++) {
      handlers[s] = new ParameterHandler(s, conf, TableSpec.allFromConf(conf));
      servers[s] = DataPlaneServer.start("repl-" + s, handlers[s], handlers[s], conf, 0);
      addresses.add(new ServerAddress(s, "127.0.0.1", servers[s].port()));
    }
    return addresses;
  }

  private static Layout layout(KeyLayout kl, long version, List<ServerAddress> addresses) {
    return new Layout(version, kl.toThriftRanges(), addresses);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** What one worker's loop saw: pushes of each key set acknowledged, and failures. */
  private record Outcome(long ackedAll, long ackedSub, List<Throwable> failures) {}

  @ParameterizedTest
  @ValueSource(strings = {"eventual", "sequential"})
  void everyAcknowledgedPushCountsExactlyOnceAcrossAKilledServer(String model) throws Exception {
    Configuration conf = conf(model);
    KeyLayout ring = HashRing.build(1, SERVERS, 8, 17);
    List<ServerAddress> addresses = startServers(conf);
    Layout v1 = layout(ring, 1, addresses);
    for (ParameterHandler h : handlers) {
      h.install(v1);
    }
    AtomicReference<Layout> published = new AtomicReference<>(v1);
    ClientOptions options = ClientOptions.defaults().withConnections(2);
    for (int w = 0; w < WORKERS; w++) {
      clients.add(new ThriftParameterClient(ring, addresses, Map.of("w", 1), w, options, published::get, 60_000));
    }
    SplittableRandom random = new SplittableRandom(5);
    long[] all = new long[3000];
    for (int i = 0; i < all.length; i++) {
      all[i] = random.nextLong();
    }
    int n = KeyArrays.sortUnique(all, all.length);
    long[] allKeys = java.util.Arrays.copyOf(all, n);
    long[] subKeys = new long[(n + 2) / 3];
    for (int i = 0; i < subKeys.length; i++) {
      subKeys[i] = allKeys[3 * i];
    }
    int pushes = 240;
    AtomicLong acked = new AtomicLong();
    List<CompletableFuture<Outcome>> runs = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      ThriftParameterClient c = clients.get(w);
      runs.add(CompletableFuture.supplyAsync(() -> {
        KeyList everyKey = c.keys(allKeys);
        KeyList someKeys = c.keys(subKeys);
        float[] ones = new float[allKeys.length];
        java.util.Arrays.fill(ones, 1f);
        Deque<Task<Void>> inFlight = new ArrayDeque<>();
        Deque<Boolean> kinds = new ArrayDeque<>();
        long[] counts = new long[2];
        List<Throwable> failures = new ArrayList<>();
        Runnable oldest = () -> {
          Task<Void> t = inFlight.poll();
          boolean sub = kinds.poll();
          try {
            t.join();
            counts[sub ? 1 : 0]++;
            acked.incrementAndGet();
          } catch (CompletionException e) {
            failures.add(e.getCause());
          }
        };
        List<CompletableFuture<Void>> clocks = new ArrayList<>();
        for (int i = 0; i < pushes; i++) {
          boolean sub = i % 2 == 1;
          inFlight.add(c.push("w", sub ? someKeys : everyKey, ones));
          kinds.add(sub);
          if (inFlight.size() >= 12) {
            oldest.run();
          }
          if (i % 10 == 9) {
            clocks.add(c.advanceClock());
          }
        }
        while (!inFlight.isEmpty()) {
          oldest.run();
        }
        clocks.add(c.leaveClockGroup());
        for (CompletableFuture<Void> f : clocks) {
          try {
            f.join();
          } catch (CompletionException e) {
            failures.add(e.getCause());
          }
        }
        return new Outcome(counts[0], counts[1], failures);
      }));
    }

    waitFor(() -> acked.get() >= WORKERS * pushes / 4, "a quarter of the pushes acknowledged");
    // Kill server 1: its connections drop, nothing of its state survives.
    servers[1].close();
    long killedAt = acked.get();
    // What the AM does: a replacement with the same index on a new port, layout v2 with its address
    // installed on the survivors, the replacement restores from its peers, then v2 is published.
    ParameterHandler replacement = new ParameterHandler(1, conf, TableSpec.allFromConf(conf));
    replacement.markRecovering();
    servers[1] = DataPlaneServer.start("repl-1b", replacement, replacement, conf, 0);
    handlers[1] = replacement;
    List<ServerAddress> moved = new ArrayList<>(addresses);
    moved.set(1, new ServerAddress(1, "127.0.0.1", servers[1].port()));
    Layout v2 = layout(ring, 2, moved);
    replacement.install(v2);
    replacement.markRecovering();
    handlers[0].installLayout(v2);
    handlers[2].installLayout(v2);
    long rows = replacement.recoverFromPeers();
    assertTrue(rows > 0, "the replacement copied rows from its peers");
    published.set(v2);

    long ackedAll = 0;
    long ackedSub = 0;
    for (CompletableFuture<Outcome> r : runs) {
      Outcome o = r.get(2, TimeUnit.MINUTES);
      if (!o.failures().isEmpty()) {
        throw new AssertionError(o.failures().size() + " calls failed, first: " + o.failures().get(0),
            o.failures().get(0));
      }
      ackedAll += o.ackedAll();
      ackedSub += o.ackedSub();
    }
    assertEquals((long) WORKERS * pushes, ackedAll + ackedSub, "every push was acknowledged");
    assertTrue(killedAt < ackedAll + ackedSub, "the server was killed while workers were pushing");

    float[] got = clients.get(0).pull("w", allKeys).get(1, TimeUnit.MINUTES);
    for (int i = 0; i < allKeys.length; i++) {
      long expected = ackedAll + (i % 3 == 0 ? ackedSub : 0);
      if (got[i] != expected) {
        throw new AssertionError("key " + Long.toUnsignedString(allKeys[i]) + " (server "
            + ring.serverOf(allKeys[i]) + ") is " + got[i] + ", " + expected + " pushes of it were acknowledged");
      }
    }
    assertPrimariesEqualReplicas(ring);
    for (ThriftParameterClient c : clients) {
      assertEquals(1L, c.counters().get("layouts_adopted"), c + " met the lost server and took layout v2");
    }
    long duplicates = 0;
    long forwardFailures = 0;
    for (yarnps.thrift.ServerStats st : clients.get(0).stats()) {
      duplicates += st.getCounters().getOrDefault("duplicate_pushes", 0L);
      forwardFailures += st.getCounters().getOrDefault("replica_forward_failures", 0L);
    }
    System.out.printf("%s: killed after %d acknowledged pushes; %d rows restored; survivors now count %d duplicate"
        + " pushes and %d failed forwards%n", model, killedAt, rows, duplicates, forwardFailures);
  }

  @org.junit.jupiter.api.Test
  void aCallFailsWhenNoNewerLayoutComesWithinTheRecoveryTimeout() throws Exception {
    Configuration conf = conf("eventual");
    KeyLayout ring = HashRing.build(1, SERVERS, 8, 17);
    List<ServerAddress> addresses = startServers(conf);
    Layout v1 = layout(ring, 1, addresses);
    for (ParameterHandler h : handlers) {
      h.install(v1);
    }
    AtomicLong fetches = new AtomicLong();
    ThriftParameterClient c = new ThriftParameterClient(ring, addresses, Map.of("w", 1), 0,
        ClientOptions.defaults(), () -> {
          fetches.incrementAndGet();
          return v1;
        }, 1500);
    clients.add(c);
    long[] keys = {1, 1L << 62, -5L};
    KeyArrays.sortUnique(keys, keys.length);
    c.push("w", keys, new float[] {1, 1, 1}).get(1, TimeUnit.MINUTES);
    servers[2].close();
    servers[2] = null;
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> c.push("w", keys, new float[] {1, 1, 1}).get(1,
            TimeUnit.MINUTES));
    assertTrue(e.getCause().getMessage().contains("no newer layout"), e.getCause().getMessage());
    assertTrue(fetches.get() >= 2, "the layout source was polled while waiting (" + fetches.get() + " times)");
  }

  /** A push through the handler's data plane; completes with its acknowledgement or refusal. */
  private static CompletableFuture<Void> pushTo(ParameterHandler h, yarnps.rpc.PsWire.Request req) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      if (h.push(req, new DataPlane.PushReply() {
        @Override
        public void finishDeferred() {
          done.complete(null);
        }

        @Override
        public void failDeferred(yarnps.thrift.PsError error) {
          done.completeExceptionally(error);
        }
      })) {
        done.complete(null);
      }
    } catch (yarnps.thrift.PsError e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private static float valueAt(ParameterHandler h, int range) throws Exception {
    float[] rows = rows(h, range);
    return rows.length == 0 ? 0 : rows[0];
  }

  @org.junit.jupiter.api.Test
  void aPushWhoseReplicaIsDownIsStoredAnsweredRecoveringAndItsResendIsOnlyForwarded() throws Exception {
    Configuration conf = conf("eventual");
    KeyLayout ring = HashRing.build(1, 2, 4, 3);
    List<ServerAddress> addresses = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      handlers[s] = new ParameterHandler(s, conf, TableSpec.allFromConf(conf));
      servers[s] = DataPlaneServer.start("repl-" + s, handlers[s], handlers[s], conf, 0);
      addresses.add(new ServerAddress(s, "127.0.0.1", servers[s].port()));
    }
    for (int s = 0; s < 2; s++) {
      handlers[s].install(layout(ring, 1, addresses));
    }
    int range = 0;
    while (ring.owner(range) != 0) {
      range++;
    }
    long key = ring.rangeStart(range) + 1;
    java.util.function.LongFunction<yarnps.rpc.PsWire.Request> request = version -> {
      yarnps.rpc.PsWire.Request r = PeerRecoveryTest.push(ring, new long[] {key}, new float[] {1}, false);
      r.layoutVersion = version;
      r.worker = 2;
      r.requestId = 7L << 24 | 3;
      r.part = 1;
      return r;
    };
    servers[1].close();
    servers[1] = null;
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> pushTo(handlers[0], request.apply(1)).get(1, TimeUnit.MINUTES));
    assertEquals(yarnps.thrift.ErrorCode.RECOVERING, ((yarnps.thrift.PsError) e.getCause()).getCode());
    assertEquals(1f, valueAt(handlers[0], range), "the primary stored the push");
    org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> pushTo(handlers[0], request.apply(1)).get(1, TimeUnit.MINUTES), "still no replica");
    assertEquals(1f, valueAt(handlers[0], range), "the resend is a duplicate: not applied again");

    ParameterHandler replacement = new ParameterHandler(1, conf, TableSpec.allFromConf(conf));
    replacement.markRecovering();
    servers[1] = DataPlaneServer.start("repl-1b", replacement, replacement, conf, 0);
    handlers[1] = replacement;
    List<ServerAddress> moved = new ArrayList<>(addresses);
    moved.set(1, new ServerAddress(1, "127.0.0.1", servers[1].port()));
    replacement.install(layout(ring, 2, moved));
    replacement.markRecovering();
    org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> pushTo(replacement, request.apply(2)).get(1, TimeUnit.MINUTES), "a replacement refuses pushes until restored");
    handlers[0].installLayout(layout(ring, 2, moved));
    replacement.recoverFromPeers();
    assertEquals(1f, valueAt(replacement, range), "the replica range was copied from the primary");
    pushTo(handlers[0], request.apply(2)).get(1, TimeUnit.MINUTES);
    assertEquals(1f, valueAt(handlers[0], range), "acknowledged, counted once on the primary");
    assertEquals(1f, valueAt(replacement, range), "and once on the replica: the copy carried the applied id");
    yarnps.rpc.PsWire.Request next = request.apply(2);
    next.requestId = 7L << 24 | 4;
    pushTo(handlers[0], next).get(1, TimeUnit.MINUTES);
    assertEquals(2f, valueAt(replacement, range), "a new push reaches the replacement");
  }

  /** Every range's rows on its primary equal those on its replica. */
  private void assertPrimariesEqualReplicas(KeyLayout ring) throws Exception {
    Replicas rep = new Replicas(ring, 1);
    for (int r = 0; r < ring.numRanges(); r++) {
      assertArrayEquals(rows(handlers[ring.owner(r)], r), rows(handlers[rep.replica(r, 0)], r), "range " + r);
    }
  }

  private static float[] rows(ParameterHandler h, int range) throws Exception {
    RangeChunk c = h.fetchRange("w", range, -1, true, 1 << 20);
    long[] keys = new long[c.getNumKeys()];
    KeyCodec.decode(c.bufferForKeys(), keys.length, keys, 0);
    float[] out = new float[keys.length * c.getStride()];
    c.bufferForRows().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
