package yarnps.conf;

import static yarnps.conf.ConfigKey.doubleKey;
import static yarnps.conf.ConfigKey.intKey;

import java.util.List;
import java.util.Locale;

/**
 * Per-table keys, {@code yarnps.table.<NAME>.<suffix>} for every NAME in {@code yarnps.tables}.
 * Each entry here is declared with the placeholder table name {@code NAME}; {@link #forTable}
 * gives the key of one table.
 */
public final class TableKeys {
  private TableKeys() {}

  /** Server-side update rule applied to pushed values. */
  public enum UpdaterKind {
    /** w += v: the pushed values are deltas. */
    ADD,
    /** w -= lr * (g + l2 * w), then the L1 proximal step: g is a gradient. */
    SGD,
    /** AdaGrad: n += g^2; w -= lr * g / (sqrt(n) + eps), L1/L2 as SGD. */
    ADAGRAD,
    /** FTRL-Proximal (McMahan et al. 2013) with alpha, beta, L1, L2: g is a gradient. */
    FTRL
  }

  public static final String PREFIX = "yarnps.table.";
  public static final String PLACEHOLDER = "NAME";

  public static final ConfigKey<Integer> WIDTH =
      intKey(PREFIX + "NAME.width", 1, 1, 1 << 20, "Values per key of table NAME.");
  public static final ConfigKey<UpdaterKind> UPDATER =
      ConfigKey.enumKey(PREFIX + "NAME.updater", UpdaterKind.ADD, UpdaterKind.class,
          "Server-side updater of table NAME: add, sgd, adagrad or ftrl.");
  public static final ConfigKey<Initializer.Spec> INIT =
      ConfigKey.of(PREFIX + "NAME.init", "zero",
          "Initial value of a key of table NAME never pushed: zero, constant:C, uniform:A (in [-A, A]) or normal:S.",
          Initializer.Spec::parse);
  public static final ConfigKey<Double> LR =
      doubleKey(PREFIX + "NAME.lr", 0.1, 0, 1e6, "Learning rate of the sgd and adagrad updaters of table NAME.");
  public static final ConfigKey<Double> L1 =
      doubleKey(PREFIX + "NAME.l1", 0, 0, 1e9, "L1 regularization strength of table NAME's updater.");
  public static final ConfigKey<Double> L2 =
      doubleKey(PREFIX + "NAME.l2", 0, 0, 1e9, "L2 regularization strength of table NAME's updater.");
  public static final ConfigKey<Double> FTRL_ALPHA =
      doubleKey(PREFIX + "NAME.ftrl.alpha", 0.1, 1e-9, 1e6, "FTRL-Proximal alpha (per-coordinate learning rate scale) of table NAME.");
  public static final ConfigKey<Double> FTRL_BETA =
      doubleKey(PREFIX + "NAME.ftrl.beta", 1.0, 0, 1e6, "FTRL-Proximal beta (learning rate smoothing) of table NAME.");
  public static final ConfigKey<Double> ADAGRAD_EPS =
      doubleKey(PREFIX + "NAME.adagrad.eps", 1e-6, 0, 1e6, "AdaGrad epsilon added to the root of the squared-gradient sum of table NAME.");

  public static List<ConfigKey<?>> all() {
    return List.of(WIDTH, UPDATER, INIT, LR, L1, L2, FTRL_ALPHA, FTRL_BETA, ADAGRAD_EPS);
  }

  /** The name of {@code key} for {@code table}. */
  public static String name(ConfigKey<?> key, String table) {
    return key.name().replace(PREFIX + PLACEHOLDER + ".", PREFIX + table + ".");
  }

  /** The value of {@code key} for {@code table}, with the key's default. */
  public static <T> T get(ConfigKey<T> key, String table, org.apache.hadoop.conf.Configuration conf) {
    String name = name(key, table);
    String raw = conf.getTrimmed(name);
    if (raw == null || raw.isEmpty()) {
      return key.parse(key.defaultValue());
    }
    try {
      return key.parse(raw);
    } catch (ConfigException e) {
      throw new ConfigException(e.getMessage().replace(key.name(), name));
    }
  }

  /** Checks that a table name is usable in a key and a file name. */
  public static String checkName(String table) {
    if (table.isEmpty() || !table.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw new ConfigException("yarnps.tables: bad table name '" + table
          + "' (letters, digits and _, starting with a letter)");
    }
    return table.toLowerCase(Locale.ROOT).equals(PLACEHOLDER.toLowerCase(Locale.ROOT))
        ? fail(table) : table;
  }

  private static String fail(String table) {
    throw new ConfigException("yarnps.tables: '" + table + "' is reserved");
  }
}
