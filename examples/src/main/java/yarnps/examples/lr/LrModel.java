package yarnps.examples.lr;

/**
 * How the LR example scores an example: {@code p = sigmoid(w_0 + sum_k w_k x_k)}, where key 0 is
 * the bias (feature ids are 1-based, so 0 is free and every example has it with value 1). The
 * margin is summed in double, bias first, then the features in the order of the line. Training,
 * the job's test evaluation and anyone scoring with a saved model use these methods, so the same
 * weights give bit-identical predictions everywhere:
 *
 * <pre>{@code
 * ModelReader.Model m = ModelReader.read(fs, modelDir);
 * float p = LrModel.predict(example, key -> m.get(key, 0));
 * }</pre>
 */
public final class LrModel {
  private LrModel() {}

  /** The bias feature's key. */
  public static final long BIAS = 0L;

  /** The weight of a key; 0 for a key the model does not hold. */
  @FunctionalInterface
  public interface Weights {
    float weight(long key);
  }

  /** The margin of row {@code row} of {@code rows}. */
  public static double margin(RowBlock rows, int row, Weights w) {
    double z = w.weight(BIAS);
    for (int i = rows.start(row); i < rows.end(row); i++) {
      z += (double) w.weight(rows.key(i)) * rows.val(i);
    }
    return z;
  }

  /** The margin of a parsed example. */
  public static double margin(LibSvmParser.Example ex, Weights w) {
    double z = w.weight(BIAS);
    for (int i = 0; i < ex.n; i++) {
      z += (double) w.weight(ex.keys[i]) * ex.vals[i];
    }
    return z;
  }

  /** P(y = 1) of row {@code row} of {@code rows}. */
  public static float predict(RowBlock rows, int row, Weights w) {
    return (float) Metrics.sigmoid(margin(rows, row, w));
  }

  /** P(y = 1) of a parsed example. */
  public static float predict(LibSvmParser.Example ex, Weights w) {
    return (float) Metrics.sigmoid(margin(ex, w));
  }
}
