package yarnps.examples.lr;

import java.util.Arrays;

/** Metrics of a binary classifier on primitive arrays: exact AUC and mean logloss. */
public final class Metrics {
  private Metrics() {}

  /** Probabilities are clipped to [EPS, 1 - EPS] in the logloss. */
  public static final double EPS = 1e-15;

  /**
   * Exact area under the ROC curve of {@code scores[0, n)} against {@code labels[0, n)} (1
   * positive, anything else negative): the Mann-Whitney statistic from average ranks, so a tied
   * positive-negative pair counts one half. O(n log n), one {@code long[n]} of scratch. NaN when
   * either class is empty; scores must not be NaN.
   */
  public static double auc(float[] scores, byte[] labels, int n) {
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      // The score's bits made order-preserving as a signed int, in the high half; the index below.
      int bits = Float.floatToIntBits(scores[i] == 0f ? 0f : scores[i]);
      int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
      packed[i] = ((long) sortable << 32) | i;
    }
    Arrays.sort(packed);
    double rankSumPos = 0;
    long pos = 0;
    int i = 0;
    while (i < n) {
      int tie = (int) (packed[i] >> 32);
      int j = i + 1;
      while (j < n && (int) (packed[j] >> 32) == tie) {
        j++;
      }
      double avgRank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        if (labels[(int) packed[k]] == 1) {
          rankSumPos += avgRank;
          pos++;
        }
      }
      i = j;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /**
   * Mean negative log-likelihood of probabilities {@code p[0, n)} of the positive class for labels
   * {@code labels[0, n)} (1 positive, anything else negative); NaN when n is 0.
   */
  public static double logloss(float[] p, byte[] labels, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += logloss(p[i], labels[i] == 1 ? 1 : 0);
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Negative log-likelihood of one example: probability p of the positive class, label y (0 or 1). */
  public static double logloss(double p, int y) {
    double q = Math.min(Math.max(p, EPS), 1 - EPS);
    return y == 1 ? -Math.log(q) : -Math.log(1 - q);
  }

  /** 1 / (1 + e^-z), without overflow for large |z|. */
  public static double sigmoid(double z) {
    if (z >= 0) {
      return 1 / (1 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1 + e);
  }
}
