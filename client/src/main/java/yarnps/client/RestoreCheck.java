package yarnps.client;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointManifest.TableEntry;
import yarnps.checkpoint.CheckpointReader;
import yarnps.checkpoint.CorruptCheckpointException;
import yarnps.conf.ConfigException;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;

/**
 * Checks {@code submit --restore-from <dir>} before anything is submitted: the directory must be
 * one checkpoint ({@code ckpt-<clock>} with a valid {@code _MANIFEST} and every shard present with
 * its size, header and checksum trailer), and its tables must be the job's: the same names, widths
 * and updaters. Every problem is named.
 */
final class RestoreCheck {
  private RestoreCheck() {}

  /**
   * Checks the checkpoint in {@code dir} against the job in {@code conf}; returns its qualified
   * path (what {@code yarnps.restore.from} gets).
   *
   * @throws ConfigException naming the directory and what is wrong with it
   */
  static String check(Configuration conf, String dir) throws IOException {
    Path p = new Path(dir);
    FileSystem fs = p.getFileSystem(conf);
    Path q = fs.makeQualified(p);
    String what = "--restore-from " + q;
    if (!fs.exists(q)) {
      throw new ConfigException(what + ": no such directory");
    }
    CheckpointReader reader = new CheckpointReader(fs);
    Checkpoint ckpt;
    try {
      ckpt = reader.open(q);
    } catch (FileNotFoundException e) {
      List<CheckpointReader.CheckpointDir> inside = reader.list(q);
      throw new ConfigException(what + " is not a checkpoint (it has no _MANIFEST"
          + (inside.isEmpty() ? "; an incomplete checkpoint, or not one at all)"
              : "); it holds checkpoints, give one of them, e.g. " + inside.get(0).dir() + ")"));
    } catch (CorruptCheckpointException e) {
      throw new ConfigException(what + ": invalid checkpoint: " + e.getMessage());
    }
    try {
      ckpt.verify(Checkpoint.Verification.QUICK);
    } catch (CorruptCheckpointException | FileNotFoundException e) {
      throw new ConfigException(what + ": damaged checkpoint: " + e.getMessage());
    }
    List<String> problems = tableMismatches(TableSpec.allFromConf(conf), ckpt.manifest());
    if (!problems.isEmpty()) {
      throw new ConfigException(what + " (clock " + ckpt.clock() + ") does not fit the job's tables: "
          + String.join("; ", problems));
    }
    return q.toString();
  }

  /** Every difference between the job's tables and the checkpoint's in names, widths and updaters. */
  static List<String> tableMismatches(List<TableSpec> specs, CheckpointManifest m) {
    Map<String, TableEntry> job = new LinkedHashMap<>();
    for (TableSpec s : specs) {
      job.put(s.name(), TableEntry.of(s));
    }
    Map<String, TableEntry> saved = new LinkedHashMap<>();
    for (TableEntry t : m.tables()) {
      saved.put(t.name(), t);
    }
    List<String> problems = new ArrayList<>();
    for (TableEntry j : job.values()) {
      TableEntry c = saved.get(j.name());
      if (c == null) {
        problems.add("the job's table '" + j.name() + "' is not in the checkpoint (it has " + saved.keySet() + ")");
        continue;
      }
      if (j.width() != c.width()) {
        problems.add("table '" + j.name() + "' has width " + j.width() + " in the job (yarnps.table." + j.name()
            + ".width) but " + c.width() + " in the checkpoint");
      }
      if (!j.updater().equals(c.updater())) {
        problems.add("table '" + j.name() + "' has updater " + j.updater() + " in the job (yarnps.table." + j.name()
            + ".updater) but " + c.updater() + " in the checkpoint");
      }
    }
    for (String name : saved.keySet()) {
      if (!job.containsKey(name)) {
        problems.add("the checkpoint's table '" + name + "' is not in the job's " + PsKeys.TABLES.name() + "="
            + String.join(",", job.keySet()));
      }
    }
    return problems;
  }
}
