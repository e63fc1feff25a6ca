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
import yarnps.conf.TableSpec;
import yarnps.rpc.Rpc;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PushRequest;
import yarnps.thrift.ServerAddress;
import yarnps.worker.ThriftParameterClient;

/** Two real servers on loopback behind real Thrift, driven through the worker's client. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ParameterServiceTest {
  private static final int SERVERS = 2;
  private final List<Rpc.Server> rpcs = new ArrayList<>();
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
    layout = HashRing.build(1, SERVERS, 8, 99);
    addresses = new ArrayList<>();
    for (int s = 0; s < SERVERS; s++) {
      ParameterHandler h = new ParameterHandler(s, conf, TableSpec.allFromConf(conf));
      h.install(layout);
      Rpc.Server rpc = Rpc.startServer("test-server-" + s, new ParameterService.Processor<>(h), 0, 64 << 20, 16);
      rpcs.add(rpc);
      addresses.add(new ServerAddress(s, "127.0.0.1", rpc.port()));
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(ThriftParameterClient::close);
    rpcs.forEach(Rpc.Server::stop);
  }

  private ThriftParameterClient client(int worker) {
    ThriftParameterClient c = new ThriftParameterClient(layout, addresses, Map.of("w", 1, "e", 3), worker, () -> 0,
        2, 64 << 20, 30_000);
    clients.add(c);
    return c;
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
  void requestsLargerThanAFrameAreSplitIntoSeveralCalls() throws Exception {
    // A 64 KiB frame holds ~2,800 keys of width 3 per call: 40,000 keys take many calls per server.
    ThriftParameterClient small = new ThriftParameterClient(layout, addresses, Map.of("w", 1, "e", 3), 0, () -> 0,
        2, 64 << 10, 30_000);
    clients.add(small);
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

  @Test
  void aRefusalNamesTheServer() {
    ThriftParameterClient c = client(0);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> c.push("w", new long[] {1, 2}, new float[] {Float.POSITIVE_INFINITY, 0}).get());
    assertTrue(e.getCause().getMessage().contains("server"), e.getCause().getMessage());
  }
}
