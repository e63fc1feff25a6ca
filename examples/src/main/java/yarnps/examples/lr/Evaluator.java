package yarnps.examples.lr;

import java.io.IOException;
import java.util.Arrays;
import yarnps.worker.api.ParameterClient;

/**
 * Scores test examples with the servers' current weights and computes AUC and logloss. Examples
 * are gathered in chunks of about {@code chunkKeys} feature occurrences (so at most that many
 * unique keys plus the bias per pull); each chunk's weights are pulled once and its rows scored
 * with {@link LrModel#predict}, exactly as a saved model scores them. Only one score and one label
 * per example are kept.
 */
final class Evaluator {

  /** Test metrics: AUC, mean logloss and the number of examples. */
  record Result(double auc, double logloss, int examples) {}

  private final ParameterClient ps;
  private final String table;
  private final int chunkKeys;
  private final RowBlock chunk = new RowBlock();
  private final BatchTrainer keys = new BatchTrainer();
  private float[] scores = new float[1024];
  private byte[] labels = new byte[1024];
  private int n;

  Evaluator(ParameterClient ps, String table, int chunkKeys) {
    this.ps = ps;
    this.table = table;
    this.chunkKeys = chunkKeys;
  }

  /** Adds one test example (copied). */
  void add(LibSvmParser.Example ex) throws IOException {
    chunk.add(ex);
    if (chunk.nnz() >= chunkKeys) {
      scoreChunk();
    }
  }

  /** Scores what is pending and returns the metrics of every example added. */
  Result finish() throws IOException {
    scoreChunk();
    return new Result(Metrics.auc(scores, labels, n), Metrics.logloss(scores, labels, n), n);
  }

  private void scoreChunk() throws IOException {
    int rows = chunk.rows();
    if (rows == 0) {
      return;
    }
    keys.prepare(chunk, 0, rows);
    long[] k = keys.keys();
    float[] w = BatchPipeline.await(ps.pull(table, k, keys.weights()));
    LrModel.Weights lookup = key -> w[BatchTrainer.indexOf(k, key)];
    if (n + rows > scores.length) {
      int cap = Math.max(n + rows, scores.length * 2);
      scores = Arrays.copyOf(scores, cap);
      labels = Arrays.copyOf(labels, cap);
    }
    for (int r = 0; r < rows; r++) {
      scores[n] = LrModel.predict(chunk, r, lookup);
      labels[n] = chunk.label(r);
      n++;
    }
    chunk.clear();
  }
}
