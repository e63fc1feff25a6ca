package yarnps.bench.jmh;

import java.util.Arrays;
import java.util.Objects;
import yarnps.conf.Initializer;
import yarnps.server.store.Updater;

/**
 * BASELINE for {@link SparseTableBench} only: {@code yarnps.server.store.SparseTable} as it was
 * before the change to multiply-shift home slots and 1.25x growth (commit 19d9dc2), kept verbatim
 * but for its name, package and this comment, so that one JMH run measures the old and the new
 * table side by side. Not used by any server code; delete it with the comparison in docs/jmh.md.
 *
 * <p>Its original documentation:
 *
 * The rows of one table (or one key range of it) on a server: an open-addressing hash map from a
 * 64-bit key to a row of {@link #stride()} floats, {@code width} weights followed by the
 * updater's state (layout documented on {@link Updater}).
 *
 * <p>Keys live in one {@code long[]} and rows in one {@code float[]} (row of slot i at
 * {@code i * stride}); linear probing over a power-of-two capacity that doubles past a 3/4 load.
 * Key 0 is a legal key: it is kept in an extra row after the slots, since 0 marks a free slot.
 * A key never pushed reads as the initializer's row and takes no memory.
 *
 * <p>Not thread-safe: the caller holds the lock of the key range this table belongs to. One
 * table holds at most about 2^31 floats (slots times stride).
 */
public final class BaselineSparseTable {

  /** Receives every stored row, see {@link #forEach}. */
  @FunctionalInterface
  public interface RowVisitor {
    /**
     * One row: the weights at {@code data[off, off + width)}, then the updater state up to
     * {@code off + stride}. {@code data} is the table's own array, valid only during the call.
     */
    void row(long key, float[] data, int off);
  }

  private static final int MIN_CAPACITY = 16;
  private static final int MAX_CAPACITY = 1 << 30;

  private final int width;
  private final int stride;
  private final Updater updater;
  private final Initializer init;

  private long[] keys;
  private float[] data;
  private int mask;
  private int threshold;
  /** Keys other than 0. */
  private int size;
  private boolean hasZero;

