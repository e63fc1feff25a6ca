package yarnps.examples.gen;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import yarnps.examples.lr.Metrics;

/**
 * Synthetic click logs in libsvm format, with a known ("hidden") model to compare training with.
 *
 * <p>Each row has {@code fields} categorical fields. Field f's value v is drawn from a Zipf
 * distribution over {@code 0 .. vocab-1} with exponent {@code zipf} (one shared CDF, binary
 * search), and becomes the feature id {@code (mix64(f, v) & (2^63 - 1)) + 1}, in [1, 2^63]. The
 * hidden model gives every feature id a weight drawn from a Gaussian with mean 0 and standard
 * deviation {@code weightScale * 2 / sqrt(fields)}, computed from a hash of (id, seed), so the
 * margin {@code bias + sum of the row's weights} has standard deviation about
 * {@code 2 * weightScale} whatever the number of fields. A row's click probability is the
 * sigmoid of its margin and its label is drawn from it. With the defaults about 25-35% of rows
 * are clicks and the hidden model's test AUC is about 0.82.
 *
 * <p>Output under {@code out}: {@code train/part-NNNNN} ({@code files} of them, {@code .gz} when
 * gzipped) holding {@code trainRows} rows, {@code test/part-00000} holding {@code testRows} rows,
 * each line {@code label id:1 id:1 ...} with label 0/1 (or -1/+1); and {@code truth.properties}:
 * the hidden model's test AUC and logloss ({@code truth.test.*}, computed from the true
 * probabilities, the best any trainer can expect), the constant predictor's logloss, the positive
 * rate, the row counts and every option. Equal options (seed included) give byte-equal files.
 *
 * <pre>
 * java -cp yarnps-examples.jar yarnps.examples.gen.ClickLogGenerator --out /tmp/clicks \
 *     --train-rows 1000000 --test-rows 100000 --files 8 --seed 42
 * </pre>
 */
public final class ClickLogGenerator {

  /** What to generate. */
  public static final class Options {
    public File out;
    public long trainRows = 100_000;
    public long testRows = 20_000;
    public int fields = 20;
    public int vocab = 100_000;
    public double zipf = 1.1;
    public int files = 4;
    public boolean gzip;
    /** Write labels as -1/+1 instead of 0/1. */
    public boolean plusMinusOne;
    public long seed = 1;
    public double weightScale = 0.8;
    public double bias = -1.2;

    void check() {
      require(out != null, "--out is required");
      require(trainRows >= 0, "--train-rows must be >= 0");
      require(testRows >= 0 && testRows <= Integer.MAX_VALUE - 8, "--test-rows must be in [0, 2^31 - 9]");
      require(fields >= 1, "--fields must be >= 1");
      require(vocab >= 1, "--vocab must be >= 1");
      require(zipf > 0 && Double.isFinite(zipf), "--zipf must be > 0");
      require(files >= 1 && files <= 99_999, "--files must be in [1, 99999]");
      require(weightScale >= 0 && Double.isFinite(weightScale), "--weight-scale must be >= 0");
    }

    private static void require(boolean ok, String problem) {
      if (!ok) {
        throw new IllegalArgumentException(problem);
      }
    }
  }

  /**
   * What was generated: row counts, the training set's positive rate, the hidden model's test AUC
   * and logloss, the logloss of predicting the training positive rate for every test row, and
   * the seconds taken.
   */
  public record Summary(long trainRows, long testRows, double positiveRate, double truthAuc, double truthLogloss,
      double baselineLogloss, double seconds) {}

  private final Options o;
  private final double[] cdf;

  private ClickLogGenerator(Options o) {
    this.o = o;
    this.cdf = new double[o.vocab];
    double sum = 0;
    for (int v = 0; v < o.vocab; v++) {
      sum += 1 / Math.pow(v + 1, o.zipf);
      cdf[v] = sum;
    }
    for (int v = 0; v < o.vocab; v++) {
      cdf[v] /= sum;
    }
  }

