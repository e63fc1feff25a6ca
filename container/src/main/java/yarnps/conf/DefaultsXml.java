package yarnps.conf;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code conf/yarnps-default.xml} from the declared keys ({@link PsKeys}, {@link TableKeys}),
 * so the documentation is regenerated rather than edited by hand:
 * {@code java -cp ... yarnps.conf.DefaultsXml > conf/yarnps-default.xml}.
 */
public final class DefaultsXml {
  private DefaultsXml() {}

  /** Every documented key: the core keys, then the per-table keys with the placeholder name. */
  public static List<ConfigKey<?>> documentedKeys() {
    List<ConfigKey<?>> all = new ArrayList<>(PsKeys.all());
    all.addAll(TableKeys.all());
    return all;
  }

  public static String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<!-- yarn-ps configuration keys with their defaults. Generated from yarnps.conf.PsKeys and\n")
        .append("     yarnps.conf.TableKeys by yarnps.conf.DefaultsXml; a test fails when they disagree.\n")
        .append("     Per-table keys are written for a table called NAME: set them as yarnps.table.<table>.<suffix>\n")
        .append("     for every table in yarnps.tables. -->\n")
        .append("<configuration>\n");
    for (ConfigKey<?> k : documentedKeys()) {
      sb.append("  <property>\n")
          .append("    <name>").append(k.name()).append("</name>\n")
          .append("    <value>").append(k.defaultValue() == null ? "" : esc(k.defaultValue())).append("</value>\n")
          .append("    <description>").append(esc(k.doc())).append("</description>\n")
          .append("  </property>\n");
    }
    return sb.append("</configuration>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  public static void main(String[] args) {
    System.out.print(render());
  }
}
