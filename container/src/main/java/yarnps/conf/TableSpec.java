package yarnps.conf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import yarnps.conf.TableKeys.UpdaterKind;

/** A parameter table as configured by {@code yarnps.tables} and {@code yarnps.table.NAME.*}. */
public record TableSpec(String name, int width, UpdaterKind updater, Initializer.Spec init,
    double lr, double l1, double l2, double ftrlAlpha, double ftrlBeta, double adagradEps) {

  /** Parses one table's keys, naming the key of any bad value. */
  public static TableSpec fromConf(String name, Configuration conf) {
    TableKeys.checkName(name);
    return new TableSpec(name,
        TableKeys.get(TableKeys.WIDTH, name, conf),
        TableKeys.get(TableKeys.UPDATER, name, conf),
        TableKeys.get(TableKeys.INIT, name, conf),
        TableKeys.get(TableKeys.LR, name, conf),
        TableKeys.get(TableKeys.L1, name, conf),
        TableKeys.get(TableKeys.L2, name, conf),
        TableKeys.get(TableKeys.FTRL_ALPHA, name, conf),
        TableKeys.get(TableKeys.FTRL_BETA, name, conf),
        TableKeys.get(TableKeys.ADAGRAD_EPS, name, conf));
  }

  /** Every table of the job, in the order of {@code yarnps.tables}. */
  public static List<TableSpec> allFromConf(Configuration conf) {
    Set<String> names = new LinkedHashSet<>();
    for (String n : PsKeys.TABLES.get(conf).split(",")) {
      String t = n.trim();
      if (!t.isEmpty() && !names.add(t)) {
        throw new ConfigException("yarnps.tables: table '" + t + "' is listed twice");
      }
    }
    if (names.isEmpty()) {
      throw new ConfigException("yarnps.tables: at least one table is required");
    }
    List<TableSpec> out = new ArrayList<>();
    for (String n : names) {
      out.add(fromConf(n, conf));
    }
    return out;
  }

  /** Seed of the initializer: stable per table name so every server agrees. */
  public long initSeed() {
    return name.hashCode() * 0x9E3779B97F4A7C15L;
  }

  public Initializer initializer() {
    return new Initializer(init, initSeed());
  }
}