  public static Summary generate(Options o) throws IOException {
    o.check();
    long t0 = System.nanoTime();
    ClickLogGenerator g = new ClickLogGenerator(o);
    File train = new File(o.out, "train");
    File test = new File(o.out, "test");
    Files.createDirectories(train.toPath());
    Files.createDirectories(test.toPath());
    SplittableRandom rng = new SplittableRandom(o.seed);
    long[] ids = new long[o.fields];
    long positives = 0;
    long perFile = (o.trainRows + o.files - 1) / o.files;
    long written = 0;
    for (int f = 0; f < o.files; f++) {
      String name = String.format("part-%05d%s", f, o.gzip ? ".gz" : "");
      try (Out out = new Out(new File(train, name), o.gzip)) {
        for (long r = 0; r < perFile && written < o.trainRows; r++, written++) {
          double p = g.row(rng, ids);
          boolean click = rng.nextDouble() < p;
          positives += click ? 1 : 0;
          out.row(click, ids, o.plusMinusOne);
        }
      }
    }
    int n = (int) o.testRows;
    float[] truth = new float[n];
    byte[] labels = new byte[n];
    try (Out out = new Out(new File(test, "part-00000"), false)) {
      for (int r = 0; r < n; r++) {
        double p = g.row(rng, ids);
        boolean click = rng.nextDouble() < p;
        truth[r] = (float) p;
        labels[r] = (byte) (click ? 1 : 0);
        out.row(click, ids, o.plusMinusOne);
      }
    }
    double rate = o.trainRows == 0 ? 0 : (double) positives / o.trainRows;
    float[] constant = new float[n];
    java.util.Arrays.fill(constant, (float) rate);
    Summary s = new Summary(o.trainRows, o.testRows, rate, Metrics.auc(truth, labels, n),
        Metrics.logloss(truth, labels, n), Metrics.logloss(constant, labels, n), (System.nanoTime() - t0) / 1e9);
    writeTruth(new File(o.out, "truth.properties"), o, s);
    return s;
  }

  /** Writes the summary as a properties file, keys sorted and no timestamp, so equal runs give equal files. */
  private static void writeTruth(File file, Options o, Summary s) throws IOException {
    TreeMap<String, String> p = new TreeMap<>();
    p.put("train.rows", Long.toString(s.trainRows()));
    p.put("test.rows", Long.toString(s.testRows()));
    p.put("positive.rate", Double.toString(s.positiveRate()));
    p.put("truth.test.auc", Double.toString(s.truthAuc()));
    p.put("truth.test.logloss", Double.toString(s.truthLogloss()));
    p.put("baseline.test.logloss", Double.toString(s.baselineLogloss()));
    p.put("seed", Long.toString(o.seed));
    p.put("fields", Integer.toString(o.fields));
    p.put("vocab", Integer.toString(o.vocab));
    p.put("zipf", Double.toString(o.zipf));
    p.put("weight.scale", Double.toString(o.weightScale));
    p.put("bias", Double.toString(o.bias));
    StringBuilder sb = new StringBuilder("# The hidden model of these click logs, scored on the test set.\n");
    p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    Files.writeString(file.toPath(), sb, StandardCharsets.UTF_8);
  }

  /** Draws a row's feature ids into ids and returns its click probability. */
  private double row(SplittableRandom rng, long[] ids) {
    double z = o.bias;
    for (int f = 0; f < o.fields; f++) {
      int v = value(rng.nextDouble());
      long id = featureId(f, v);
      ids[f] = id;
      z += weight(id);
    }
    return Metrics.sigmoid(z);
  }

  /** The feature id of value v of field f: a 64-bit mix of the pair, in [1, 2^63]. */
  static long featureId(int f, int v) {
    return (mix(mix(f + 0x9E3779B97F4A7C15L) ^ v) & Long.MAX_VALUE) + 1;
  }

