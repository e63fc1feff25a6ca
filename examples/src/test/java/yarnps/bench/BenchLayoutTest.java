package yarnps.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import yarnps.common.KeyLayout;

class BenchLayoutTest {

  @Test
  void denseKeysSplitEvenlyAndRandomKeysReachEveryServer() {
    for (int servers = 1; servers <= 4; servers++) {
      KeyLayout l = BenchLayout.build(servers, 42);
      long[] dense = BenchCase.DENSE_1M.keys(0, 42);
      KeyLayout.Slices d = l.slice(dense, dense.length);
      long[] sparse = BenchCase.SPARSE_100K.keys(1, 42);
      KeyLayout.Slices s = l.slice(sparse, sparse.length);
      for (int srv = 0; srv < servers; srv++) {
        assertEquals(1, d.intervals(srv), "dense keys of server " + srv + " form one run");
        assertEquals(1_000_000 / servers, d.count(srv), 1, "dense share of server " + srv);
        assertTrue(s.count(srv) > 100_000 / servers / 4, "sparse share of server " + srv + ": " + s.count(srv));
      }
    }
  }

  @Test
  void encodeDecodeRoundTrip() {
    KeyLayout l = BenchLayout.build(3, 7);
    KeyLayout back = BenchLayout.decode(BenchLayout.encode(l));
    assertEquals(l.numServers(), back.numServers());
    assertEquals(l.numRanges(), back.numRanges());
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      long k = i % 2 == 0 ? rnd.nextLong() : rnd.nextLong(1L << 41);
      assertEquals(l.serverOf(k), back.serverOf(k));
    }
  }

  @Test
  void randomKeysAreSortedUniqueAndBelowTheBound() {
    long[] k = BenchCase.randomKeys(50_000, new SplittableRandom(3));
    assertEquals(50_000, k.length);
    for (int i = 1; i < k.length; i++) {
      assertTrue(k[i - 1] < k[i]);
    }
    assertTrue(k[0] >= 0 && k[k.length - 1] < 1L << BenchLayout.SPARSE_BITS);
  }
}
