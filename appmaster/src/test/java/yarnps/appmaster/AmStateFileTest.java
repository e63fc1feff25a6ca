package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.runtime.ContainerEnv;
import yarnps.thrift.Role;

/** am.address and am-state.json on the local file system: replaced atomically, read back, refused when bad. */
class AmStateFileTest {
  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  @Test
  void aFileIsReplacedAndNoTemporaryFileStays() throws IOException {
    Path address = new Path(dir.toUri().toString(), ContainerEnv.AM_ADDRESS_FILE);
    AmState.writeAtomically(conf, address, "host-a:1234\n");
    AmState.writeAtomically(conf, address, "host-b:5678\n");
    assertEquals("host-b:5678\n", Files.readString(dir.resolve(ContainerEnv.AM_ADDRESS_FILE)));
    try (var files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList();
      assertEquals(List.of(ContainerEnv.AM_ADDRESS_FILE), names);
    }
  }

  @Test
  void theStateIsReadBackAndAMissingFileIsNone() throws IOException {
    Path file = new Path(dir.toUri().toString(), ContainerEnv.AM_STATE_FILE);
    assertNull(AmState.read(conf, file));
    AmState state = new AmState(1, 4, 2, 30, 1, 0, List.of(0, 2),
        List.of(new AmState.MemberFailures(Role.SERVER, 1, 1, List.of("container c on h exited exit 137 (killed)"))),
        List.of(new RecoveryView(1, Role.SERVER, 1, 0, "exit 137", 10, 20, 30, 40, 50, 4, 30, "/ckpt/ckpt-30", -1,
            Recovery.Status.DONE)));
    AmState.writeAtomically(conf, file, state.toJson());
    assertEquals(state, AmState.read(conf, file));
  }

  @Test
  void aDamagedStateFileIsRefusedNamingIt() throws IOException {
    Path file = new Path(dir.toUri().toString(), ContainerEnv.AM_STATE_FILE);
    Files.write(dir.resolve(ContainerEnv.AM_STATE_FILE), "{\"attempt\": \"one\"}".getBytes(StandardCharsets.UTF_8));
    IOException e = assertThrows(IOException.class, () -> AmState.read(conf, file));
    assertTrue(e.getMessage().contains(ContainerEnv.AM_STATE_FILE), e.getMessage());
  }
}
