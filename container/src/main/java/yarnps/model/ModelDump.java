package yarnps.model;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Prints a model directory as text, one line per key: {@code key<TAB>v1,v2,...}, the key in
 * unsigned decimal, the values as {@link Float#toString} writes them. Parts are printed in name
 * order, records in their stored order, each part checked as it is read. The path may be on any
 * Hadoop file system ({@code hdfs://...}, {@code file:///...}, or relative to the default one).
 *
 * <pre>
 * java -cp yarnps.jar:$(hadoop classpath) yarnps.model.ModelDump hdfs:///out/lr/model
 * </pre>
 *
 * Exits 0 on success, 1 when a part is unreadable or corrupt, 2 on bad usage.
 */
public final class ModelDump {
  public static final int EXIT_OK = 0;
  public static final int EXIT_BAD_MODEL = 1;
  public static final int EXIT_USAGE = 2;

  private ModelDump() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: ModelDump <model dir>");
      System.exit(EXIT_USAGE);
    }
    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try {
      dump(new Path(args[0]), new Configuration(), out);
    } catch (IOException e) {
      System.err.println("ModelDump: " + e.getMessage());
      System.exit(EXIT_BAD_MODEL);
    }
    System.exit(EXIT_OK);
  }

  /** Writes the text form of the model at {@code dir} to {@code out} and flushes it. */
  public static void dump(Path dir, Configuration conf, Writer out) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    FileStatus[] parts = fs.listStatus(dir, p -> p.getName().startsWith(ModelFormat.PART_PREFIX));
    if (parts.length == 0) {
      throw new IOException("no " + ModelFormat.PART_PREFIX + "* files in model directory " + dir);
    }
    Arrays.sort(parts);
    StringBuilder line = new StringBuilder(256);
    for (FileStatus st : parts) {
      try (InputStream in = fs.open(st.getPath())) {
        ModelReader.readPart(in, st.getPath().toString(), new ModelReader.PartVisitor() {
          @Override
          public void header(String table, int width) {}

          @Override
          public void record(long key, float[] values) throws IOException {
            line.setLength(0);
            line.append(Long.toUnsignedString(key));
            for (int j = 0; j < values.length; j++) {
              line.append(j == 0 ? '\t' : ',').append(values[j]);
            }
            out.append(line).append('\n');
          }
        });
      }
    }
    out.flush();
  }
}