  private int value(double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The hidden weight of a feature id: Gaussian(0, weightScale), a pure function of the id and seed. */
  private double weight(long id) {
    long h1 = mix(id ^ o.seed * 0xD6E8FEB86659FD93L);
    long h2 = mix(h1);
    double u1 = ((h1 >>> 11) + 1) * 0x1.0p-53;
    double u2 = (h2 >>> 11) * 0x1.0p-53;
    return o.weightScale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) / Math.sqrt(o.fields / 4.0);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A libsvm line writer with manual number formatting. */
  private static final class Out implements AutoCloseable {
    private final OutputStream os;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;

    Out(File f, boolean gzip) throws IOException {
      OutputStream raw = new FileOutputStream(f);
      // The fastest deflate level: the default one makes gzip output several times slower.
      this.os = gzip ? new GZIPOutputStream(raw, 1 << 16) {
        {
          def.setLevel(Deflater.BEST_SPEED);
        }
      } : new BufferedOutputStream(raw, 1 << 16);
    }

    void row(boolean click, long[] ids, boolean pm1) throws IOException {
      if (pos > buf.length - 32 * (ids.length + 1)) {
        flush();
      }
      if (pm1) {
        buf[pos++] = (byte) (click ? '+' : '-');
        buf[pos++] = '1';
      } else {
        buf[pos++] = (byte) (click ? '1' : '0');
      }
      for (long id : ids) {
        buf[pos++] = ' ';
        writeUnsigned(id);
        buf[pos++] = ':';
        buf[pos++] = '1';
      }
      buf[pos++] = '\n';
    }

    private void writeUnsigned(long v) {
      if (v < 0) {
        byte[] s = Long.toUnsignedString(v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, buf, pos, s.length);
        pos += s.length;
        return;
      }
      int start = pos;
      do {
        buf[pos++] = (byte) ('0' + v % 10);
        v /= 10;
      } while (v != 0);
      for (int i = start, j = pos - 1; i < j; i++, j--) {
        byte t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
      }
    }

    private void flush() throws IOException {
      os.write(buf, 0, pos);
      pos = 0;
    }

    @Override
    public void close() throws IOException {
      flush();
      os.close();
    }
  }

  public static void main(String[] args) throws IOException {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--gzip")) {
        o.gzip = true;
        continue;
      }
      if (i + 1 >= args.length) {
        usage("option " + a + " needs a value");
      }
      String v = args[++i];
      try {
        switch (a) {
          case "--out" -> o.out = new File(v);
          case "--train-rows" -> o.trainRows = Long.parseLong(v);
          case "--test-rows" -> o.testRows = Long.parseLong(v);
          case "--fields" -> o.fields = Integer.parseInt(v);
          case "--vocab" -> o.vocab = Integer.parseInt(v);
          case "--zipf" -> o.zipf = Double.parseDouble(v);
          case "--files" -> o.files = Integer.parseInt(v);
          case "--labels" -> o.plusMinusOne = switch (v) {
            case "01" -> false;
            case "pm1" -> true;
            default -> throw new IllegalArgumentException("--labels must be 01 or pm1");
          };
          case "--seed" -> o.seed = Long.parseLong(v);
          case "--weight-scale" -> o.weightScale = Double.parseDouble(v);
          default -> usage("unknown option " + a);
        }
      } catch (NumberFormatException e) {
        usage("option " + a + ": '" + v + "' is not a number");
      }
    }
    Summary s;
    try {
      s = generate(o);
    } catch (IllegalArgumentException e) {
      usage(e.getMessage());
      return;
    }
    System.out.printf("wrote %d training and %d test rows to %s in %.1f s; positive rate %.3f; "
        + "hidden model test AUC %.4f logloss %.4f (constant predictor %.4f)%n", s.trainRows(), s.testRows(), o.out,
        s.seconds(), s.positiveRate(), s.truthAuc(), s.truthLogloss(), s.baselineLogloss());
  }

  private static void usage(String problem) {
    System.err.println("ClickLogGenerator: " + problem + "\nusage: --out DIR [--train-rows N] [--test-rows N] [--fields F]"
        + " [--vocab V] [--zipf S] [--files K] [--gzip] [--labels 01|pm1] [--seed X] [--weight-scale W]");
    System.exit(2);
  }
}
