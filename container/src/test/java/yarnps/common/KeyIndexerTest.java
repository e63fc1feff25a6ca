package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyIndexerTest {

  /** The reference: sort every occurrence, then binary-search each back. */
  private static long[] sortedUnique(long[] keys) {
    long[] s = keys.clone();
    return java.util.Arrays.copyOf(s, KeyArrays.sortUnique(s, s.length));
  }

  @Test
  void everyOccurrenceGetsItsKeysIndexAmongTheSortedUniqueKeysBatchAfterBatch() {
    SplittableRandom rnd = new SplittableRandom(11);
    long[] special = {0, -1L, 1, Long.MIN_VALUE, Long.MAX_VALUE, -2L};
    KeyIndexer indexer = new KeyIndexer();
    for (int batch = 0; batch < 300; batch++) {
      // Batch sizes go up and down, so a reused, larger table must not leak the last batch's keys.
      int m = rnd.nextInt(0, batch % 7 == 0 ? 5000 : 200);
      int vocab = rnd.nextInt(1, 2 * m + 2);
      long[] keys = new long[m];
      for (int i = 0; i < m; i++) {
        keys[i] = rnd.nextInt(4) == 0 ? special[rnd.nextInt(special.length)]
            : rnd.nextBoolean() ? rnd.nextInt(vocab) : rnd.nextLong();
      }
      indexer.begin(m);
      int[] ids = new int[m];
      for (int i = 0; i < m; i++) {
        ids[i] = indexer.add(keys[i]);
      }
      long[] sorted = indexer.finish();
      long[] expected = sortedUnique(keys);
      assertArrayEquals(expected, sorted, "batch " + batch);
      assertEquals(expected.length, indexer.size());
      for (int i = 0; i < m; i++) {
        int p = indexer.position(ids[i]);
        assertEquals(keys[i], sorted[p], "batch " + batch + " occurrence " + i);
      }
    }
  }

  @Test
  void idsFollowFirstOccurrenceAndMoreKeysThanAnnouncedAreRefused() {
    KeyIndexer indexer = new KeyIndexer();
    indexer.begin(3);
    assertEquals(0, indexer.add(42));
    assertEquals(1, indexer.add(7));
    assertEquals(0, indexer.add(42));
    assertEquals(2, indexer.add(-5));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> indexer.add(8));
    assertEquals("more than the 3 keys announced to begin()", e.getMessage());
    assertArrayEquals(new long[] {7, 42, -5}, indexer.finish(), "unsigned order: -5 is the largest");
    assertEquals(1, indexer.position(0));
    assertEquals(2, indexer.position(2));
    assertThrows(IllegalArgumentException.class, () -> indexer.begin(-1));
  }
}
