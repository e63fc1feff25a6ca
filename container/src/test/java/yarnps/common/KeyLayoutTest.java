package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

  private static KeyLayout randomLayout(SplittableRandom rnd) {
    int ranges = rnd.nextInt(1, 40);
    int servers = rnd.nextInt(1, 6);
    long[] starts = new long[ranges + 3];
    int n = 0;
    starts[n++] = 0;
    while (n < ranges) {
      starts[n++] = rnd.nextLong();
    }
    starts[n++] = -1L;
    starts[n++] = 1;
    int m = KeyArrays.sortUnique(starts, n);
    int[] owners = new int[m];
    for (int r = 0; r < m; r++) {
      // Runs of the same server, to exercise merging.
      owners[r] = r > 0 && rnd.nextBoolean() ? owners[r - 1] : rnd.nextInt(servers);
    }
    return new KeyLayout(rnd.nextLong(100), Arrays.copyOf(starts, m), owners, servers);
  }

  private static int bruteRange(KeyLayout l, long key) {
    int found = -1;
    for (int r = 0; r < l.numRanges(); r++) {
      if (Long.compareUnsigned(l.rangeStart(r), key) <= 0) {
        found = r;
      }
    }
    return found;
  }

  private static long[] randomKeys(SplittableRandom rnd, KeyLayout l) {
    int n = rnd.nextInt(0, 400);
    long[] keys = new long[n + 4 * l.numRanges() + 2];
    int c = 0;
    for (int i = 0; i < n; i++) {
      keys[c++] = rnd.nextLong();
    }
    for (int r = 0; r < l.numRanges(); r++) {
      if (rnd.nextBoolean()) {
        long s = l.rangeStart(r);
        keys[c++] = s;
        keys[c++] = s - 1;
        keys[c++] = s + 1;
      }
    }
    keys[c++] = 0;
    keys[c++] = -1L;
    return Arrays.copyOf(keys, KeyArrays.sortUnique(keys, c));
  }

  @Test
  void rangeOfMatchesLinearScan() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int round = 0; round < 200; round++) {
      KeyLayout l = randomLayout(rnd);
      for (long k : randomKeys(rnd, l)) {
        int r = l.rangeOf(k);
        assertEquals(bruteRange(l, k), r, "key " + Long.toUnsignedString(k));
        assertEquals(l.owner(r), l.serverOf(k));
      }
    }
  }

  @Test
  void sliceMatchesBruteForce() {
    SplittableRandom rnd = new SplittableRandom(12);
    for (int round = 0; round < 500; round++) {
      KeyLayout l = randomLayout(rnd);
      long[] keys = randomKeys(rnd, l);
      int n = round % 10 == 0 ? 0 : keys.length;
      KeyLayout.Slices s = l.slice(keys, n);

      // Reference: maximal runs of consecutive key indexes with the same server.
      List<List<int[]>> expected = new ArrayList<>();
      for (int srv = 0; srv < l.numServers(); srv++) {
        expected.add(new ArrayList<>());
      }
      int runStart = 0;
      for (int i = 1; i <= n; i++) {
        if (i == n || l.owner(bruteRange(l, keys[i])) != l.owner(bruteRange(l, keys[runStart]))) {
          expected.get(l.owner(bruteRange(l, keys[runStart]))).add(new int[] {runStart, i});
          runStart = i;
        }
      }
      assertEquals(l.numServers(), s.numServers());
      int total = 0;
      for (int srv = 0; srv < l.numServers(); srv++) {
        List<int[]> want = expected.get(srv);
        assertEquals(want.size(), s.intervals(srv), "intervals of server " + srv);
        int count = 0;
        for (int i = 0; i < want.size(); i++) {
          assertEquals(want.get(i)[0], s.from(srv, i));
          assertEquals(want.get(i)[1], s.to(srv, i));
          count += want.get(i)[1] - want.get(i)[0];
        }
        assertEquals(count, s.count(srv));
        total += count;
      }
      assertEquals(n, total);
    }
  }

  @Test
  void accessors() {
    KeyLayout l = new KeyLayout(7, new long[] {0, 100, Long.MIN_VALUE}, new int[] {1, 0, 1}, 2);
    assertEquals(7, l.version());
    assertEquals(3, l.numRanges());
    assertEquals(100, l.rangeLimit(0));
    assertEquals(Long.MIN_VALUE, l.rangeLimit(1));
    assertEquals(0, l.rangeLimit(2));
    assertEquals(2, l.rangeOf(-1L));
    assertEquals(1, l.rangeOf(Long.MAX_VALUE));
    assertEquals(0, l.rangeOf(99));
    assertEquals(1, l.rangeOf(100));
    KeyLayout.Slices s = l.slice(new long[] {5, 200, -1L}, 3);
    assertEquals(2, s.intervals(1));
    assertEquals(2, s.count(1));
    assertEquals(1, s.count(0));
    assertThrows(IndexOutOfBoundsException.class, () -> s.from(0, 1));
  }

  @Test
  void rejectsBadLayouts() {
    assertThrows(IllegalArgumentException.class, () -> new KeyLayout(1, new long[] {5}, new int[] {0}, 1));
    assertThrows(IllegalArgumentException.class, () -> new KeyLayout(1, new long[0], new int[0], 1));
    assertThrows(IllegalArgumentException.class,
        () -> new KeyLayout(1, new long[] {0, -1L, 5}, new int[] {0, 0, 0}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new KeyLayout(1, new long[] {0, 5, 5}, new int[] {0, 0, 0}, 1));
    String m = assertThrows(IllegalArgumentException.class,
        () -> new KeyLayout(1, new long[] {0, 5}, new int[] {0, 2}, 2)).getMessage();
    assertTrue(m.contains("range 1") && m.contains("server 2"), m);
    assertThrows(IllegalArgumentException.class, () -> new KeyLayout(1, new long[] {0}, new int[] {-1}, 2));
    assertThrows(IllegalArgumentException.class, () -> new KeyLayout(1, new long[] {0}, new int[] {0, 0}, 2));
    assertThrows(IllegalArgumentException.class, () -> new KeyLayout(1, new long[] {0}, new int[] {0}, 0));
  }

  @Test
  void thriftRoundTripAndGaps() {
    KeyLayout l = new KeyLayout(3, new long[] {0, 10, Long.MIN_VALUE}, new int[] {0, 1, 0}, 2);
    List<yarnps.thrift.ServerAddress> servers = List.of(
        new yarnps.thrift.ServerAddress(0, "a", 1), new yarnps.thrift.ServerAddress(1, "b", 2));
    yarnps.thrift.Layout t = new yarnps.thrift.Layout(3, l.toThriftRanges(), servers);
    assertEquals(0, t.getRanges().get(2).getLimit());
    KeyLayout back = KeyLayout.fromThrift(t);
    assertEquals(3, back.version());
    assertEquals(2, back.numServers());
    for (int r = 0; r < 3; r++) {
      assertEquals(l.rangeStart(r), back.rangeStart(r));
      assertEquals(l.owner(r), back.owner(r));
    }
    List<yarnps.thrift.KeyRange> gap = new ArrayList<>(l.toThriftRanges());
    gap.set(0, new yarnps.thrift.KeyRange(0, 9, 0));
    String m = assertThrows(IllegalArgumentException.class,
        () -> KeyLayout.fromThrift(new yarnps.thrift.Layout(3, gap, servers))).getMessage();
    assertTrue(m.contains("range 0"), m);
    List<yarnps.thrift.KeyRange> open = new ArrayList<>(l.toThriftRanges());
    open.set(2, new yarnps.thrift.KeyRange(Long.MIN_VALUE, -1L, 0));
    assertThrows(IllegalArgumentException.class,
        () -> KeyLayout.fromThrift(new yarnps.thrift.Layout(3, open, servers)));
    assertThrows(IllegalArgumentException.class,
        () -> KeyLayout.fromThrift(new yarnps.thrift.Layout(0, List.of(), servers)));
  }
}
