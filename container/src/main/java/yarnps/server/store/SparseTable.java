package yarnps.server.store;

import java.util.Arrays;
import java.util.Objects;
import yarnps.conf.Initializer;

/**
 * The rows of one table (or one key range of it) on a server: an open-addressing hash map from a
 * 64-bit key to a row of {@link #stride()} floats, {@code width} weights followed by the
 * updater's state (layout documented on {@link Updater}).
 *
 * <p>Keys live in one {@code long[]} of {@code capacity} slots and rows in one {@code float[]}
 * (row of slot i at {@code i * stride}). Key 0 is a legal key: it is kept in an extra row after the
 * slots, since 0 marks a free slot. A key never pushed reads as the initializer's row and takes no
 * memory.
 *
 * <p>Memory: a key's home slot is {@code floor(h * capacity / 2^32)}, h the upper 32 bits of
 * murmur3's fmix64 of the key (multiply-shift range reduction, so the capacity need not be a power
 * of two), then linear probing. The capacity grows by 1.25x when more than 4/5 of the slots are
 * taken, so the load of a grown table stays between 0.64 and 0.8: it takes 1.25 to 1.5625 times
 * its raw size of {@code 8 + 4 * stride} bytes per key, at any size past the minimum capacity
 * (15 to 18.75 bytes per key for width 1 with the {@code add} updater). A larger
 * {@code initialCapacity} holds its slots until they fill. While the table grows, the old and the
 * new arrays are both held.
 *
 * <p>Limit: one table holds at most {@code 2^31 - 8} floats (one Java array: {@code capacity + 1}
 * rows), so at most about {@code 0.8 * 2^31 / stride} keys (1.7 billion for width 1 with the
 * {@code add} updater); past that {@link #push} and {@link #putRow} throw
 * {@link IllegalStateException}. A key range that may exceed it must be split.
 *
 * <p>Row slots, for a key cache: {@link #slotsOf} resolves keys to their row slots once;
 * {@link #pushSlots} and {@link #pullSlots} then skip the hash probe. Slots are valid only while
 * {@link #structureVersion()} returns what it returned when they were resolved:
 * <pre>{@code
 * int version = table.structureVersion();
 * table.slotsOf(keys, 0, n, slots, 0);
 * ...
 * if (table.structureVersion() != version) {   // a key was inserted or the table rehashed
 *   version = table.structureVersion();
 *   table.slotsOf(keys, 0, n, slots, 0);
 * }
 * table.pullSlots(slots, 0, n, keys, 0, out, 0);
 * }</pre>
 * Stale slots are not detected (the check would cost the probe that the cache saves): they read or
 * update whichever row now sits at that slot, or throw {@link IndexOutOfBoundsException}. With
 * assertions enabled (as in tests), a slot that does not hold its key fails an assert.
 *
 * <p>Not thread-safe: the caller holds the lock of the key range this table belongs to.
 */
public final class SparseTable {

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
  /** Keys per pass of a push, see {@link #touchHomes}. */
  private static final int CHUNK = 256;
  /** The longest array the JVMs we run on allocate. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final int width;
  private final int stride;
  private final Updater updater;
  private final Initializer init;
  /** Slots such that {@code capacity + 1} rows fit one array. */
  private final int maxCapacity;
  /** Written by the loads ahead of a push, see {@link #touchHomes}; never read. */
  private long touched;

  /** {@code keys.length} is the capacity; 0 marks a free slot. */
  private long[] keys;
  private float[] data;
  private int threshold;
  /** Keys other than 0. */
  private int size;
  private boolean hasZero;
  private int structureVersion;