  /** @param initialCapacity keys expected; the table grows past it as needed */
  public BaselineSparseTable(int width, Updater updater, Initializer init, int initialCapacity) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    if (initialCapacity < 0) {
      throw new IllegalArgumentException("initialCapacity must be >= 0, got " + initialCapacity);
    }
    long s = (long) width * (1 + updater.stateSlots());
    if (s > Integer.MAX_VALUE / (MIN_CAPACITY + 1)) {
      throw new IllegalArgumentException("row of " + s + " floats is too wide");
    }
    this.width = width;
    this.stride = (int) s;
    this.updater = Objects.requireNonNull(updater);
    this.init = Objects.requireNonNull(init);
    long wanted = Math.max(MIN_CAPACITY, (initialCapacity * 4L + 2) / 3);
    int cap = (int) Math.min(MAX_CAPACITY, Long.highestOneBit(wanted - 1) << 1);
    allocate(cap);
  }

  /**
   * Applies the pushed rows to {@code keys[from, to)}: the values of {@code keys[i]} are at
   * {@code values[valuesOff + (i - from) * width, + width)}. A missing key is inserted with the
   * initializer's weights and zero state before the update.
   */
  public void push(long[] keys, int from, int to, float[] values, int valuesOff) {
    Objects.checkFromToIndex(from, to, keys.length);
    Objects.checkFromIndexSize(valuesOff, (to - from) * width, values.length);
    for (int i = from; i < to; i++) {
      int slot = findOrInsert(keys[i], true);
      updater.apply(data, slot * stride, width, values, valuesOff + (i - from) * width);
    }
  }

  /**
   * Writes the weights of {@code keys[from, to)} to {@code out} from {@code outOff}, width floats
   * per key. Missing keys read as the initializer's row and are not inserted.
   */
  public void pull(long[] keys, int from, int to, float[] out, int outOff) {
    Objects.checkFromToIndex(from, to, keys.length);
    Objects.checkFromIndexSize(outOff, (to - from) * width, out.length);
    for (int i = from, o = outOff; i < to; i++, o += width) {
      long k = keys[i];
      int slot = find(k);
      if (slot < 0) {
        init.fill(k, width, out, o);
      } else if (width == 1) {
        out[o] = data[slot * stride];
      } else {
        System.arraycopy(data, slot * stride, out, o, width);
      }
    }
  }

  /** Sets the full row (weights and state, {@link #stride()} floats) of {@code key}, as restored. */
  public void putRow(long key, float[] row, int off) {
    Objects.checkFromIndexSize(off, stride, row.length);
    int slot = findOrInsert(key, false);
    System.arraycopy(row, off, data, slot * stride, stride);
  }

  /** Calls {@code v} once per stored key, in no particular order. */
  public void forEach(RowVisitor v) {
    if (hasZero) {
      v.row(0L, data, zeroSlot() * stride);
    }
    for (int slot = 0; slot <= mask; slot++) {
      long k = keys[slot];
      if (k != 0) {
        v.row(k, data, slot * stride);
      }
    }
  }

  /** Keys stored. */
  public long size() {
    return size + (hasZero ? 1 : 0);
  }

  /** Bytes of the key and row arrays. */
  public long memoryBytes() {
    return (long) keys.length * Long.BYTES + (long) data.length * Float.BYTES;
  }

  public int width() {
    return width;
  }

  /** Floats per row: width times (1 + the updater's state slots). */
  public int stride() {
    return stride;
  }

  private int zeroSlot() {
    return mask + 1;
  }

  /** The slot of {@code key}, or -1. */
  private int find(long key) {
    if (key == 0) {
      return hasZero ? zeroSlot() : -1;
    }
    long[] ks = keys;
    int m = mask;
    for (int slot = hash(key) & m; ; slot = (slot + 1) & m) {
      long k = ks[slot];
      if (k == key) {
        return slot;
      }
      if (k == 0) {
        return -1;
      }
    }
  }

  /** The slot of {@code key}, inserted if missing; a new row is initialized when {@code fill}. */
  private int findOrInsert(long key, boolean fill) {
    if (key == 0) {
      if (!hasZero) {
        hasZero = true;
        if (fill) {
          initRow(0L, zeroSlot());
        }
      }
      return zeroSlot();
    }
    int slot = hash(key) & mask;
    for (long k; (k = keys[slot]) != 0; slot = (slot + 1) & mask) {
      if (k == key) {
        return slot;
      }
    }
    if (size >= threshold) {
      grow();
      slot = freeSlot(keys, mask, key);
    }
    keys[slot] = key;
    size++;
    if (fill) {
      initRow(key, slot);
    }
    return slot;
  }

  private void initRow(long key, int slot) {
    int off = slot * stride;
    init.fill(key, width, data, off);
    Arrays.fill(data, off + width, off + stride, 0f);
  }

  private void allocate(int capacity) {
    if ((long) (capacity + 1) * stride > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("table full: " + capacity + " slots of " + stride
          + " floats exceed one array (" + size() + " keys stored)");
    }
    // Both arrays first, then the fields: an OutOfMemoryError leaves the table as it was.
    long[] newKeys = new long[capacity];
    float[] newData = new float[(capacity + 1) * stride];
    keys = newKeys;
    data = newData;
    mask = capacity - 1;
    threshold = capacity - (capacity >>> 2);
  }

  private void grow() {
    if (mask + 1 >= MAX_CAPACITY) {
      throw new IllegalStateException("table full: " + size() + " keys");
    }
    long[] oldKeys = keys;
    float[] oldData = data;
    int oldZero = zeroSlot();
    allocate((mask + 1) * 2);
    for (int old = 0; old < oldKeys.length; old++) {
      long k = oldKeys[old];
      if (k != 0) {
        int slot = freeSlot(keys, mask, k);
        keys[slot] = k;
        System.arraycopy(oldData, old * stride, data, slot * stride, stride);
      }
    }
    if (hasZero) {
      System.arraycopy(oldData, oldZero * stride, data, zeroSlot() * stride, stride);
    }
  }

  private static int freeSlot(long[] ks, int m, long key) {
    int slot = hash(key) & m;
    while (ks[slot] != 0) {
      slot = (slot + 1) & m;
    }
    return slot;
  }

  /** murmur3's fmix64, so that runs of sequential keys spread over the slots. */
  private static int hash(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return (int) k;
  }
}
