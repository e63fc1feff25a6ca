package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KeyArraysTest {

  @Test
  void sortUniqueMatchesUnsignedTreeSet() {
    SplittableRandom rnd = new SplittableRandom(3);
    long[] special = {0, -1L, 1, Long.MIN_VALUE, Long.MAX_VALUE, -2L};
    for (int round = 0; round < 200; round++) {
      int n = rnd.nextInt(0, 300);
      long[] keys = new long[n + 5];
      TreeSet<Long> expected = new TreeSet<>(Long::compareUnsigned);
      for (int i = 0; i < n; i++) {
        int pick = rnd.nextInt(4);
        long k = pick == 0 ? special[rnd.nextInt(special.length)]
            : pick == 1 ? rnd.nextLong(20) : rnd.nextLong();
        keys[i] = k;
        expected.add(k);
      }
      for (int i = n; i < keys.length; i++) {
        keys[i] = 12345;
      }
      int m = KeyArrays.sortUnique(keys, n);
      assertEquals(expected.size(), m);
      int i = 0;
      for (long k : expected) {
        assertEquals(k, keys[i++]);
      }
      assertTrue(KeyArrays.isSortedUnique(keys, 0, m));
      for (int j = n; j < keys.length; j++) {
        assertEquals(12345, keys[j], "keys past n are untouched");
      }
    }
  }

  @Test
  void isSortedUniqueUsesUnsignedOrder() {
    assertTrue(KeyArrays.isSortedUnique(new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L}, 0, 5));
    assertFalse(KeyArrays.isSortedUnique(new long[] {-1L, 0}, 0, 2));
    assertFalse(KeyArrays.isSortedUnique(new long[] {3, 3}, 0, 2));
    assertFalse(KeyArrays.isSortedUnique(new long[] {1, 5, 4, 9}, 0, 4));
    assertTrue(KeyArrays.isSortedUnique(new long[] {1, 5, 4, 9}, 2, 4));
    assertTrue(KeyArrays.isSortedUnique(new long[] {}, 0, 0));
  }
}
