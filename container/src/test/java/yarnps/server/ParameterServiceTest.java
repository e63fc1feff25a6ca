package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yarnps.common.HashRing;
import yarnps.common.KeyArrays;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.Rpc;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PushRequest;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ServerStats;
import yarnps.worker.api.KeyList;
import yarnps.worker.ClientOptions;
import yarnps.worker.ThriftParameterClient;

/** Two real servers on loopback behind their non-blocking Thrift endpoint, driven through the worker's client. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ParameterServiceTest {
  private static final int SERVERS = 2;
  private final List<DataPlaneServer> rpcs = new ArrayList<>();
  private final List<ThriftParameterClient> clients = new ArrayList<>();
  private KeyLayout layout;
  private List<ServerAddress> addresses;
  private Configuration conf;

  @BeforeEach
  void start() throws Exception {
    conf = new Configuration(false);
    conf.set("yarnps.tables", "w,e");
    conf.set("yarnps.table.w.updater", "add");
    conf.set("yarnps.table.e.width", "3");
    conf.set("yarnps.table.e.init", "constant:0.5");
    startServers();
  }

  /** (Re)starts the servers with the current conf. */
  private void startServers() throws Exception {
    clients.forEach(ThriftParameterClient::close);
    clients.clear();
    rpcs.forEach(DataPlaneServer::close);
    rpcs.clear();
    layout = HashRing.build(1, SERVERS, 8, 99);
    addresses = new ArrayList<>();
    for (int s = 0; s < SERVERS; s++) {
      ParameterHandler h = new ParameterHandler(s, conf, TableSpec.allFromConf(conf));
      h.install(layout);
      DataPlaneServer rpc = DataPlaneServer.start("test-server-" + s, h, h, conf, 0);
      rpcs.add(rpc);
      addresses.add(new ServerAddress(s, "127.0.0.1", rpc.port()));
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(ThriftParameterClient::close);
    rpcs.forEach(DataPlaneServer::close);
  }

  private ThriftParameterClient client(int worker) {
    return client(worker, ClientOptions.defaults().withMaxFrameBytes(64 << 20));
  }

  private ThriftParameterClient client(int worker, ClientOptions options) {
    try {
      ThriftParameterClient c = new ThriftParameterClient(layout, addresses, Map.of("w", 1, "e", 3), worker,
          options);
      clients.add(c);
      return c;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long[] randomKeys(SplittableRandom r, int n) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = r.nextLong();
    }
    int m = KeyArrays.sortUnique(k, n);
    return java.util.Arrays.copyOf(k, m);
  }

  @Test
  void concurrentPushesToOverlappingKeysSumExactly() throws Exception {
    int workers = 4;
    int rounds = 20;
    long[] keys = randomKeys(new SplittableRandom(1), 5000);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      ThriftParameterClient c = client(w);
      float[] ones = new float[keys.length];
      java.util.Arrays.fill(ones, 1f);
      all.add(CompletableFuture.runAsync(() -> {
        for (int r = 0; r < rounds; r++) {
          c.push("w", keys, ones).join();
        }
      }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    float[] got = client(9).pull("w", keys).get();
    for (int i = 0; i < keys.length; i++) {
      assertEquals(workers * rounds, got[i], 0f, "key " + Long.toUnsignedString(keys[i]));
    }
    long stored = client(9).stats().stream().mapToLong(st -> st.getTables().get(0).getKeys()).sum();
    assertEquals(keys.length, stored, "keys are split over the servers without overlap");
  }

  @Test
  void cachedKeyListsStayExactWhileTheTablesGrowUnderThem() throws Exception {
    // Workers 0-2 push one cached key list each round (the server reuses its row slots); worker 3
    // keeps inserting new keys, so the shards grow and rehash under the cached slots.
    long[] shared = randomKeys(new SplittableRandom(7), 3000);
    int rounds = 30;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      ThriftParameterClient c = client(w);
      KeyList list = c.keys(shared);
      float[] v = new float[shared.length];
      java.util.Arrays.fill(v, w + 1);
      all.add(CompletableFuture.runAsync(() -> {
        for (int r = 0; r < rounds; r++) {
          c.push("w", list, v).join();
          c.pull("w", list, new float[shared.length]).join();
        }
      }));
    }
    ThriftParameterClient grower = client(3);
    all.add(CompletableFuture.runAsync(() -> {
      SplittableRandom r = new SplittableRandom(8);
      for (int i = 0; i < rounds; i++) {
        long[] fresh = randomKeys(r, 4000);
        grower.push("w", fresh, new float[fresh.length]).join();
      }
    }));
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(90, TimeUnit.SECONDS);
    float[] got = client(9).pull("w", shared).get();
    for (int i = 0; i < shared.length; i++) {
      assertEquals((1 + 2 + 3) * rounds, got[i], 0f, "key " + Long.toUnsignedString(shared[i]));
    }
  }

  @Test
  void requestsLargerThanAFrameAreSplitIntoSeveralCalls() throws Exception {
    // A 64 KiB frame holds ~2,800 keys of width 3 per call: 40,000 keys take many calls per server.
    ThriftParameterClient small = client(0, ClientOptions.defaults().withMaxFrameBytes(64 << 10));
    long[] keys = randomKeys(new SplittableRandom(5), 40_000);
    float[] delta = new float[keys.length * 3];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = (i % 97) * 0.5f;
    }
    small.push("e", keys, delta).get();
    float[] got = small.pull("e", keys).get();
    for (int i = 0; i < delta.length; i++) {
      assertEquals(0.5f + delta[i], got[i], 0f, "value " + i);
    }
    long pushes = small.stats().stream().mapToLong(st -> st.getTables().get(1).getPushes()).sum();
    assertTrue(pushes > 10, "expected the push split into many calls, got " + pushes);
  }

  @Test
  void pullOfMissingKeysReadsTheInitializerAndWideRowsRoundTrip() throws Exception {
    ThriftParameterClient c = client(0);
    long[] keys = {0L, 1L, 1L << 40, -1L};
    KeyArrays.sortUnique(keys, keys.length);
    float[] init = c.pull("e", keys).get();
    for (float v : init) {
      assertEquals(0.5f, v);
    }
    float[] delta = new float[keys.length * 3];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = i * 0.25f;
    }
    c.push("e", keys, delta).get();
    float[] after = c.pull("e", keys).get();
    for (int i = 0; i < delta.length; i++) {
      assertEquals(0.5f + delta[i], after[i], 0f, "value " + i);
    }
  }

  @Test
  void badRequestsAreRefusedAndChangeNothing() throws Exception {
    ThriftParameterClient c = client(0);
    long[] keys = {5, 6, 7};
    assertThrows(IllegalArgumentException.class, () -> c.push("w", new long[] {7, 5}, new float[2]));
    assertThrows(IllegalArgumentException.class, () -> c.push("nope", keys, new float[3]));

    // A raw request with a garbage key block is refused with BAD_REQUEST, naming the problem.
    var protocol = Rpc.connect("127.0.0.1", rpcs.get(0).port(), 1 << 20, 10_000);
    try {
      ParameterService.Client raw = new ParameterService.Client(protocol);
      PushRequest bad = new PushRequest("w", 1, 3, ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80}),
          ByteBuffer.wrap(new byte[12]), 0, 0);
      PsError e = assertThrows(PsError.class, () -> raw.push(bad));
      assertEquals(ErrorCode.BAD_REQUEST, e.getCode());
      PushRequest nan = new PushRequest("w", 1, 1, ByteBuffer.wrap(new byte[] {0}),
          ByteBuffer.wrap(new byte[] {0, 0, (byte) 0xc0, 0x7f}), 0, 0);
      PsError e2 = assertThrows(PsError.class, () -> raw.push(nan));
      assertTrue(e2.getMessage().contains("NaN"), e2.getMessage());
      PushRequest stale = new PushRequest("w", 7, 0, ByteBuffer.allocate(0), ByteBuffer.allocate(0), 0, 0);
      assertEquals(ErrorCode.STALE_LAYOUT, assertThrows(PsError.class, () -> raw.push(stale)).getCode());
    } finally {
      protocol.getTransport().close();
    }
    assertArrayEquals(new float[3], c.pull("w", keys).get());
  }

  @Test
  void garbageAndOversizedFramesDoNotStopTheServer() throws Exception {
    for (byte[] junk : List.of(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3},
        new byte[] {0, 0, 0, 8, 'g', 'a', 'r', 'b', 'a', 'g', 'e', '!'}, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0})) {
      try (Socket s = new Socket("127.0.0.1", rpcs.get(0).port())) {
        OutputStream os = s.getOutputStream();
        os.write(junk);
        os.flush();
        s.setSoTimeout(5000);
        assertTrue(closedByPeer(s), "the server closes a connection that sent garbage");
      }
    }
    ThriftParameterClient c = client(0);
    long[] keys = randomKeys(new SplittableRandom(3), 100);
    c.push("w", keys, new float[keys.length]).get();
    assertEquals(keys.length, c.pull("w", keys).get().length);
  }

  /** True when the peer closed (EOF) or reset the connection. */
  private static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Finite floats of every kind (normal, denormal, extremes, +0) but -0, which 0 + x turns into +0. */
  private static float[] awkwardFloats(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      float f;
      do {
        f = switch (i % 5) {
          case 0 -> Float.intBitsToFloat(r.nextInt());
          case 1 -> Float.intBitsToFloat(r.nextInt(1, 1 << 23));
          case 2 -> i % 2 == 0 ? Float.MAX_VALUE : -Float.MIN_NORMAL;
          case 3 -> 0f;
          default -> (float) r.nextGaussian();
        };
      } while (!Float.isFinite(f) || Float.floatToRawIntBits(f) == Integer.MIN_VALUE);
      v[i] = f;
    }
    return v;
  }

  @Test
  void keyCachingAndCompressionRoundTripEveryValueBitForBit() throws Exception {
    long[] dense = new long[50_000];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = 1_000_000 + i;
    }
    long[] sparse = randomKeys(new SplittableRandom(11), 30_000);
    int worker = 0;
    for (PsKeys.BlockCompression codec : PsKeys.BlockCompression.values()) {
      for (boolean cache : new boolean[] {true, false}) {
        worker++;
        ThriftParameterClient c = client(worker, ClientOptions.defaults().withCompression(codec).withKeyCache(cache));
        for (long[] keys : List.of(dense, sparse)) {
          // A table of its own per round: table "e" (width 3, constant 0.5) would not keep the bits.
          long[] mine = keys.clone();
          for (int i = 0; i < mine.length; i++) {
            mine[i] += (long) worker << 40;
          }
          float[] v = awkwardFloats(mine.length, worker);
          KeyList list = c.keys(mine);
          c.push("w", list, v).get();
          float[] once = c.pull("w", list, new float[mine.length]).get();
          float[] twice = c.pull("w", mine).get();
          for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(once[i]),
                codec + " cache " + cache + " key " + mine[i]);
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(twice[i]),
                codec + " cache " + cache + " key " + mine[i]);
          }
        }
        Map<String, Long> counters = c.counters();
        if (cache) {
          assertTrue(counters.get("keys_not_sent") > 0, codec + ": a reused key list sends no keys: " + counters);
        } else {
          assertEquals(0L, counters.get("keys_not_sent"), codec + ": " + counters);
        }
        if (codec != PsKeys.BlockCompression.NONE) {
          assertTrue(counters.get("wire_key_bytes") < counters.get("raw_key_bytes"),
              codec + ": key blocks compress: " + counters);
        }
      }
    }
    long hits = 0;
    long compressed = 0;
    for (ServerStats st : client(99).stats()) {
      hits += st.getCounters().get("key_cache_hits");
      compressed += st.getCounters().get("compressed_blocks");
    }
    assertTrue(hits > 0, "servers answered from their key cache");
    assertTrue(compressed > 0, "servers saw compressed blocks");
  }

  @Test
  void aKeyListTheServerDroppedIsResentWithItsKeys() throws Exception {
    conf.setLong(PsKeys.KEY_CACHE_BYTES.name(), 4096);
    startServers();
    ThriftParameterClient c = client(0);
    long[] keys = randomKeys(new SplittableRandom(21), 2000);
    KeyList list = c.keys(keys);
    float[] ones = new float[keys.length];
    java.util.Arrays.fill(ones, 1f);
    for (int round = 0; round < 5; round++) {
      c.push("w", list, ones).get();
    }
    float[] got = c.pull("w", list, new float[keys.length]).get();
    for (int i = 0; i < keys.length; i++) {
      assertEquals(5f, got[i], 0f, "key " + keys[i]);
    }
    assertTrue(c.counters().get("key_cache_misses") > 0, "the server's cache was too small: " + c.counters());
  }

  @Test
  void manyCallsInFlightAreMatchedToTheirReplies() throws Exception {
    ThriftParameterClient setup = client(0);
    ThriftParameterClient c = client(1, ClientOptions.defaults().withConnections(1));
    int calls = 300;
    long[][] keys = new long[calls][];
    for (int k = 0; k < calls; k++) {
      keys[k] = randomKeys(new SplittableRandom(100 + k), 50);
      float[] v = new float[keys[k].length];
      java.util.Arrays.fill(v, k);
      setup.push("w", keys[k], v).get();
    }
    List<CompletableFuture<float[]>> pulls = new ArrayList<>();
    for (int k = 0; k < calls; k++) {
      pulls.add(c.pull("w", keys[k]));
    }
    for (int k = 0; k < calls; k++) {
      float[] got = pulls.get(k).get(30, TimeUnit.SECONDS);
      for (float g : got) {
        assertEquals(k, g, 0f, "call " + k + " got another call's reply");
      }
    }
  }

  @Test
  void aServerThatDoesNotAnswerTimesTheCallOut() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      List<ServerAddress> mute = List.of(new ServerAddress(0, "127.0.0.1", silent.getLocalPort()),
          new ServerAddress(1, "127.0.0.1", silent.getLocalPort()));
      ClientOptions o = ClientOptions.defaults();
      o = new ClientOptions(1, o.maxInFlight(), o.maxFrameBytes(), 500, o.compression(), o.compressMinBytes(),
          o.keyCache(), o.keyCacheKeysPerServer());
      try (ThriftParameterClient c = new ThriftParameterClient(layout, mute, Map.of("w", 1), 0, o)) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> c.pull("w", new long[] {1, 2, 3}).get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("timeout") && e.getCause().getMessage().contains("server"),
            e.getCause().getMessage());
      }
    }
  }

  @Test
  void aStockThriftClientPushesAndPulls() throws Exception {
    var protocol = Rpc.connect("127.0.0.1", rpcs.get(0).port(), 1 << 20, 10_000);
    try {
      ParameterService.Client raw = new ParameterService.Client(protocol);
      long[] keys = {layout.rangeStart(firstRangeOf(0))};
      byte[] block = new byte[10];
      int len = yarnps.common.KeyCodec.encode(keys, 0, 1, block, 0);
      ByteBuffer value = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, 2.5f);
      raw.push(new PushRequest("w", 1, 1, ByteBuffer.wrap(block, 0, len), value, 0, 0));
      var resp = raw.pull(new yarnps.thrift.PullRequest("w", 1, 1, ByteBuffer.wrap(block, 0, len), 0, 0));
      assertEquals(2.5f, resp.bufferForValues().order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0));
      assertEquals(0, raw.stats().getServer());
    } finally {
      protocol.getTransport().close();
    }
  }

  private int firstRangeOf(int server) {
    for (int r = 0; r < layout.numRanges(); r++) {
      if (layout.owner(r) == server) {
        return r;
      }
    }
    throw new IllegalStateException("server " + server + " holds no range");
  }

  @Test
  void aRefusalNamesTheServer() {
    ThriftParameterClient c = client(0);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> c.push("w", new long[] {1, 2}, new float[] {Float.POSITIVE_INFINITY, 0}).get());
    assertTrue(e.getCause().getMessage().contains("server"), e.getCause().getMessage());
  }
}
