package yarnps.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BenchStatsTest {

  @Test
  void nearestRankPercentiles() {
    long[] v = new long[100];
    for (int i = 0; i < 100; i++) {
      v[i] = i + 1;
    }
    assertEquals(50, BenchStats.percentile(v, 100, 50));
    assertEquals(99, BenchStats.percentile(v, 100, 99));
    assertEquals(100, BenchStats.percentile(v, 100, 100));
    assertEquals(1, BenchStats.percentile(v, 100, 0));
    // Only the first n values count.
    assertEquals(5, BenchStats.percentile(v, 10, 50));
    assertEquals(10, BenchStats.percentile(v, 10, 99));
    assertEquals(7, BenchStats.percentile(new long[] {7}, 1, 99));
  }

  @Test
  void latencySortsAndSummarizes() {
    long[] v = {9, 1, 5, 3, 7, 100, 0};
    BenchStats.Latency l = BenchStats.latency(v, 6);
    assertArrayEquals(new long[] {1, 3, 5, 7, 9, 100, 0}, v);
    assertEquals(6, l.count());
    assertEquals(125.0 / 6, l.meanNs(), 1e-12);
    assertEquals(5, l.p50Ns());
    assertEquals(100, l.p99Ns());
    assertEquals(0, BenchStats.latency(v, 0).count());
  }

  @Test
  void spreadOfOddAndEvenCounts() {
    double[] odd = {3, 1, 2};
    assertEquals(new BenchStats.Spread(2, 1, 3), BenchStats.spread(odd));
    assertArrayEquals(new double[] {3, 1, 2}, odd, "input left unchanged");
    assertEquals(new BenchStats.Spread(2.5, 1, 10), BenchStats.spread(new double[] {10, 1, 2, 3}));
    assertEquals(new BenchStats.Spread(4, 4, 4), BenchStats.spread(new double[] {4}));
  }

  @Test
  void rejectsEmptyInput() {
    assertThrows(IllegalArgumentException.class, () -> BenchStats.percentile(new long[3], 0, 50));
    assertThrows(IllegalArgumentException.class, () -> BenchStats.percentile(new long[3], 3, 101));
    assertThrows(IllegalArgumentException.class, () -> BenchStats.spread(new double[0]));
  }
}
