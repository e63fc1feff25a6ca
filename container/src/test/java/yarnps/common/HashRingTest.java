package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashRingTest {

  /** The documented rule: the server of the first point strictly above the key, else of the lowest point. */
  private static int bruteOwner(long seed, int servers, int vnodes, long key) {
    long best = 0;
    int bestServer = -1;
    long lowest = 0;
    int lowestServer = -1;
    for (int s = 0; s < servers; s++) {
      for (int v = 0; v < vnodes; v++) {
        long p = HashRing.point(seed, s, v);
        if (Long.compareUnsigned(p, key) > 0
            && (bestServer < 0 || Long.compareUnsigned(p, best) < 0)) {
          best = p;
          bestServer = s;
        }
        if (lowestServer < 0 || Long.compareUnsigned(p, lowest) < 0) {
          lowest = p;
          lowestServer = s;
        }
      }
    }
    return bestServer >= 0 ? bestServer : lowestServer;
  }

  @Test
  void followsTheSuccessorRule() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int servers = 1; servers <= 5; servers++) {
      long seed = rnd.nextLong();
      KeyLayout l = HashRing.build(9, servers, 8, seed);
      assertEquals(9, l.version());
      assertEquals(0, l.rangeStart(0));
      for (int i = 0; i < 300; i++) {
        long k = rnd.nextLong();
        assertEquals(bruteOwner(seed, servers, 8, k), l.serverOf(k));
      }
      for (int r = 0; r < l.numRanges(); r++) {
        for (long k : new long[] {l.rangeStart(r), l.rangeStart(r) - 1, l.rangeStart(r) + 1}) {
          assertEquals(bruteOwner(seed, servers, 8, k), l.serverOf(k));
        }
        if (r > 0) {
          assertTrue(l.owner(r) != l.owner(r - 1), "adjacent ranges of one server are merged");
        }
      }
      assertEquals(bruteOwner(seed, servers, 8, -1L), l.serverOf(-1L));
    }
  }

  @Test
  void duplicatePointsAndPointsAtTheEdges() {
    // Server 2 and 1 share point 100: the lower index holds it.
    KeyLayout l = HashRing.fromPoints(1, new long[] {100, 0, 100, -1L, 50},
        new int[] {2, 3, 1, 0, 2}, 4);
    // Points 0(3) 50(2) 100(1) -1(0): [0,50)->2 [50,100)->1 [100,-1)->0 [-1,2^64)->3.
    assertEquals(4, l.numRanges());
    assertEquals(2, l.serverOf(0));
    assertEquals(2, l.serverOf(49));
    assertEquals(1, l.serverOf(50));
    assertEquals(1, l.serverOf(99));
    assertEquals(0, l.serverOf(100));
    assertEquals(0, l.serverOf(-2L));
    assertEquals(3, l.serverOf(-1L));

    KeyLayout one = HashRing.fromPoints(1, new long[] {7, 7}, new int[] {1, 0}, 2);
    // One distinct point: [0, 7) and [7, 2^64) are both server 0's and merge into one range.
    assertEquals(1, one.numRanges());
    assertEquals(0, one.serverOf(0));
    assertEquals(0, one.serverOf(-1L));
  }

  @Test
  void sharesAreBalancedWith32Vnodes() {
    for (long seed = 0; seed < 5; seed++) {
      for (int servers : new int[] {2, 5, 16, 50}) {
        KeyLayout l = HashRing.build(1, servers, 32, seed);
        double[] share = new double[servers];
        for (int r = 0; r < l.numRanges(); r++) {
          long size = l.rangeLimit(r) - l.rangeStart(r);
          share[l.owner(r)] += unsigned(size) / 0x1p64;
        }
        double sum = 0;
        for (int s = 0; s < servers; s++) {
          sum += share[s];
          double rel = share[s] * servers;
          assertTrue(rel > 0.45 && rel < 1.7,
              "server " + s + " of " + servers + " holds " + rel + "x its fair share (seed " + seed + ")");
        }
        assertEquals(1.0, sum, 1e-9);
      }
    }
  }

  @Test
  void addingAServerMovesKeysOnlyToIt() {
    SplittableRandom rnd = new SplittableRandom(8);
    for (int servers = 1; servers <= 12; servers++) {
      long seed = rnd.nextLong();
      KeyLayout before = HashRing.build(1, servers, 32, seed);
      KeyLayout after = HashRing.build(2, servers + 1, 32, seed);
      int moved = 0;
      int samples = 20000;
      for (int i = 0; i < samples; i++) {
        long k = rnd.nextLong();
        int a = before.serverOf(k);
        int b = after.serverOf(k);
        if (a != b) {
          assertEquals(servers, b, "key " + Long.toUnsignedString(k) + " moved from " + a + " to " + b);
          moved++;
        }
      }
      for (KeyLayout l : new KeyLayout[] {before, after}) {
        for (int r = 0; r < l.numRanges(); r++) {
          for (long k : new long[] {l.rangeStart(r), l.rangeStart(r) - 1}) {
            int b = after.serverOf(k);
            assertTrue(b == before.serverOf(k) || b == servers);
          }
        }
      }
      double fraction = moved / (double) samples;
      double fair = 1.0 / (servers + 1);
      assertTrue(fraction > fair * 0.4 && fraction < fair * 2,
          "moved " + fraction + " of the keys, fair share " + fair);
    }
  }

  @Test
  void rejectsBadCounts() {
    assertThrows(IllegalArgumentException.class, () -> HashRing.build(1, 0, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> HashRing.build(1, 2, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> HashRing.build(1, 1 << 12, 1 << 12, 1));
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
  }
}
