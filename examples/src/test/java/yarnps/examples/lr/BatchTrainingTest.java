package yarnps.examples.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.examples.gen.ClickLogGenerator;

/** The LR math and its pipeline against an in-process table with the real updaters, no servers. */
class BatchTrainingTest {
  @TempDir
  Path tmp;

  private static RowBlock rows(String... lines) {
    RowBlock rows = new RowBlock();
    LibSvmParser.Example ex = new LibSvmParser.Example();
    for (String l : lines) {
      byte[] b = l.getBytes(StandardCharsets.UTF_8);
      assertNull(LibSvmParser.parse(b, b.length, ex), l);
      rows.add(ex);
    }
    return rows;
  }

  /** Every row of the libsvm files in dir, in file name order. */
  private static RowBlock load(File dir) throws IOException {
    RowBlock rows = new RowBlock();
    LibSvmParser.Example ex = new LibSvmParser.Example();
    File[] files = dir.listFiles();
    java.util.Arrays.sort(files);
    for (File f : files) {
      byte[] all = Files.readAllBytes(f.toPath());
      for (int s = 0, e; s < all.length; s = e + 1) {
        e = s;
        while (e < all.length && all[e] != '\n') {
          e++;
        }
        byte[] line = java.util.Arrays.copyOfRange(all, s, e);
        if (LibSvmParser.parse(line, line.length, ex) == null) {
          rows.add(ex);
        }
      }
    }
    return rows;
  }

  @Test
  void gradientAndLossFollowTheDefinition() {
    RowBlock rows = rows("0 7:5", "1 5:2 9:1", "0 9:-1 5:1 5:1");
    BatchTrainer t = new BatchTrainer();
    t.prepare(rows, 1, 3);
    assertArrayEquals(new long[] {0, 5, 9}, t.keys(), "sorted unique keys with the bias");
    float[] w = t.weights();
    w[0] = 0.1f;
    w[1] = -0.2f;
    w[2] = 0.3f;
    double loss = t.compute();
    double w0 = 0.1f;
    double w5 = -0.2f;
    double w9 = 0.3f;
    double p0 = Metrics.sigmoid(w0 + 2 * w5 + w9);
    double p1 = Metrics.sigmoid(w0 - w9 + w5 + w5);
    assertEquals(-Math.log(p0) - Math.log(1 - p1), loss, 1e-12);
    float[] g = t.grads();
    assertEquals(3, g.length);
    assertEquals((p0 - 1) + p1, g[0], 1e-6, "bias");
    assertEquals((p0 - 1) * 2 + p1 * 2, g[1], 1e-6, "key 5, twice in the second row");
    assertEquals((p0 - 1) - p1, g[2], 1e-6, "key 9");
    assertEquals(p0, LrModel.predict(rows, 1, k -> k == 0 ? 0.1f : k == 5 ? -0.2f : 0.3f), 1e-7);
  }

  @Test
  void prepareCopiesTheBatchSoItsSourceMayBeReused() {
    RowBlock rows = rows("1 5:2 9:1");
    BatchTrainer t = new BatchTrainer();
    t.prepare(rows, 0, 1);
    rows.clear();
    LibSvmParser.Example ex = new LibSvmParser.Example();
    byte[] b = "0 6:7 8:1".getBytes(StandardCharsets.UTF_8);
    LibSvmParser.parse(b, b.length, ex);
    rows.add(ex);
    java.util.Arrays.fill(t.weights(), 0f);
    assertEquals(Math.log(2), t.compute(), 1e-12);
    assertArrayEquals(new float[] {-0.5f, -1f, -0.5f}, t.grads(), "gradient of the original row");
  }

