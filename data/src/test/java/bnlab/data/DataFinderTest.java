package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFinderTest {
  @TempDir Path tmp;

  @Test
  void searchOrderIsExplicitEnvUserCacheSharedThenSystem() throws IOException {
    Path env = Files.createDirectories(tmp.resolve("env"));
    Path wd = Files.createDirectories(tmp.resolve("proj/module"));
    DataFinder f =
        DataFinder.standard(tmp.resolve("given"), Map.of("BNLAB_DATA", env.toString()), wd);
    List<Path> places = f.places();
    assertEquals(tmp.resolve("given"), places.get(0));
    assertEquals(env, places.get(1));
    assertEquals(DataCache.userFolder(), places.get(2));
    assertEquals(tmp.resolve("proj/shared/datasets"), places.get(3));
    assertEquals(FashionMnist.SYSTEM_FOLDER, places.get(places.size() - 1));
  }

  @Test
  void projectRootIsFoundFromAModuleFolder() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(
        root.resolve("pom.xml"), "<artifactId>bnlab-parent</artifactId><modules></modules>");
    Path module = Files.createDirectories(root.resolve("data"));
    Files.writeString(
        module.resolve("pom.xml"), "<parent><artifactId>bnlab-parent</artifactId></parent>");
    assertEquals(root, DataFinder.projectRoot(module).orElseThrow());
    DataFinder f = DataFinder.standard(null, Map.of(), module);
    assertTrue(f.places().contains(tmp.resolve("shared/datasets")), f.places().toString());
  }

  @Test
  void findsEachLayoutUnderItsUsualName() throws IOException {
    Path a = Files.createDirectories(tmp.resolve("a"));
    TestFiles.cifarFolder(a, 1);
    DataFinder.Found found =
        new DataFinder(null, List.of(tmp.resolve("nothing"), a)).find("cifar-10");
    assertEquals(a.resolve(Cifar10.FOLDER), found.path());
    assertEquals(DataFinder.Format.CIFAR_BINARY, found.format());

    Path b = Files.createDirectories(tmp.resolve("b/train/cat"));
    DataFinder.Found folder = new DataFinder(tmp.resolve("b"), List.of()).find("folder");
    assertEquals(DataFinder.Format.IMAGE_FOLDER, folder.format());
    assertTrue(Files.isDirectory(b));

    Path c = Files.createDirectories(tmp.resolve("c"));
    TestFiles.tarGz(
        c.resolve("cifar10-jpeg.tar.gz"),
        Map.of("train/cat/0.jpg", TestFiles.encode(TestFiles.rgbImage(0, 32, 32), "jpg")));
    DataFinder.Found jpeg = new DataFinder(null, List.of(c)).find("cifar10");
    assertEquals(DataFinder.Format.IMAGE_FOLDER_TAR_GZ, jpeg.format());

    Path d = Files.createDirectories(tmp.resolve("d/fashion-mnist"));
    Files.write(d.resolve("train-images-idx3-ubyte.gz"), new byte[0]);
    Files.write(d.resolve("train-labels-idx1-ubyte"), new byte[0]);
    DataFinder.Found idx = new DataFinder(null, List.of(tmp.resolve("d"))).find("fashion-mnist");
    assertEquals(d, idx.path());
    assertEquals(DataFinder.Format.IDX, idx.format());
  }

  @Test
  void nothingFoundListsPlacesAndHowToGetTheData() {
    Path p1 = tmp.resolve("one");
    Path p2 = tmp.resolve("two");
    DataException e =
        assertThrows(
            DataException.class, () -> new DataFinder(null, List.of(p1, p2)).find("cifar10"));
    String m = e.getMessage();
    assertTrue(m.contains(p1.toString()) && m.contains(p2.toString()), m);
    assertTrue(m.contains(Cifar10.URL) && m.contains(Cifar10.MD5), m);
    e =
        assertThrows(
            DataException.class, () -> new DataFinder(null, List.of(p1)).find("fashion-mnist"));
    assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void explicitPathMustExistAndHoldTheData() throws IOException {
    Path none = tmp.resolve("typo");
    DataException e =
        assertThrows(DataException.class, () -> new DataFinder(none, List.of()).find("cifar10"));
    assertTrue(e.getMessage().contains(none.toString()), e.getMessage());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    e = assertThrows(DataException.class, () -> new DataFinder(empty, List.of()).find("cifar10"));
    assertTrue(e.getMessage().contains("holds no cifar10"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new DataFinder(empty, List.of()).find("imagenet"));
  }
}
