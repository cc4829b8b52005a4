package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder's lock within one process (RunFolderLockTest has two processes). */
class FolderLockTest {
  @TempDir Path dir;

  @Test
  void aSecondLockInTheSameProcessIsRefusedAndReadingTheLockFileDoesNotReleaseIt()
      throws IOException {
    Path out = dir.resolve("run");
    try (FolderLock first = FolderLock.acquire(out, "bnlab compare")) {
      assertNull(first.staleNote());
      // closing another descriptor of the file would drop a POSIX lock: reading it must not
      String owner = Files.readString(out.resolve(FolderLock.FILE));
      assertTrue(owner.startsWith(ProcessHandle.current().pid() + "\nbnlab compare\n"), owner);
      UserError e =
          assertThrows(UserError.class, () -> FolderLock.acquire(out, "bnlab train").close());
      assertTrue(
          e.getMessage()
              .contains(
                  "is in use by another bnlab run (pid "
                      + ProcessHandle.current().pid()
                      + ", 'bnlab compare', since "),
          e.getMessage());
      assertEquals(owner, Files.readString(out.resolve(FolderLock.FILE)), "owner kept");
    }
    assertEquals("", Files.readString(out.resolve(FolderLock.FILE)), "released: emptied");
    try (FolderLock again = FolderLock.acquire(out, "bnlab train")) {
      assertNull(again.staleNote(), "a released lock is not stale");
    }
  }

  @Test
  void aFreeLockFileThatStillNamesAnOwnerIsStale() throws IOException {
    Path out = Files.createDirectories(dir.resolve("killed"));
    Files.writeString(out.resolve(FolderLock.FILE), "4242\nbnlab sweep\n2026-11-26 03:51:07\n");
    try (FolderLock lock = FolderLock.acquire(out, "bnlab sweep")) {
      assertTrue(
          lock.staleNote()
              .contains("took over the lock of pid 4242, 'bnlab sweep', since 2026-11-26 03:51:07"),
          lock.staleNote());
    }
  }

  @Test
  void aFileGivenAsTheFolderIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    UserError e = assertThrows(UserError.class, () -> FolderLock.acquire(file, "bnlab train"));
    assertTrue(e.getMessage().contains("is a file, not a folder"), e.getMessage());
  }
}