  @Test
  void pipelineComputesEveryBatchAndAppliesEveryPush() throws IOException {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.table.w.updater", "add");
    RowBlock data = rows("1 1:1", "0 2:1", "1 1:1 3:1", "0 2:1", "1 3:1", "0 4:1", "1 1:1");
    List<String> done = new ArrayList<>();
    try (LocalParameterClient ps = new LocalParameterClient("w", conf)) {
      BatchPipeline p = new BatchPipeline(ps, "w", (batches, rows, loss) -> done.add(batches + ":" + rows));
      long keys = 0;
      for (int from = 0; from < data.rows(); from += 2) {
        int to = Math.min(data.rows(), from + 2);
        p.submit(data, from, to);
        BatchTrainer t = new BatchTrainer();
        t.prepare(data, from, to);
        keys += t.keys().length;
      }
      p.flush();
      assertEquals(List.of("1:2", "2:2", "3:2", "4:1"), done);
      assertEquals(keys, ps.keysPushed, "every batch pushed once, after flush");
      // The add updater adds the pushed gradients: the bias is the sum of (p - y) over all 7 rows,
      // 4 of them positive, with each p in (0, 1).
      float[] bias = ps.pull("w", new long[] {0}).join();
      assertTrue(bias[0] > -4 && bias[0] < 3, "bias " + bias[0]);
      assertTrue(bias[0] != 0);
    }
  }

  @Test
  void ftrlTrainingReachesTheHiddenModelsAuc() throws IOException {
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = tmp.toFile();
    g.trainRows = 20_000;
    g.testRows = 10_000;
    g.files = 2;
    // Few fields and values, so that 20k rows pin down most weights of the hidden model.
    g.fields = 8;
    g.vocab = 50;
    g.seed = 5;
    ClickLogGenerator.Summary truth = ClickLogGenerator.generate(g);
    RowBlock train = load(new File(g.out, "train"));
    assertEquals(g.trainRows, train.rows());

    Configuration conf = new Configuration(false);
    conf.set("yarnps.table.w.updater", "ftrl");
    conf.set("yarnps.table.w.ftrl.alpha", "0.1");
    conf.set("yarnps.table.w.l2", "1");
    double[] firstAndLast = {Double.NaN, Double.NaN};
    try (LocalParameterClient ps = new LocalParameterClient("w", conf)) {
      BatchPipeline p = new BatchPipeline(ps, "w", (batches, rows, loss) -> {
        if (batches == 1) {
          firstAndLast[0] = loss / rows;
        }
        firstAndLast[1] = loss / rows;
      });
      for (int epoch = 0; epoch < 3; epoch++) {
        for (int from = 0; from < train.rows(); from += 200) {
          p.submit(train, from, Math.min(train.rows(), from + 200));
        }
      }
      p.flush();
      Evaluator eval = new Evaluator(ps, "w", 5000);
      RowBlock test = load(new File(g.out, "test"));
      LibSvmParser.Example ex = new LibSvmParser.Example();
      for (int r = 0; r < test.rows(); r++) {
        ex.n = 0;
        for (int i = test.start(r); i < test.end(r); i++) {
          ex.keys[ex.n] = test.key(i);
          ex.vals[ex.n++] = test.val(i);
        }
        ex.label = test.label(r);
        eval.add(ex);
      }
      Evaluator.Result r = eval.finish();
      System.out.printf("local FTRL: test AUC %.4f logloss %.4f; hidden model AUC %.4f logloss %.4f%n",
          r.auc(), r.logloss(), truth.truthAuc(), truth.truthLogloss());
      assertEquals(g.testRows, r.examples());
      assertTrue(r.auc() > truth.truthAuc() - 0.03, "AUC " + r.auc() + " vs hidden " + truth.truthAuc());
      assertTrue(r.auc() < truth.truthAuc() + 0.01, "AUC " + r.auc() + " above hidden " + truth.truthAuc());
      assertTrue(r.logloss() < truth.baselineLogloss(), "logloss " + r.logloss());
      assertTrue(firstAndLast[1] < firstAndLast[0] - 0.05, "training loss fell: " + firstAndLast[0] + " -> "
          + firstAndLast[1]);

      // Scores do not depend on how the evaluator chunks its pulls.
      Evaluator fine = new Evaluator(ps, "w", 1);
      for (int row = 0; row < test.rows(); row++) {
        ex.n = 0;
        for (int i = test.start(row); i < test.end(row); i++) {
          ex.keys[ex.n] = test.key(i);
          ex.vals[ex.n++] = test.val(i);
        }
        ex.label = test.label(row);
        fine.add(ex);
      }
      assertEquals(r, fine.finish());
    }
  }
}
