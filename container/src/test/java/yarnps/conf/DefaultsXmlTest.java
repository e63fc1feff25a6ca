package yarnps.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** conf/yarnps-default.xml must list exactly the declared keys, with the same defaults and docs. */
class DefaultsXmlTest {

  private static Map<String, String[]> parse(File f) throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f);
    NodeList props = doc.getElementsByTagName("property");
    Map<String, String[]> out = new LinkedHashMap<>();
    for (int i = 0; i < props.getLength(); i++) {
      Element p = (Element) props.item(i);
      out.put(text(p, "name"), new String[] {text(p, "value"), text(p, "description")});
    }
    return out;
  }

  private static String text(Element e, String tag) {
    return e.getElementsByTagName(tag).item(0).getTextContent();
  }

  @Test
  void defaultXmlAgreesWithDeclaredKeys() throws Exception {
    File xml = new File(System.getProperty("yarnps.conf.dir", "../conf"), "yarnps-default.xml");
    assertTrue(xml.isFile(), "missing " + xml.getAbsolutePath());
    Map<String, String[]> documented = parse(xml);
    Map<String, String[]> declared = new LinkedHashMap<>();
    for (ConfigKey<?> k : DefaultsXml.documentedKeys()) {
      declared.put(k.name(), new String[] {k.defaultValue() == null ? "" : k.defaultValue(), k.doc()});
    }
    assertEquals(declared.keySet(), documented.keySet(),
        "keys differ; regenerate with: java -cp <container classes> yarnps.conf.DefaultsXml > conf/yarnps-default.xml");
    for (var e : declared.entrySet()) {
      assertEquals(e.getValue()[0], documented.get(e.getKey())[0], "default of " + e.getKey());
      assertEquals(e.getValue()[1], documented.get(e.getKey())[1], "doc of " + e.getKey());
    }
  }

  @Test
  void everyDefaultParses() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
    for (ConfigKey<?> k : DefaultsXml.documentedKeys()) {
      if (k.defaultValue() != null) {
        k.parse(k.defaultValue());
      }
    }
    assertEquals(2, PsKeys.SERVERS.get(conf));
  }
}
