package yarnps.examples.lr;

import java.util.Arrays;

/**
 * Sparse rows in CSR form on primitive arrays: row r's features are {@code key(i), val(i)} for
 * {@code start(r) <= i < end(r)}, its label {@code label(r)} (0 or 1). The bias is implicit. Used
 * as a worker's in-memory cache of its training data and as the buffer of streamed rows.
 */
public final class RowBlock {
  long[] keys = new long[1024];
  float[] vals = new float[1024];
  private int[] starts = new int[257];
  private byte[] labels = new byte[256];
  private int rows;

  public int rows() {
    return rows;
  }

  /** Feature occurrences of all rows. */
  public int nnz() {
    return starts[rows];
  }

  public int start(int row) {
    return starts[row];
  }

  public int end(int row) {
    return starts[row + 1];
  }

  public long key(int i) {
    return keys[i];
  }

  public float val(int i) {
    return vals[i];
  }

  public byte label(int row) {
    return labels[row];
  }

  public void clear() {
    rows = 0;
  }

  /** Appends the example held by the parser's holder. */
  public void add(LibSvmParser.Example ex) {
    int at = starts[rows];
    long need = (long) at + ex.n;
    if (need > keys.length) {
      if (need > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than 2^31 feature occurrences in one block; disable lr.cache");
      }
      int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, keys.length * 2L));
      keys = Arrays.copyOf(keys, cap);
      vals = Arrays.copyOf(vals, cap);
    }
    if (rows == labels.length) {
      labels = Arrays.copyOf(labels, rows * 2);
      starts = Arrays.copyOf(starts, rows * 2 + 1);
    }
    System.arraycopy(ex.keys, 0, keys, at, ex.n);
    System.arraycopy(ex.vals, 0, vals, at, ex.n);
    labels[rows] = ex.label;
    rows++;
    starts[rows] = (int) need;
  }
}
