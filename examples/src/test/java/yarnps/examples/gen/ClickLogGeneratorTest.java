package yarnps.examples.gen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.examples.lr.LibSvmParser;

class ClickLogGeneratorTest {
  @TempDir
  Path tmp;

  private ClickLogGenerator.Options options(String dir, long seed) {
    ClickLogGenerator.Options o = new ClickLogGenerator.Options();
    o.out = tmp.resolve(dir).toFile();
    o.trainRows = 20_000;
    o.testRows = 10_000;
    o.files = 3;
    o.seed = seed;
    return o;
  }

  private static byte[] read(File f) throws IOException {
    try (InputStream in = f.getName().endsWith(".gz") ? new GZIPInputStream(new FileInputStream(f))
        : new FileInputStream(f)) {
      return in.readAllBytes();
    }
  }

  @Test
  void sameSeedSameFilesOtherSeedOtherFiles() throws IOException {
    ClickLogGenerator.Summary a = ClickLogGenerator.generate(options("a", 9));
    ClickLogGenerator.Summary b = ClickLogGenerator.generate(options("b", 9));
    ClickLogGenerator.Options gz = options("gz", 9);
    gz.gzip = true;
    ClickLogGenerator.generate(gz);
    ClickLogGenerator.generate(options("c", 10));
    assertEquals(a.truthAuc(), b.truthAuc());
    for (String f : new String[] {"train/part-00000", "train/part-00002", "test/part-00000"}) {
      byte[] x = read(tmp.resolve("a").resolve(f).toFile());
      assertArrayEquals(x, read(tmp.resolve("b").resolve(f).toFile()), f);
      File zipped = tmp.resolve("gz").resolve(f.startsWith("train") ? f + ".gz" : f).toFile();
      assertArrayEquals(x, read(zipped), "gzip holds the same rows: " + f);
      assertFalse(java.util.Arrays.equals(x, read(tmp.resolve("c").resolve(f).toFile())), f);
    }
  }

  @Test
  void rowsParseAndTheHiddenModelIsLearnable() throws IOException {
    ClickLogGenerator.Options o = options("d", 1);
    ClickLogGenerator.Summary s = ClickLogGenerator.generate(o);
    LibSvmParser.Example ex = new LibSvmParser.Example();
    long rows = 0;
    long positives = 0;
    File[] train = o.out.toPath().resolve("train").toFile().listFiles();
    assertEquals(3, train.length);
    for (File f : train) {
      for (String line : Files.readAllLines(f.toPath(), StandardCharsets.US_ASCII)) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        assertNull(LibSvmParser.parse(b, b.length, ex), line);
        assertEquals(o.fields, ex.n);
        for (int i = 0; i < ex.n; i++) {
          assertTrue(ex.keys[i] != 0 && Long.compareUnsigned(ex.keys[i], Long.MIN_VALUE) <= 0);
          assertEquals(1f, ex.vals[i]);
        }
        rows++;
        positives += ex.label;
      }
    }
    assertEquals(o.trainRows, rows);
    assertEquals((double) positives / rows, s.positiveRate(), 1e-12);
    assertTrue(s.positiveRate() > 0.2 && s.positiveRate() < 0.4, "positive rate " + s.positiveRate());
    assertTrue(s.truthAuc() > 0.7, "hidden model AUC " + s.truthAuc());
    assertTrue(s.truthLogloss() < s.baselineLogloss(), s.toString());

    Properties p = new Properties();
    try (InputStream in = new FileInputStream(new File(o.out, "truth.properties"))) {
      p.load(in);
    }
    assertEquals(s.truthAuc(), Double.parseDouble(p.getProperty("truth.test.auc")));
    assertEquals("20000", p.getProperty("train.rows"));
    assertEquals("1", p.getProperty("seed"));
  }

  @Test
  void plusMinusOneLabelsAndFeatureIdsInRange() throws IOException {
    ClickLogGenerator.Options o = options("pm", 2);
    o.plusMinusOne = true;
    o.trainRows = 50;
    o.files = 1;
    ClickLogGenerator.generate(o);
    for (String line : Files.readAllLines(o.out.toPath().resolve("train/part-00000"))) {
      assertTrue(line.startsWith("+1 ") || line.startsWith("-1 "), line);
    }
    for (int f = 0; f < 50; f++) {
      for (int v = 0; v < 1000; v++) {
        long id = ClickLogGenerator.featureId(f, v);
        assertTrue(id != 0 && Long.compareUnsigned(id, Long.MIN_VALUE) <= 0);
      }
    }
  }

  @Test
  void badOptionsAreRejectedNamingTheOption() {
    ClickLogGenerator.Options o = options("bad", 1);
    o.files = 0;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClickLogGenerator.generate(o));
    assertTrue(e.getMessage().contains("--files"), e.getMessage());
  }
}
