package yarnps.examples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import yarnps.examples.lr.LibSvmParser;
import yarnps.examples.lr.LrModel;
import yarnps.examples.lr.Metrics;
import yarnps.examples.lr.RowBlock;
import yarnps.model.ModelReader;

/** Scores local libsvm files with a saved model, the way the LR job scores with pulled weights. */
final class TestScoring {
  private TestScoring() {}

  /** {auc, logloss} of the model on every file in dir. */
  static double[] aucAndLogloss(ModelReader.Model model, File dir) throws IOException {
    RowBlock rows = new RowBlock();
    LibSvmParser.Example ex = new LibSvmParser.Example();
    File[] files = dir.listFiles();
    java.util.Arrays.sort(files);
    for (File f : files) {
      List<String> lines = Files.readAllLines(f.toPath());
      for (String line : lines) {
        byte[] b = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (LibSvmParser.parse(b, b.length, ex) == null) {
          rows.add(ex);
        }
      }
    }
    float[] p = new float[rows.rows()];
    byte[] labels = new byte[rows.rows()];
    for (int r = 0; r < rows.rows(); r++) {
      p[r] = LrModel.predict(rows, r, key -> model.get(key, 0));
      labels[r] = rows.label(r);
    }
    return new double[] {Metrics.auc(p, labels, rows.rows()), Metrics.logloss(p, labels, rows.rows())};
  }
}
