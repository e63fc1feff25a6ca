package yarnps.examples.lr;

import java.util.Arrays;
import yarnps.common.KeyArrays;
import yarnps.common.KeyIndexer;

/**
 * The LR math of one minibatch, without I/O. {@link #prepare} copies the batch's rows (so the
 * source may be reused at once) and collects their sorted unique keys, the bias key 0 included
 * ({@link KeyIndexer}: hashing, not a sort and a binary search per occurrence);
 * the caller fills {@link #weights} with those keys' weights; {@link #compute} then yields the
 * batch's summed logloss and the gradient {@code g_k = sum_i (p_i - y_i) x_ik}.
 *
 * <p>The gradient is summed over the batch, not averaged: the server-side updaters (FTRL-Proximal,
 * AdaGrad) are per-coordinate and treat a pushed value as the sum of the per-example gradients of
 * that coordinate, so a rare feature's step does not shrink with the batch size. With plain SGD
 * the effective learning rate therefore scales with the batch size.
 *
 * <p>Arrays are reused across batches, except {@link #keys} and {@link #grads}, which are exact
 * length per batch because the parameter client sends them whole.
 */
final class BatchTrainer {
  private final KeyIndexer indexer = new KeyIndexer();
  private long[] keys = new long[0];
  private float[] weights = new float[1024];
  private float[] grads = new float[0];
  /** Per feature occurrence of the batch, in row order: index of its key, and its value. */
  private int[] slot = new int[1024];
  private float[] vals = new float[1024];
  /** End (exclusive) in slot/vals of each row of the batch. */
  private int[] rowEnd = new int[64];
  private byte[] labels = new byte[64];
  private int rows;
  private int bias;

  /** Takes rows[from, to) as the next batch. */
  void prepare(RowBlock src, int from, int to) {
    int base = src.start(from);
    int occurrences = src.start(to) - base;
    rows = to - from;
    if (rowEnd.length < rows) {
      rowEnd = new int[Math.max(rows, rowEnd.length * 2)];
      labels = new byte[rowEnd.length];
    }
    for (int r = 0; r < rows; r++) {
      rowEnd[r] = src.end(from + r) - base;
      labels[r] = src.label(from + r);
    }
    if (slot.length < occurrences) {
      int cap = Math.max(occurrences, slot.length * 2);
      slot = new int[cap];
      vals = new float[cap];
    }
    System.arraycopy(src.vals, base, vals, 0, occurrences);
    // Each occurrence's key id, then (once the distinct keys are sorted) its index among them.
    indexer.begin(occurrences + 1);
    long[] rowKeys = src.keys;
    for (int i = 0; i < occurrences; i++) {
      slot[i] = indexer.add(rowKeys[base + i]);
    }
    int biasId = indexer.add(LrModel.BIAS);
    keys = indexer.finish();
    for (int i = 0; i < occurrences; i++) {
      slot[i] = indexer.position(slot[i]);
    }
    bias = indexer.position(biasId);
    int n = keys.length;
    if (weights.length < n) {
      weights = new float[Math.max(n, weights.length * 2)];
    }
    grads = new float[n];
  }

  /** Rows of the batch. */
  int rows() {
    return rows;
  }

  /** The batch's keys, sorted ascending (unsigned), unique, the bias key 0 included. */
  long[] keys() {
    return keys;
  }

  /** Where the caller puts the weight of {@code keys()[i]} at index i; may be longer than the keys. */
  float[] weights() {
    return weights;
  }

  /** The gradient of {@code keys()[i]} at index i, valid after {@link #compute}. */
  float[] grads() {
    return grads;
  }

  /** With the weights in place, computes {@link #grads} and returns the batch's summed logloss. */
  double compute() {
    Arrays.fill(grads, 0f);
    double loss = 0;
    int s = 0;
    for (int r = 0; r < rows; r++) {
      int e = rowEnd[r];
      // Same order and precision as LrModel.margin, so training and scoring agree.
      double z = weights[bias];
      for (int i = s; i < e; i++) {
        z += (double) weights[slot[i]] * vals[i];
      }
      double p = Metrics.sigmoid(z);
      int y = labels[r];
      loss += Metrics.logloss(p, y);
      float g = (float) (p - y);
      grads[bias] += g;
      for (int i = s; i < e; i++) {
        grads[slot[i]] += g * vals[i];
      }
      s = e;
    }
    return loss;
  }

  /** Index of {@code key} in {@code sorted} (ascending unsigned, unique); -1 when absent. */
  static int indexOf(long[] sorted, long key) {
    return KeyArrays.indexOf(sorted, 0, sorted.length, key);
  }
}
