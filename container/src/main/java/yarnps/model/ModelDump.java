package yarnps.model;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Prints a model directory (HDFS or local) as text: {@code key<TAB>v1,v2,...} per line, keys unsigned. */
public final class ModelDump {
  private ModelDump() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ModelDump <model dir>");
      System.exit(2);
    }
    Path dir = new Path(args[0]);
    FileSystem fs = dir.getFileSystem(new Configuration());
    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    for (var st : fs.listStatus(dir, p -> p.getName().startsWith(ModelFormat.PART_PREFIX))) {
      try (var in = fs.open(st.getPath())) {
        ModelReader.readPart(in, st.getPath().toString(), new ModelReader.PartVisitor() {
          @Override
          public void header(String table, int width) {
          }

          @Override
          public void record(long key, float[] values) throws IOException {
            out.write(Long.toUnsignedString(key));
            for (int j = 0; j < values.length; j++) {
              out.write(j == 0 ? '\t' : ',');
              out.write(Float.toString(values[j]));
            }
            out.write('\n');
          }
        });
      }
    }
    out.flush();
  }
}
