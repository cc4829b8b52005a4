package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.data.Cifar10;
import bnlab.data.FashionMnist;
import bnlab.experiment.ModelZoo;
import bnlab.io.Checkpoint;
import bnlab.lab.CliTest.Result;
import bnlab.nn.Module;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import bnlab.train.ModelInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bnlab predict on images of any size and kind, broken ones included. */
class PredictTest {
  @TempDir static Path tmp;
  static Module net;
  static Path checkpoint;

  @BeforeAll
  static void model() throws IOException {
    net = ModelZoo.get("net-bn").factory().build(new int[] {3, 32, 32}, 10, 3);
    ZooExportTest.perturb(net, 4);
    net.eval();
    checkpoint = tmp.resolve("net-bn-seed3.safetensors");
    ModelInfo info = new ModelInfo("net-bn", new int[] {3, 32, 32}, Cifar10.CLASSES);
    Checkpoint.save(net, null, info.metadata(), checkpoint);
  }

  private static Path png(String name, BufferedImage img) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  private static BufferedImage random(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Rng rng = new Rng(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rng.nextInt(1 << 24));
      }
    }
    return img;
  }

  private static BufferedImage constant(int w, int h, int type, int rgb) {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /** Softmax of bnlab's logits for one (C, H, W) input of 0..255 values. */
  private static double[] probabilities(Module model, float[] pixels, int... shape) {
    float[] x = pixels.clone();
    for (int i = 0; i < x.length; i++) {
      x[i] /= 255f;
    }
    Tensor logits = model.forward(Tensor.wrap(x, shape));
    double[] p = new double[logits.dim(1)];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < p.length; j++) {
      max = Math.max(max, logits.data()[j]);
    }
    double sum = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(logits.data()[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < p.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  private static JsonNode json(Result r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  /** Asserts the JSON top list holds all classes with bnlab's probabilities, best first. */
  private static void assertTop(JsonNode top, double[] p, List<String> classes) {
    assertEquals(p.length, top.size());
    double last = 2;
    for (JsonNode t : top) {
      int k = t.get("index").asInt();
      assertEquals(classes.get(k), t.get("class").asText());
      assertEquals(p[k], t.get("probability").asDouble(), 1e-6, "class " + k);
      assertTrue(t.get("probability").asDouble() <= last);
      last = t.get("probability").asDouble();
    }
  }

  @Test
  void anImageOfTheModelsSizeGivesTheModelsProbabilities() throws IOException {
    BufferedImage img = random(32, 32, 1);
    Path p = png("exact/a.png", img);
    float[] chw = new float[3 * 32 * 32];
    for (int i = 0; i < 32 * 32; i++) {
      int v = img.getRGB(i % 32, i / 32);
      chw[i] = (v >> 16) & 0xFF;
      chw[1024 + i] = (v >> 8) & 0xFF;
      chw[2048 + i] = v & 0xFF;
    }
    Result r =
        CliTest.bnlab("predict", checkpoint.toString(), p.toString(), "--json", "--top", "10");
    assertEquals(0, r.code(), r.err());
    JsonNode doc = json(r);
    assertEquals("net-bn", doc.get("model").asText());
    assertEquals(p.toString(), doc.get("predictions").get(0).get("file").asText());
    assertTop(
        doc.get("predictions").get(0).get("top"),
        probabilities(net, chw, 1, 3, 32, 32),
        Cifar10.CLASSES);
  }

  @Test
  void imagesOfAnySizeAndKindAreResizedAndCropped() throws IOException {
    // A constant image stays constant through resizing and cropping, whatever its size.
    int rgb = (10 << 16) | (200 << 8) | 30;
    float[] chw = new float[3 * 1024];
    Arrays.fill(chw, 0, 1024, 10);
    Arrays.fill(chw, 1024, 2048, 200);
    Arrays.fill(chw, 2048, 3072, 30);
    double[] expected = probabilities(net, chw, 1, 3, 32, 32);
    Path wide = png("sizes/wide.png", constant(97, 45, BufferedImage.TYPE_INT_RGB, rgb));
    Path alpha =
        png("sizes/alpha.png", constant(20, 33, BufferedImage.TYPE_INT_ARGB, 0x80000000 | rgb));
    Path jpeg = tmp.resolve("sizes/big.jpg");
    ImageIO.write(constant(300, 200, BufferedImage.TYPE_INT_RGB, rgb), "jpeg", jpeg.toFile());
    Result r =
        CliTest.bnlab(
            "predict",
            checkpoint.toString(),
            wide.toString(),
            alpha.toString(),
            "--json",
            "--top",
            "10");
    assertEquals(0, r.code(), r.err());
    for (JsonNode pred : json(r).get("predictions")) {
      assertTop(pred.get("top"), expected, Cifar10.CLASSES);
    }
    r = CliTest.bnlab("predict", checkpoint.toString(), jpeg.toString(), "--top", "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith(jpeg + ":  "), r.out());
  }

  @Test
  void greyImagesAndOneChannelModels() throws IOException {
    Module fashion = ModelZoo.get("net-bn").factory().build(new int[] {1, 28, 28}, 10, 5);
    ZooExportTest.perturb(fashion, 6);
    fashion.eval();
    Path f = tmp.resolve("fashion/net-bn.safetensors");
    Files.createDirectories(f.getParent());
    Checkpoint.save(
        fashion,
        null,
        new ModelInfo("net-bn", new int[] {1, 28, 28}, FashionMnist.CLASSES).metadata(),
        f);
    // (10, 200, 30) in luma: (10·19595 + 200·38470 + 30·7471 + 2^15) >> 16 = 124
    Path colour =
        png(
            "fashion/colour.png",
            constant(40, 50, BufferedImage.TYPE_INT_RGB, (10 << 16) | (200 << 8) | 30));
    BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    byte[] g = ((java.awt.image.DataBufferByte) grey.getRaster().getDataBuffer()).getData();
    Arrays.fill(g, (byte) 124);
    Path greyFile = png("fashion/grey.png", grey);
    float[] x = new float[28 * 28];
    Arrays.fill(x, 124);
    double[] expected = probabilities(fashion, x, 1, 1, 28, 28);
    Result r =
        CliTest.bnlab(
            "predict",
            f.toString(),
            colour.toString(),
            greyFile.toString(),
            "--json",
            "--top",
            "10");
    assertEquals(0, r.code(), r.err());
    for (JsonNode pred : json(r).get("predictions")) {
      assertTop(pred.get("top"), expected, FashionMnist.CLASSES);
    }
  }

  @Test
  void brokenImagesGetOneLineEachAndTheOthersStillRun() throws IOException {
    Path dir = tmp.resolve("mixed");
    png("mixed/a.png", random(40, 40, 2));
    png("mixed/sub/b.png", random(16, 16, 3));
    Path jpeg = dir.resolve("c.jpg");
    ImageIO.write(random(64, 64, 4), "jpeg", jpeg.toFile());
    byte[] whole = Files.readAllBytes(jpeg);
    Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(whole, whole.length / 2));
    Files.writeString(dir.resolve("notes.png"), "not an image");
    Files.writeString(dir.resolve("readme.txt"), "skipped: not an image name");
    Path missing = tmp.resolve("no-such.png");
    Result r = CliTest.bnlab("predict", checkpoint.toString(), dir.toString(), missing.toString());
    assertEquals(1, r.code(), r.err());
    List<String> out = r.out().lines().toList();
    assertEquals(3, out.size(), r.out() + r.err());
    assertTrue(out.get(0).startsWith(dir.resolve("a.png") + ":  "), r.out());
    assertTrue(out.get(1).startsWith(dir.resolve("c.jpg") + ":  "), r.out());
    assertTrue(out.get(2).startsWith(dir.resolve("sub/b.png") + ":  "), r.out());
    assertEquals(3, out.get(0).split("  ").length - 1, "top 3 by default: " + out.get(0));
    List<String> err = r.err().lines().toList();
    assertEquals(3, err.size(), r.err());
    assertTrue(err.get(0).startsWith("bnlab: " + dir.resolve("notes.png") + ": "), r.err());
    assertTrue(err.get(1).startsWith("bnlab: " + dir.resolve("truncated.jpg") + ": "), r.err());
    assertTrue(err.get(2).equals("bnlab: " + missing + ": no such file"), r.err());

    r = CliTest.bnlab("predict", checkpoint.toString(), dir.toString(), "--json");
    assertEquals(1, r.code());
    JsonNode preds = json(r).get("predictions");
    assertEquals(5, preds.size());
    assertTrue(preds.get(2).get("error").asText().length() > 0, preds.toString());
  }

  @Test
  void classNamesFromTheDataSetWhenTheFileHasNone() throws IOException {
    Path plain = tmp.resolve("plain/net-bn.safetensors");
    Files.createDirectories(plain.getParent());
    Checkpoint.save(net, plain);
    Path img = png("plain/a.png", random(32, 32, 9));
    Result r = CliTest.bnlab("predict", plain.toString(), img.toString(), "--json", "--top", "10");
    assertEquals(0, r.code(), r.err());
    assertEquals(
        "bnlab: note: " + plain + " holds no class names; using cifar10's", r.err().strip());
    JsonNode top = json(r).get("predictions").get(0).get("top");
    assertTrue(Cifar10.CLASSES.contains(top.get(0).get("class").asText()));
  }
}
