package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * Every species, shuffle, mask and vector a kernel class keeps in a static field has the shape of
 * {@link VectorWidth#S}: a second shape in the process makes the JDK's shared vector call sites
 * polymorphic and can cost other kernels their intrinsics (see {@link VectorWidth#S}).
 */
class OneFloatSpeciesTest {
  @Test
  void everyStaticVectorConstantHasTheKernelsShape() throws Exception {
    List<String> checked = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (Class<?> c : kernelClasses()) {
      for (Field f : c.getDeclaredFields()) {
        Class<?> type = f.getType();
        boolean vectorConstant =
            VectorSpecies.class.isAssignableFrom(type)
                || VectorShuffle.class.isAssignableFrom(type)
                || VectorMask.class.isAssignableFrom(type)
                || Vector.class.isAssignableFrom(type);
        if (!Modifier.isStatic(f.getModifiers()) || !vectorConstant) {
          continue;
        }
        f.setAccessible(true);
        Object v = f.get(null);
        if (v == null) {
          continue;
        }
        VectorSpecies<?> s =
            switch (v) {
              case VectorSpecies<?> sp -> sp;
              case VectorShuffle<?> sh -> sh.vectorSpecies();
              case VectorMask<?> m -> m.vectorSpecies();
              case Vector<?> vec -> vec.species();
              default -> throw new AssertionError(v);
            };
        String name = c.getSimpleName() + "." + f.getName();
        checked.add(name);
        if (s.vectorShape() != VectorWidth.S.vectorShape()) {
          wrong.add(name + " is " + s + ", the kernels use " + VectorWidth.S);
        }
      }
    }
    assertTrue(checked.size() >= 5, () -> "found too few vector constants to check: " + checked);
    assertEquals(List.of(), wrong, "kernel constants of another vector shape");
  }

  private static List<Class<?>> kernelClasses()
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path dir =
        Path.of(VectorWidth.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("bnlab/kernel");
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String file = p.getFileName().toString();
        if (file.endsWith(".class")) {
          String name = "bnlab.kernel." + file.substring(0, file.length() - ".class".length());
          classes.add(Class.forName(name, true, VectorWidth.class.getClassLoader()));
        }
      }
    }
    return classes;
  }
}