  /** @param initialCapacity keys expected; the table grows past it as needed */
  public SparseTable(int width, Updater updater, Initializer init, int initialCapacity) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    if (initialCapacity < 0) {
      throw new IllegalArgumentException("initialCapacity must be >= 0, got " + initialCapacity);
    }
    long s = (long) width * (1 + updater.stateSlots());
    if (s > MAX_ARRAY / (MIN_CAPACITY + 1)) {
      throw new IllegalArgumentException("row of " + s + " floats is too wide");
    }
    this.width = width;
    this.stride = (int) s;
    this.updater = Objects.requireNonNull(updater);
    this.init = Objects.requireNonNull(init);
    this.maxCapacity = MAX_ARRAY / stride - 1;
    long wanted = Math.max(MIN_CAPACITY, initialCapacity + initialCapacity / 4L + 1);
    int capacity = (int) Math.min(maxCapacity, wanted);
    keys = new long[capacity];
    data = new float[(capacity + 1) * stride];
    threshold = thresholdOf(capacity);
  }

  /**
   * Applies the pushed rows to {@code keys[from, to)}: the values of {@code keys[i]} are at
   * {@code values[valuesOff + (i - from) * width, + width)}. A missing key is inserted with the
   * initializer's weights and zero state before the update.
   */
  public void push(long[] keys, int from, int to, float[] values, int valuesOff) {
    Objects.checkFromToIndex(from, to, keys.length);
    Objects.checkFromIndexSize(valuesOff, (to - from) * width, values.length);
    for (int c = from; c < to; c += CHUNK) {
      int end = Math.min(to, c + CHUNK);
      touchHomes(keys, c, end);
      for (int i = c; i < end; i++) {
        int slot = findOrInsert(keys[i], true);
        updater.apply(data, slot * stride, width, values, valuesOff + (i - from) * width);
      }
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
      readRow(find(k), k, out, o);
    }
  }

  /**
   * Writes the row slot of each of {@code keys[from, to)} to {@code slots} from {@code slotsOff},
   * or -1 for a key not stored. Inserts nothing. The slots are valid while
   * {@link #structureVersion()} is unchanged.
   */
  public void slotsOf(long[] keys, int from, int to, int[] slots, int slotsOff) {
    Objects.checkFromToIndex(from, to, keys.length);
    Objects.checkFromIndexSize(slotsOff, to - from, slots.length);
    for (int i = from; i < to; i++) {
      slots[slotsOff + i - from] = find(keys[i]);
    }
  }

  /**
   * Same as {@code push(keys, keysFrom, keysFrom + n, values, valuesOff)}, given the slots of those
   * keys from {@link #slotsOf} at the current {@link #structureVersion()}: {@code slots[slotsOff +
   * i]} is the slot of {@code keys[keysFrom + i]}. A -1 slot is a missing key and is inserted, which
   * changes the structure version; should that rehash the table, the rest of this call goes by key.
   */
  public void pushSlots(int[] slots, int slotsOff, int n, long[] keys, int keysFrom, float[] values,
      int valuesOff) {
    Objects.checkFromIndexSize(slotsOff, n, slots.length);
    Objects.checkFromIndexSize(keysFrom, n, keys.length);
    Objects.checkFromIndexSize(valuesOff, n * width, values.length);
    if (allStored(slots, slotsOff, n)) {
      // Nothing to insert, so nothing can move: one tight pass through the updater.
      updater.applyAll(data, slots, slotsOff, n, stride, width, values, valuesOff);
      return;
    }
    long[] table = this.keys;
    for (int c = 0; c < n; c += CHUNK) {
      int end = Math.min(n, c + CHUNK);
      touchRows(slots, slotsOff + c, slotsOff + end);
      for (int i = c; i < end; i++) {
        int slot = slots[slotsOff + i];
        if (slot < 0 || table != this.keys) {
          slot = findOrInsert(keys[keysFrom + i], true);
        } else {
          assert holds(slot, keys[keysFrom + i]) : "stale slot " + slot;
        }
        updater.apply(data, slot * stride, width, values, valuesOff + i * width);
      }
    }
  }

  /**
   * Same as {@code pull(keys, keysFrom, keysFrom + n, out, outOff)}, given the slots of those keys
   * from {@link #slotsOf} at the current {@link #structureVersion()}. A -1 slot reads as the
   * initializer's row of its key.
   */
  public void pullSlots(int[] slots, int slotsOff, int n, long[] keys, int keysFrom, float[] out,
      int outOff) {
    Objects.checkFromIndexSize(slotsOff, n, slots.length);
    Objects.checkFromIndexSize(keysFrom, n, keys.length);
    Objects.checkFromIndexSize(outOff, n * width, out.length);
    for (int i = 0, o = outOff; i < n; i++, o += width) {
      int slot = slots[slotsOff + i];
      long k = keys[keysFrom + i];
      assert slot < 0 || holds(slot, k) : "stale slot " + slot;
      readRow(slot, k, out, o);
    }
  }

  /**
   * Changes whenever a key is inserted or the table is rehashed: the only events that move the slot
   * of a stored key or store a key that {@link #slotsOf} reported as -1. Updates of stored rows,
   * pulls and {@link #putRow} on a stored key leave it as it is. It wraps around after 2^32
   * changes, so a cache should compare it at least that often (in practice: before every use).
   */
  public int structureVersion() {
    return structureVersion;
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
    long[] ks = keys;
    for (int slot = 0; slot < ks.length; slot++) {
      long k = ks[slot];
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
    return keys.length;
  }

  private boolean holds(int slot, long key) {
    return slot == zeroSlot() ? key == 0 && hasZero : keys[slot] == key && key != 0;
  }

  private void readRow(int slot, long key, float[] out, int o) {
    if (slot < 0) {
      init.fill(key, width, out, o);
    } else if (width == 1) {
      out[o] = data[slot * stride];
    } else {
      System.arraycopy(data, slot * stride, out, o, width);
    }
  }

  /** The slot of {@code key}, or -1. */
  private int find(long key) {
    if (key == 0) {
      return hasZero ? zeroSlot() : -1;
    }
    long[] ks = keys;
    int capacity = ks.length;
    int slot = home(key, capacity);
    for (long k; (k = ks[slot]) != key; ) {
      if (k == 0) {
        return -1;
      }
      if (++slot == capacity) {
        slot = 0;
      }
    }
    return slot;
  }

  /**
   * Loads the key and the row at the home slot of each of {@code keys[from, to)}, ahead of their
   * update. A push updates rows in place, and stores to lines not in the cache stall once the store
   * buffer fills; these loads depend on nothing, so they overlap, and the updates that follow find
   * their lines cached. Java has no prefetch: the sum goes to a field so that the JIT keeps the
   * loads. (Pulls gain nothing from it: their loads overlap already.)
   */
  private void touchHomes(long[] keys, int from, int to) {
    long[] ks = this.keys;
    float[] d = data;
    int capacity = ks.length;
    long sum = 0;
    for (int i = from; i < to; i++) {
      int h = home(keys[i], capacity);
      sum += ks[h] + Float.floatToRawIntBits(d[h * stride]);
    }
    touched = sum;
  }

  /** Same as {@link #touchHomes} for the rows of known slots, ahead of {@link #pushSlots}. */
  /** Whether every slot is a stored row's (none is -1), and each within the table. */
  private boolean allStored(int[] slots, int off, int n) {
    int limit = zeroSlot();
    for (int i = off, end = off + n; i < end; i++) {
      int s = slots[i];
      if (s < 0 || s > limit) {
        return false;
      }
    }
    return true;
  }

  private void touchRows(int[] slots, int from, int to) {
    float[] d = data;
    int s = stride;
    int sum = 0;
    for (int i = from; i < to; i++) {
      sum += Float.floatToRawIntBits(d[Math.max(0, slots[i]) * s]);
    }
    touched = sum;
  }

  /** The slot of {@code key}, inserted if missing; a new row is initialized when {@code fill}. */
  private int findOrInsert(long key, boolean fill) {
    if (key == 0) {
      if (!hasZero) {
        hasZero = true;
        structureVersion++;
        if (fill) {
          initRow(0L, zeroSlot());
        }
      }
      return zeroSlot();
    }
    long[] ks = keys;
    int capacity = ks.length;
    int slot = home(key, capacity);
    for (long k; (k = ks[slot]) != 0; ) {
      if (k == key) {
        return slot;
      }
      if (++slot == capacity) {
        slot = 0;
      }
    }
    if (size >= threshold) {
      grow();
      slot = freeSlot(keys, key);
    }
    keys[slot] = key;
    size++;
    structureVersion++;
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

  private void grow() {
    int capacity = keys.length;
    if (capacity >= maxCapacity) {
      throw new IllegalStateException("table full: " + size() + " keys in " + capacity
          + " slots of " + stride + " floats, the most one array holds");
    }
    int next = (int) Math.min(maxCapacity, capacity + (capacity >>> 2));
    // Both arrays first, then the fields: an OutOfMemoryError leaves the table as it was.
    long[] newKeys = new long[next];
    float[] newData = new float[(next + 1) * stride];
    long[] oldKeys = keys;
    float[] oldData = data;
    for (int old = 0; old < capacity; old++) {
      long k = oldKeys[old];
      if (k != 0) {
        int slot = freeSlot(newKeys, k);
        newKeys[slot] = k;
        if (stride == 1) {
          newData[slot] = oldData[old];
        } else {
          System.arraycopy(oldData, old * stride, newData, slot * stride, stride);
        }
      }
    }
    if (hasZero) {
      System.arraycopy(oldData, capacity * stride, newData, next * stride, stride);
    }
    keys = newKeys;
    data = newData;
    threshold = thresholdOf(next);
    structureVersion++;
  }

  private static int thresholdOf(int capacity) {
    return (int) (capacity * 4L / 5);
  }

  private static int freeSlot(long[] ks, long key) {
    int capacity = ks.length;
    int slot = home(key, capacity);
    while (ks[slot] != 0) {
      if (++slot == capacity) {
        slot = 0;
      }
    }
    return slot;
  }

  /** Multiply-shift of the hash's upper 32 bits onto [0, capacity). */
  private static int home(long key, int capacity) {
    return (int) (((hash(key) >>> 32) * capacity) >>> 32);
  }

  /** murmur3's fmix64, so that runs of sequential keys spread over the slots. */
  static long hash(long k) {
    return yarnps.common.KeyArrays.mix(k);
  }
}
