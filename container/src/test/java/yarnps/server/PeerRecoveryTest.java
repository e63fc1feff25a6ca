package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import yarnps.common.HashRing;
import yarnps.common.KeyArrays;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.PsWire;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.PsError;
import yarnps.thrift.RangeChunk;

/** fetchRange's paging and the replica-range rules of one handler, called in process. */
class PeerRecoveryTest {

  private static ParameterHandler handler(int self, KeyLayout layout, int replication) {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w");
    conf.set("yarnps.table.w.updater", "adagrad");
    conf.setInt(PsKeys.WORKERS.name(), 1);
    conf.setInt(PsKeys.REPLICATION.name(), replication);
    ParameterHandler h = new ParameterHandler(self, conf, TableSpec.allFromConf(conf));
    h.install(layout);
    return h;
  }

  static PsWire.Request push(KeyLayout layout, long[] keys, float[] values, boolean replica) {
    byte[] block = new byte[KeyCodec.maxEncodedSize(keys.length)];
    int len = KeyCodec.encode(keys, 0, keys.length, block, 0);
    ByteBuffer v = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    v.asFloatBuffer().put(values);
    PsWire.Request r = new PsWire.Request();
    r.table = "w";
    r.layoutVersion = layout.version();
    r.numKeys = keys.length;
    r.keys = ByteBuffer.wrap(block, 0, len);
    r.values = v;
    r.worker = 0;
    r.replica = replica;
    return r;
  }

  @Test
  void fetchRangePagesThroughEveryRowWithItsUpdaterState() throws Exception {
    KeyLayout layout = new KeyLayout(1, new long[] {0, 1L << 62}, new int[] {0, 1}, 2);
    ParameterHandler h = handler(0, layout, 0);
    int n = 103;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (i * 7919L) % 4000 + 1;
    }
    n = KeyArrays.sortUnique(keys, n);
    long[] ks = java.util.Arrays.copyOf(keys, n);
    float[] vals = new float[n];
    for (int i = 0; i < n; i++) {
      vals[i] = i + 1;
    }
    h.push(push(layout, ks, vals, false));
    Map<Long, Float> seen = new HashMap<>();
    long after = -1;
    boolean first = true;
    int pages = 0;
    int stride = -1;
    while (true) {
      RangeChunk c = h.fetchRange("w", 0, after, first, 10);
      pages++;
      stride = c.getStride();
      long[] got = new long[c.getNumKeys()];
      KeyCodec.decode(c.bufferForKeys(), got.length, got, 0);
      java.nio.FloatBuffer rows = c.bufferForRows().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int i = 0; i < got.length; i++) {
        assertTrue(first && i == 0 || Long.compareUnsigned(got[i], after) > 0, "keys after afterKey, ascending");
        after = got[i];
        assertTrue(seen.put(got[i], rows.get(i * stride + 1)) == null, "each row once");
      }
      first = false;
      if (c.isDone()) {
        break;
      }
    }
    assertEquals(2, stride, "weight and adagrad's accumulator");
    assertEquals(n, seen.size());
    assertEquals(n / 10 + 1, pages);
    for (int i = 0; i < n; i++) {
      assertEquals(vals[i] * vals[i], seen.get(ks[i]), 1e-3, "accumulated squared gradient of key " + ks[i]);
    }
    PsError e = assertThrows(PsError.class, () -> h.fetchRange("w", 1, -1, true, 10));
    assertEquals(ErrorCode.WRONG_SERVER, e.getCode());
  }

  @Test
  void replicaRangesTakeForwardedPushesOnlyAndAreNeverPulled() throws Exception {
    KeyLayout layout = HashRing.build(1, 3, 4, 9);
    ParameterHandler h = handler(1, layout, 1);
    int replicaRange = -1;
    yarnps.common.Replicas rep = new yarnps.common.Replicas(layout, 1);
    for (int r = 0; r < layout.numRanges() && replicaRange < 0; r++) {
      if (rep.isReplica(r, 1)) {
        replicaRange = r;
      }
    }
    long key = layout.rangeStart(replicaRange) + 1;
    PsError e = assertThrows(PsError.class, () -> h.push(push(layout, new long[] {key}, new float[] {1}, false)));
    assertEquals(ErrorCode.WRONG_SERVER, e.getCode(), "a worker's push to a replica range");
    h.push(push(layout, new long[] {key}, new float[] {2}, true));
    PsWire.Request pull = push(layout, new long[] {key}, new float[0], false);
    pull.values = null;
    e = assertThrows(PsError.class, () -> h.pull(pull, null));
    assertEquals(ErrorCode.WRONG_SERVER, e.getCode(), "pulls are served by the primary only");
    RangeChunk c = h.fetchRange("w", replicaRange, -1, true, 10);
    assertEquals(1, c.getNumKeys());
    h.close();
  }

  @Test
  void replicationNotBelowTheServerCountIsRefusedNamingBoth() {
    KeyLayout layout = HashRing.build(1, 2, 4, 9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> handler(0, layout, 2));
    assertTrue(e.getMessage().contains("yarnps.replication = 2") && e.getMessage().contains("of 2 servers"),
        e.getMessage());
  }
}
