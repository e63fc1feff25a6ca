package yarnps.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import yarnps.conf.Initializer;
import yarnps.conf.Initializer.Kind;

class SparseTableTest {

  private static final Initializer UNIFORM = new Initializer(new Initializer.Spec(Kind.UNIFORM, 0.5), 99);
  private static final Initializer ZERO = new Initializer(new Initializer.Spec(Kind.ZERO, 0), 1);

  private static float[] initRow(Initializer init, long key, int width) {
    float[] row = new float[width];
    init.fill(key, width, row, 0);
    return row;
  }

  @Test
  void matchesHashMapUnderRandomPushesAndPulls() {
    int width = 3;
    SparseTable t = new SparseTable(width, new AddUpdater(), UNIFORM, 1);
    Map<Long, float[]> ref = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(21);
    long[] pool = new long[3000];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = i % 3 == 0 ? rnd.nextLong() : i;
    }
    pool[0] = 0;
    pool[1] = -1L;
    pool[2] = Long.MIN_VALUE;
    long lastMemory = t.memoryBytes();
    int grew = 0;
    for (int round = 0; round < 400; round++) {
      int n = rnd.nextInt(1, 60);
      long[] keys = new long[n + 2];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = pool[rnd.nextInt(round < 20 ? 10 : pool.length)];
      }
      int from = 1;
      int to = n + 1;
      if (rnd.nextBoolean()) {
        float[] values = new float[2 + n * width];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) rnd.nextGaussian();
        }
        t.push(keys, from, to, values, 2);
        for (int i = from; i < to; i++) {
          float[] row = ref.computeIfAbsent(keys[i], k -> initRow(UNIFORM, k, width));
          for (int j = 0; j < width; j++) {
            row[j] += values[2 + (i - from) * width + j];
          }
        }
      } else {
        float[] out = new float[1 + n * width];
        long sizeBefore = t.size();
        t.pull(keys, from, to, out, 1);
        assertEquals(sizeBefore, t.size(), "pull must not insert");
        for (int i = from; i < to; i++) {
          float[] want = ref.getOrDefault(keys[i], initRow(UNIFORM, keys[i], width));
          assertArrayEquals(want, Arrays.copyOfRange(out, 1 + (i - from) * width, 1 + (i - from + 1) * width),
              "key " + keys[i]);
        }
      }
      assertEquals(ref.size(), t.size());
      if (t.memoryBytes() > lastMemory) {
        grew++;
        lastMemory = t.memoryBytes();
      }
    }
    assertTrue(grew >= 5, "the table must have resized several times, grew " + grew);
    assertTrue(ref.containsKey(0L) && ref.containsKey(-1L));

    Map<Long, float[]> seen = new HashMap<>();
    t.forEach((key, data, off) -> {
      assertTrue(seen.put(key, Arrays.copyOfRange(data, off, off + t.stride())) == null, "visited twice");
    });
    assertEquals(ref.keySet(), seen.keySet());
    for (Map.Entry<Long, float[]> e : ref.entrySet()) {
      assertArrayEquals(e.getValue(), seen.get(e.getKey()));
    }
  }

  @Test
  void missingKeysReadAsInitializerAndAreNotInserted() {
    SparseTable t = new SparseTable(4, new AddUpdater(), UNIFORM, 0);
    long[] keys = {0, 5, -1L, 123456789L};
    float[] out = new float[16];
    t.pull(keys, 0, 4, out, 0);
    for (int i = 0; i < 4; i++) {
      float[] want = initRow(UNIFORM, keys[i], 4);
      assertTrue(want[0] != 0f || want[1] != 0f, "the initializer is not all zeros");
      assertArrayEquals(want, Arrays.copyOfRange(out, 4 * i, 4 * i + 4));
    }
    assertEquals(0, t.size());
    t.forEach((k, d, o) -> {
      throw new AssertionError("nothing stored, got key " + k);
    });
    t.push(new long[] {5}, 0, 1, new float[] {1, 1, 1, 1}, 0);
    assertEquals(1, t.size());
    t.pull(keys, 1, 2, out, 0);
    float[] init5 = initRow(UNIFORM, 5, 4);
    for (int j = 0; j < 4; j++) {
      assertEquals(init5[j] + 1f, out[j]);
    }
  }

  @Test
  void newRowsStartWithZeroStateAndPutRowRestores() {
    Updater ftrl = new FtrlUpdater(0.1, 1, 0, 0);
    SparseTable t = new SparseTable(2, ftrl, ZERO, 4);
    assertEquals(6, t.stride());
    assertEquals(2, t.width());
    SplittableRandom rnd = new SplittableRandom(4);
    long[] keys = new long[200];
    float[] grads = new float[400];
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = rnd.nextLong(300) - 150;
      }
      for (int i = 0; i < grads.length; i++) {
        grads[i] = (float) rnd.nextGaussian();
      }
      t.push(keys, 0, keys.length, grads, 0);
    }
    // A single push on a fresh key leaves z = g, n = g^2: its state started at zero.
    t.push(new long[] {1L << 50}, 0, 1, new float[] {0.5f, -2f}, 0);
    float[][] row = new float[1][];
    t.forEach((k, d, o) -> {
      if (k == 1L << 50) {
        row[0] = Arrays.copyOfRange(d, o, o + 6);
      }
    });
    assertNotNull(row[0]);
    assertEquals(0.5f, row[0][2]);
    assertEquals(-2f, row[0][3]);
    assertEquals(0.25f, row[0][4]);
    assertEquals(4f, row[0][5]);

    SparseTable copy = new SparseTable(2, ftrl, UNIFORM, 0);
    t.forEach(copy::putRow);
    assertEquals(t.size(), copy.size());
    Map<Long, float[]> a = new HashMap<>();
    Map<Long, float[]> b = new HashMap<>();
    t.forEach((k, d, o) -> a.put(k, Arrays.copyOfRange(d, o, o + 6)));
    copy.forEach((k, d, o) -> b.put(k, Arrays.copyOfRange(d, o, o + 6)));
    assertEquals(a.keySet(), b.keySet());
    for (long k : a.keySet()) {
      assertArrayEquals(a.get(k), b.get(k));
    }
  }

  @Test
  void millionWidthOneKeysTakeAbout24BytesEach() {
    int n = 1_000_000;
    SparseTable t = new SparseTable(1, new AddUpdater(), ZERO, 16);
    long[] keys = new long[1000];
    float[] ones = new float[1000];
    Arrays.fill(ones, 1f);
    for (int base = 0; base < n; base += keys.length) {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = base + i;
      }
      t.push(keys, 0, keys.length, ones, 0);
    }
    assertEquals(n, t.size());
    double perKey = t.memoryBytes() / (double) n;
    // 2^21 slots of 8 + 4 bytes after the last doubling: 25.2 bytes per key.
    assertTrue(perKey < 26, perKey + " bytes per key");
    float[] out = new float[3];
    t.pull(new long[] {0, 999_999, 1_000_000}, 0, 3, out, 0);
    assertArrayEquals(new float[] {1f, 1f, 0f}, out);
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new SparseTable(0, new AddUpdater(), ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new SparseTable(1, new AddUpdater(), ZERO, -1));
    SparseTable t = new SparseTable(2, new AddUpdater(), ZERO, 1);
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.push(new long[] {1, 2}, 0, 2, new float[3], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.pull(new long[] {1, 2}, 0, 2, new float[4], 1));
  }
}
